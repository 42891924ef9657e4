using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.ReadSide;

/// <summary><see cref="OrderStatsTests"/> on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class PostgresOrderStatsTests() : OrderStatsTests(StoreEngine.Postgres);
