using OrderFunctions.Tests.Support;
using Xunit.Abstractions;

namespace OrderFunctions.Tests.Hosting;

/// <summary><see cref="StopBudgetTests"/> on SQLite.</summary>
public sealed class SqliteStopBudgetTests(ITestOutputHelper output) : StopBudgetTests(StoreEngine.Sqlite, output);
