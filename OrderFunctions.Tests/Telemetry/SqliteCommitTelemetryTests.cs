using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Telemetry;

/// <summary>Commit telemetry with the SQLite engine.</summary>
public sealed class SqliteCommitTelemetryTests() : CommitTelemetryContract(StoreEngine.Sqlite);
