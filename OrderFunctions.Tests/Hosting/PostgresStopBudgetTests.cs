using OrderFunctions.Tests.Support;
using Xunit.Abstractions;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.Hosting;

/// <summary><see cref="StopBudgetTests"/> on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class PostgresStopBudgetTests(ITestOutputHelper output) : StopBudgetTests(StoreEngine.Postgres, output);
