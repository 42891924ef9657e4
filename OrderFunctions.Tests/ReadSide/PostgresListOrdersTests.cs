using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.ReadSide;

/// <summary><see cref="ListOrdersTests"/> on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class PostgresListOrdersTests() : ListOrdersTests(StoreEngine.Postgres);
