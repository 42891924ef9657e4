using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.ReadSide;

/// <summary>
/// What <c>StatsOverTime</c> does with the store's answer, over a store that answers what the test says: where a page
/// ends, and the 503 and 500 it gives for a store that cannot be read or a total it cannot report
/// (<see cref="OrderStatsOverTimeTests"/> checks the figures on each engine).
/// </summary>
public sealed class StatsOverTimeTests
{
    private const string StatsOverTimePath = "/API/orders/stats";

    private static StatsBucket Bucket(int hour) =>
        new("BTC-USD", new DateTime(2026, 12, 6, hour, 0, 0, DateTimeKind.Utc), 1, 1m, 0m, 2m, 2m, 2m, 2m, 2m, 2m);

    private static StandaloneApplication App(Func<int, IReadOnlyList<StatsBucket>> answer) =>
        new(services: s => s.Replace(ServiceDescriptor.Singleton<IOrderBucketQueries>(new AnsweringBuckets(answer))));

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_gives_no_next_when_the_store_has_exactly_limit_buckets()
    {
        await using var app = App(count => [.. Enumerable.Range(0, Math.Min(count, 3)).Select(Bucket)]);

        var response = await app.GetAsync(StatsOverTimePath, "interval=1h&limit=3");

        Assert.Equal(200, response.Status);
        Assert.Equal(3, response.Json.GetProperty("buckets").GetArrayLength());
        Assert.Null(response.Json.TryGetProperty("next", out var next) ? next.GetString() : null);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_gives_the_last_buckets_cursor_as_next_when_the_store_has_more_than_limit()
    {
        await using var app = App(count => [.. Enumerable.Range(0, Math.Min(count, 4)).Select(Bucket)]);

        var response = await app.GetAsync(StatsOverTimePath, "interval=1h&limit=3");

        Assert.Equal(3, response.Json.GetProperty("buckets").GetArrayLength());
        Assert.True(OrderFunctions.Http.BucketCursor.TryDecode(response.Next!, out var next));
        Assert.Equal(new BucketKey("BTC-USD", Bucket(2).Start), next);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_answers_503_and_logs_a_warning_when_the_store_cannot_be_read()
    {
        await using var app = App(_ => throw new OrderStoreUnavailableException("the order store cannot be read now", TimeSpan.FromSeconds(2)));

        var response = await app.GetAsync(StatsOverTimePath, "interval=1h");

        Assert.Equal((503, "2"), (response.Status, response.Header("Retry-After")));
        Assert.Contains(app.Logs.Records, r => r.Level == LogLevel.Warning && r.Message == "Order statistics over time could not be computed");
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_answers_500_naming_the_cause_and_logs_a_warning_when_a_total_is_beyond_decimal()
    {
        await using var app = App(_ => throw new OverflowException("Value was either too large or too small for a Decimal."));

        var response = await app.GetAsync(StatsOverTimePath, "interval=1h");

        Assert.Equal(500, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal("Internal Server Error", response.Json.GetProperty("title").GetString());
        Assert.Equal("A total is beyond the range the service can report; narrow the filter.", response.Json.GetProperty("detail").GetString());
        Assert.Contains(app.Logs.Records, r => r.Level == LogLevel.Warning && r.Exception is OverflowException);
    }

    // The store's answer to a request for `count` buckets.
    private sealed class AnsweringBuckets(Func<int, IReadOnlyList<StatsBucket>> answer) : IOrderBucketQueries
    {
        public Task<IReadOnlyList<StatsBucket>> BucketsAsync(OrderFilter filter, TimeSpan width, BucketKey? after, int count,
            CancellationToken cancellationToken = default) => Task.FromResult(answer(count));
    }
}
