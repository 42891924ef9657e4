using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.ReadSide;

/// <summary><see cref="GetOrderTests"/> on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class PostgresGetOrderTests() : GetOrderTests(StoreEngine.Postgres);
