using Microsoft.Extensions.DependencyInjection;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Sqlite;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Storage.Sqlite;

/// <summary>
/// What only SQLite's statistics over time do: bucket starts come from a table of SQL expressions, one per
/// <see cref="StatsInterval"/> width, so another width has no SQL; first and last price come from an aggregate of ours,
/// which must not trust the order SQLite feeds it rows in (the figures of both engines are checked in
/// <see cref="ReadSide.OrderStatsOverTimeTests"/>).
/// </summary>
public sealed class SqliteOrderBucketQueriesTests : IDisposable
{
    private readonly TestStore _database = TestStore.Sqlite();

    public void Dispose() => _database.Dispose();

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task BucketsAsync_refuses_a_width_that_is_not_an_interval_naming_it()
    {
        await using var services = StandaloneApplication.ComposeServices(
            new Dictionary<string, string?> { ["ConnectionStrings:Orders"] = _database.ConnectionString });
        var buckets = services.GetRequiredService<IOrderBucketQueries>();
        Assert.IsType<SqliteOrderBucketQueries>(buckets);

        var refused = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => buckets.BucketsAsync(new OrderFilter(), TimeSpan.FromMinutes(2), after: null, count: 10));

        Assert.Equal(("width", TimeSpan.FromMinutes(2)), (refused.ParamName, refused.ActualValue));
        Assert.StartsWith("not an interval of StatsInterval", refused.Message);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task BucketsAsync_takes_first_and_last_price_by_time_when_rows_come_in_id_order()
    {
        // Arrange: through the optional username index SQLite feeds a bucket's rows to the aggregate in id order
        // (checked with EXPLAIN QUERY PLAN and a recording aggregate); through the market index, in time order.
        await using var app = new StandaloneApplication(
            new Dictionary<string, string?> { ["OrderStorage:IndexUsername"] = "true" }, databasePath: _database.Path);
        var at = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        await app.AddAsync(
            new Order(at.AddSeconds(50), "alice", "T", "buy", 1m, 3m),
            new Order(at.AddSeconds(10), "alice", "T", "buy", 1m, 5m),
            new Order(at.AddSeconds(30), "alice", "T", "buy", 1m, 7m));

        // Act
        var buckets = await app.Services.GetRequiredService<IOrderBucketQueries>().BucketsAsync(
            new OrderFilter(Username: "alice"), TimeSpan.FromMinutes(1), after: null, count: 10);

        // Assert
        var bucket = Assert.Single(buckets);
        Assert.Equal((5m, 3m), (bucket.FirstPrice, bucket.LastPrice));
    }
}
