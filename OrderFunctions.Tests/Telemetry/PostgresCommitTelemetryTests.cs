using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.Telemetry;

/// <summary>Commit telemetry with the PostgreSQL engine.</summary>
[RequiresPostgres]
public sealed class PostgresCommitTelemetryTests() : CommitTelemetryContract(StoreEngine.Postgres);
