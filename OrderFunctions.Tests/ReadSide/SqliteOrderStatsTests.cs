using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.ReadSide;

/// <summary><see cref="OrderStatsTests"/> on a SQLite file.</summary>
public sealed class SqliteOrderStatsTests() : OrderStatsTests(StoreEngine.Sqlite);
