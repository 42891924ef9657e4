using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.ReadSide;

/// <summary><see cref="ListOrdersTests"/> on a SQLite file.</summary>
public sealed class SqliteListOrdersTests() : ListOrdersTests(StoreEngine.Sqlite);
