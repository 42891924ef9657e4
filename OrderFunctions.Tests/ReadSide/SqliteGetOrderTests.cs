using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.ReadSide;

/// <summary><see cref="GetOrderTests"/> on a SQLite file.</summary>
public sealed class SqliteGetOrderTests() : GetOrderTests(StoreEngine.Sqlite);
