using System.Globalization;
using System.Text.Json;
using OrderFunctions.Orders;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.ReadSide;

/// <summary>
/// <c>GET /API/orders/stats?interval=</c>, written once and run on every engine by its subclass: every field of every
/// bucket checked digit for digit against C# decimal arithmetic over the inserted orders.
/// </summary>
public abstract class OrderStatsOverTimeTests(StoreEngine engine) : IAsyncLifetime
{
    private static readonly DateTime Start = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
    private StandaloneApplication _store = null!;

    public async Task InitializeAsync() => _store = await StandaloneApplication.OnEmptyStoreAsync(engine);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    // Deterministic orders over 3 markets, 3 users and 2 days, with 8-decimal sizes and prices, some on bucket edges.
    private async Task<StoredOrder[]> AddSampleAsync()
    {
        var random = new Random(21);
        string[] markets = ["BTC-USD", "ETH-USD", "SOL-USD"];
        string[] users = ["alice", "bob", "carol"];
        var orders = new List<Order>
        {
            new(Start, "alice", "BTC-USD", "buy", 0.1m, 43000.12345678m),
            new(Start.AddMinutes(5).AddTicks(-1), "bob", "BTC-USD", "sell", 0.00000001m, 0.00000001m),
            new(Start.AddMinutes(5), "carol", "BTC-USD", "buy", 12345.6789m, 43000.12345678m),
            new(Start.AddDays(1).AddTicks(-1), "alice", "ETH-USD", "sell", 1m, 9_999_999_999.99999999m),
        };
        for (var i = 0; i < 400; i++)
        {
            orders.Add(new Order(
                Start.AddTicks(random.NextInt64(TimeSpan.FromDays(2).Ticks)),
                users[random.Next(users.Length)],
                markets[random.Next(markets.Length)],
                random.Next(2) == 0 ? "buy" : "sell",
                random.NextInt64(1, 100_000_000_000) / 100_000_000m,
                random.NextInt64(1, 10_000_000_000_000) / 100_000_000m));
        }
        return await _store.AddAsync([.. orders]);
    }

    [StoreTheory(Timeout = TestTimeouts.Server)]
    [InlineData("interval=1m")]
    [InlineData("interval=5m")]
    [InlineData("interval=1h")]
    [InlineData("interval=1d")]
    [InlineData("interval=5m&market=BTC-USD")]
    [InlineData("interval=1h&username=bob&side=sell")]
    [InlineData("interval=1m&from=2026-11-01T00:04Z&to=2026-11-01T12:00Z")]
    public async Task Run_matches_buckets_computed_from_the_inserted_orders_digit_for_digit(string query)
    {
        var stored = await AddSampleAsync();
        var (matching, width) = Matching(stored, query);

        var buckets = await AllBucketsAsync(query + "&limit=10000");

        AssertBuckets(matching, width, buckets);
    }

    [StoreTheory(Timeout = TestTimeouts.Server)]
    [InlineData("interval=1h", 7)]
    [InlineData("interval=5m&market=BTC-USD", 9)] // the cursor's clause joins the filter's
    [InlineData("interval=1m&username=bob&side=sell", 4)]
    public async Task Run_pages_buckets_by_limit_and_after_returning_each_once_in_order(string query, int limit)
    {
        var stored = await AddSampleAsync();
        var (matching, width) = Matching(stored, query);

        var pages = new List<JsonElement[]>();
        var page = $"{query}&limit={limit}";
        while (true)
        {
            var response = await _store.StatsAsync(page);
            Assert.Equal(200, response.Status);
            Assert.Equal(System.Web.HttpUtility.ParseQueryString(query)["interval"], response.Json.GetProperty("interval").GetString());
            pages.Add([.. response.Json.GetProperty("buckets").EnumerateArray()]);
            if (response.Next is not { } next || pages.Count > 1000) break;
            page = $"{query}&limit={limit}&after={next}";
        }

        Assert.True(pages.Count > 2, $"{pages.Count} pages: the sample should fill several");
        Assert.All(pages.SkipLast(1), p => Assert.Equal(limit, p.Length));
        AssertBuckets(matching, width, [.. pages.SelectMany(p => p)]);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_takes_first_and_last_price_by_timestamp_then_id_when_orders_share_a_timestamp()
    {
        var at = Start.AddMinutes(30);
        await _store.AddAsync(
            new Order(at.AddSeconds(10), "alice", "TIE", "buy", 1m, 3m),
            new Order(at, "alice", "TIE", "buy", 1m, 5m),
            new Order(at, "alice", "TIE", "buy", 1m, 7m),
            new Order(at.AddSeconds(10), "alice", "TIE", "sell", 1m, 11m));

        var bucket = Assert.Single(await AllBucketsAsync("interval=1m&market=TIE"));

        Assert.Equal("5", bucket.GetProperty("firstPrice").GetRawText());
        Assert.Equal("11", bucket.GetProperty("lastPrice").GetRawText());
        Assert.Equal("3", bucket.GetProperty("minPrice").GetRawText());
        Assert.Equal(at, StartOf(bucket));
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_leaves_empty_buckets_out()
    {
        await _store.AddAsync(
            new Order(Start.AddMinutes(1), "alice", "GAP", "buy", 1m, 2m),
            new Order(Start.AddMinutes(59), "alice", "GAP", "buy", 1m, 2m));

        var buckets = await AllBucketsAsync("interval=1m&market=GAP");

        Assert.Equal([Start.AddMinutes(1), Start.AddMinutes(59)], buckets.Select(StartOf));
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_no_buckets_when_nothing_matches()
    {
        var response = await _store.StatsAsync("interval=1d&market=NONE");

        Assert.Equal(200, response.Status);
        Assert.Empty(response.Json.GetProperty("buckets").EnumerateArray());
        Assert.Null(response.Next);
    }

    [StoreTheory(Timeout = TestTimeouts.Server)]
    [InlineData("interval=2m", "interval")]
    [InlineData("interval=1M", "interval")]
    [InlineData("interval=", "interval")]
    [InlineData("interval=1m&interval=5m", "interval")]
    [InlineData("interval=1m&limit=0", "limit")]
    [InlineData("interval=1m&limit=10001", "limit")]
    [InlineData("interval=1m&after=bTpCVEMtVVNE", "after")] // a market cursor (m:BTC-USD) is not a bucket cursor
    [InlineData("interval=1m&after=MQ", "after")] // nor is an order cursor
    [InlineData("interval=1m&side=hold", "side")]
    [InlineData("interval=1m&colour=red", "colour")]
    [InlineData("interval=1m&from=2026-11-02T00:00Z&to=2026-11-01T00:00Z", "to")]
    public async Task Run_returns_400_naming_the_parameter_when_it_is_bad(string query, string parameter)
    {
        var response = await _store.StatsAsync(query);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal([parameter], response.ErrorKeys);
    }

    private async Task<JsonElement[]> AllBucketsAsync(string query)
    {
        var response = await _store.StatsAsync(query);
        Assert.Equal(200, response.Status);
        Assert.Null(response.Next);
        return [.. response.Json.GetProperty("buckets").EnumerateArray()];
    }

    private static DateTime Parse(string text) => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

    // The orders a query's filters select, and its interval's width.
    private static (IEnumerable<StoredOrder> Matching, TimeSpan Width) Matching(IEnumerable<StoredOrder> stored, string query)
    {
        var filter = System.Web.HttpUtility.ParseQueryString(query);
        Assert.True(StatsInterval.TryParse(filter["interval"], out var width));
        return (stored.Where(o =>
            (filter["market"] is not { } m || o.Market == m)
            && (filter["username"] is not { } u || o.Username == u)
            && (filter["side"] is not { } s || o.Side == s)
            && (filter["from"] is not { } f || o.Timestamp >= Parse(f))
            && (filter["to"] is not { } t || o.Timestamp < Parse(t))), width);
    }

    // A bucket's start, which must say it is UTC: a client in another zone would otherwise read local time.
    private static DateTime StartOf(JsonElement bucket)
    {
        var text = bucket.GetProperty("start").GetString()!;
        Assert.EndsWith("Z", text);
        return Parse(text);
    }

    // The expectation with C# decimal: per market (ordinal) and bucket (UTC, width-aligned), empty ones absent.
    private static void AssertBuckets(IEnumerable<StoredOrder> orders, TimeSpan width, JsonElement[] actual)
    {
        var expected = orders
            .GroupBy(o => (o.Market, Start: StatsInterval.BucketStart(o.Timestamp, width)))
            .OrderBy(g => g.Key.Market, StringComparer.Ordinal).ThenBy(g => g.Key.Start)
            .ToList();
        Assert.Equal(expected.Select(g => (g.Key.Market, g.Key.Start)),
            actual.Select(b => (b.GetProperty("market").GetString()!, StartOf(b))));
        foreach (var (group, bucket) in expected.Zip(actual))
        {
            var buy = group.Where(o => o.Side == "buy").Sum(o => o.Size);
            var sell = group.Where(o => o.Side == "sell").Sum(o => o.Size);
            var notional = group.Sum(o => o.Size * o.Price);
            var byTime = group.OrderBy(o => o.Timestamp).ThenBy(o => o.Id).ToList();
            Assert.Equal(group.Count(), bucket.GetProperty("count").GetInt64());
            AssertDigits(buy, bucket, "buyVolume");
            AssertDigits(sell, bucket, "sellVolume");
            AssertDigits(notional, bucket, "notional");
            AssertDigits(Math.Round(notional / (buy + sell), 8, MidpointRounding.AwayFromZero), bucket, "vwap");
            AssertDigits(byTime[0].Price, bucket, "firstPrice");
            AssertDigits(byTime[^1].Price, bucket, "lastPrice");
            AssertDigits(group.Min(o => o.Price), bucket, "minPrice");
            AssertDigits(group.Max(o => o.Price), bucket, "maxPrice");
        }
    }

    private static void AssertDigits(decimal expected, JsonElement bucket, string property)
    {
        var text = expected.ToString(CultureInfo.InvariantCulture);
        if (text.Contains('.')) text = text.TrimEnd('0').TrimEnd('.');
        Assert.Equal(text, bucket.GetProperty(property).GetRawText());
    }
}

/// <summary><see cref="OrderStatsOverTimeTests"/> on a SQLite file.</summary>
public sealed class SqliteOrderStatsOverTimeTests() : OrderStatsOverTimeTests(StoreEngine.Sqlite);

/// <summary><see cref="OrderStatsOverTimeTests"/> on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class PostgresOrderStatsOverTimeTests() : OrderStatsOverTimeTests(StoreEngine.Postgres);
