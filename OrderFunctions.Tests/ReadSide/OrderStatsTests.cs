using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;
using System.Globalization;
using System.Text.Json;
using OrderFunctions.Http;
using OrderFunctions.Orders;

namespace OrderFunctions.Tests.ReadSide;

/// <summary>Written once, run on every engine by its subclass.</summary>
public abstract class OrderStatsTests(StoreEngine engine) : IAsyncLifetime
{
    private static readonly DateTime Start = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
    private const decimal Max = 9_999_999_999.99999999m;
    private StandaloneApplication _store = null!;

    public async Task InitializeAsync() => _store = await StandaloneApplication.OnEmptyStoreAsync(engine);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    // Deterministic orders over 3 markets, 4 users and 3 days, with 8-decimal sizes and prices, plus chosen values.
    private async Task<StoredOrder[]> AddSampleAsync()
    {
        var random = new Random(42);
        string[] markets = ["BTC-USD", "ETH-USD", "SOL-USD"];
        string[] users = ["alice", "bob", "carol", "dave"];
        var orders = new List<Order>
        {
            new(Start.AddHours(1), "alice", "BTC-USD", "buy", 0.1m, 43000.12345678m),
            new(Start.AddHours(2), "bob", "BTC-USD", "sell", 0.00000001m, 0.00000001m),
            new(Start.AddHours(3), "carol", "ETH-USD", "buy", 12345.6789m, 43000.12345678m),
        };
        for (var i = 0; i < 300; i++)
        {
            orders.Add(new Order(
                Start.AddTicks(random.NextInt64(TimeSpan.FromDays(3).Ticks)),
                users[random.Next(users.Length)],
                markets[random.Next(markets.Length)],
                random.Next(2) == 0 ? "buy" : "sell",
                random.NextInt64(1, 100_000_000_000) / 100_000_000m,
                random.NextInt64(1, 10_000_000_000_000) / 100_000_000m));
        }
        return await _store.AddAsync([.. orders]);
    }

    [StoreTheory(Timeout = TestTimeouts.Server)]
    [InlineData("")]
    [InlineData("market=ETH-USD")]
    [InlineData("username=bob")]
    [InlineData("from=2026-11-02T00:00Z")]
    [InlineData("to=2026-11-02T00:00Z")]
    [InlineData("from=2026-11-02T00:00Z&to=2026-11-03T00:00Z")]
    [InlineData("market=BTC-USD&username=alice&from=2026-11-01T00:00Z&to=2026-11-02T12:00Z")]
    public async Task Run_matches_values_computed_from_the_inserted_orders_digit_for_digit(string query)
    {
        var stored = await AddSampleAsync();
        var filter = System.Web.HttpUtility.ParseQueryString(query);
        var matching = stored.Where(o =>
            (filter["market"] is not { } m || o.Market == m)
            && (filter["username"] is not { } u || o.Username == u)
            && (filter["from"] is not { } f || o.Timestamp >= DateTime.Parse(f, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal))
            && (filter["to"] is not { } t || o.Timestamp < DateTime.Parse(t, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal)));

        var response = await _store.StatsAsync(query);

        Assert.Equal(200, response.Status);
        AssertStats(matching, response.Json);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_no_markets_when_nothing_matches()
    {
        await AddSampleAsync();

        var response = await _store.StatsAsync("market=XRP-USD");

        Assert.Equal(200, response.Status);
        Assert.Empty(response.Json.GetProperty("markets").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, response.Json.GetProperty("next").ValueKind);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_at_most_100_markets_and_a_cursor_to_the_rest_when_no_limit_is_given()
    {
        // Arrange: 250 markets of one order each, inserted in a shuffled order.
        var names = Enumerable.Range(0, 250).Select(i => $"M{i:D3}").OrderBy(n => n.GetHashCode()).ToArray();
        await _store.AddAsync([.. names.Select((n, i) => new Order(Start.AddSeconds(i), "alice", n, "buy", 1m, 2m))]);

        // Act: follow next until it is null.
        var pages = new List<string[]>();
        var query = "";
        do
        {
            var response = await _store.StatsAsync(query);
            Assert.Equal(200, response.Status);
            pages.Add([.. response.Json.GetProperty("markets").EnumerateArray().Select(m => m.GetProperty("market").GetString()!)]);
            query = response.Next is { } next ? "after=" + next : "";
        }
        while (query.Length > 0 && pages.Count < 10);

        // Assert: pages of 100, 100 and 50, every market once, in ordinal order.
        Assert.Equal([100, 100, 50], pages.Select(p => p.Length));
        Assert.Equal(names.Order(StringComparer.Ordinal), pages.SelectMany(p => p));
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_pages_markets_by_limit_and_after_with_the_other_filters_applied()
    {
        var stored = await AddSampleAsync();

        var first = await _store.StatsAsync("username=bob&limit=2");
        var second = await _store.StatsAsync("username=bob&limit=2&after=" + first.Next);

        Assert.Equal(["BTC-USD", "ETH-USD"], first.Json.GetProperty("markets").EnumerateArray().Select(m => m.GetProperty("market").GetString()));
        Assert.Null(second.Next);
        AssertStats(stored.Where(o => o.Username == "bob" && o.Market == "SOL-USD"), second.Json);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_pages_on_when_a_page_ends_with_a_market_of_the_longest_length()
    {
        string[] markets = [new('A', OrderValidator.MaxMarketLength), new('B', OrderValidator.MaxMarketLength)];
        await _store.AddAsync([.. markets.Select(m => new Order(Start, "alice", m, "buy", 1m, 2m))]);

        var first = await _store.StatsAsync("limit=1");
        var second = await _store.StatsAsync("limit=1&after=" + first.Next);

        Assert.Equal(200, second.Status);
        Assert.Equal([markets[1]], second.Json.GetProperty("markets").EnumerateArray().Select(m => m.GetProperty("market").GetString()));
        Assert.Null(second.Next);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_sums_exactly_when_the_totals_pass_the_range_of_a_64_bit_integer()
    {
        // 20 sizes of 10^18 - 1 units pass long.MaxValue (SQLite's SUM would fail); size x price passes it at once.
        var orders = Enumerable.Range(0, 20)
            .Select(i => new Order(Start.AddMinutes(i), "alice", "BIG", i % 3 == 0 ? "sell" : "buy", Max, 0.00000001m + i))
            .Append(new Order(Start, "bob", "BIG", "buy", 12345.6789m, 43000.12345678m))
            .ToArray();
        var stored = await _store.AddAsync(orders);

        var response = await _store.StatsAsync("market=BIG");

        Assert.Equal(200, response.Status);
        AssertStats(stored, response.Json);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_rounds_the_notional_to_28_significant_digits_when_it_has_more()
    {
        // Arrange: 200 orders of the largest size at the largest price. Each notional is exactly
        // 99999999999999999800.0000000000000001 (36 digits); their sum overflows Int128 units and spills to BigInteger.
        await _store.AddAsync(Enumerable.Range(0, 200).Select(_ => new Order(Start, "alice", "MAX", "buy", Max, Max)).ToArray());

        // Act
        var response = await _store.StatsAsync("");

        // Assert: exact sum 19999999999999999960000.00000000000002, kept to the 29 digits decimal holds.
        var market = Assert.Single(response.Json.GetProperty("markets").EnumerateArray());
        Assert.Equal("19999999999999999960000", market.GetProperty("notional").GetRawText());
        Assert.Equal("1999999999999.999998", market.GetProperty("buyVolume").GetRawText());
        Assert.Equal("9999999999.99999999", market.GetProperty("vwap").GetRawText());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_rounds_vwap_half_away_from_zero_at_8_decimal_places()
    {
        // (1 x 0.00000001 + 1 x 0.00000002) / 2 = 0.000000015 exactly: the midpoint.
        await _store.AddAsync(
            new Order(Start, "alice", "MID", "buy", 1m, 0.00000001m),
            new Order(Start, "alice", "MID", "sell", 1m, 0.00000002m));

        var response = await _store.StatsAsync("market=MID");

        var market = Assert.Single(response.Json.GetProperty("markets").EnumerateArray());
        Assert.Equal("0.00000002", market.GetProperty("vwap").GetRawText());
    }

    [StoreTheory(Timeout = TestTimeouts.Server)]
    [InlineData("side=buy", "side")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("after=MQ", "after")] // a listing's cursor (id 1) is not a market cursor
    [InlineData("after=bTo", "after")] // "m:" with no market
    [InlineData("after=bTrDqQ", "after")] // "m:\u00e9" in UTF-8: bytes past ASCII
    [InlineData("after=bTpBfw", "after")] // "m:A" and DEL
    [InlineData("from=2026-11-02", "from")]
    [InlineData("from=0001-01-01T00:00:00%2B14:00", "from")]
    [InlineData("from=2026-11-02T00:00Z&to=2026-11-01T00:00Z", "to")]
    [InlineData("market=", "market")]
    [InlineData("username=" + "a123456789a123456789a123456789a123456789a123456789a123456789abcde", "username")]
    public async Task Run_returns_400_naming_the_parameter_when_it_is_bad(string query, string parameter)
    {
        var response = await _store.StatsAsync(query);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal([parameter], response.ErrorKeys);
    }

    // side is a listing's parameter only: the statistics do not read it, so a bad value gets one message, not two.
    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_answers_only_unknown_parameter_when_side_is_given()
    {
        var response = await _store.StatsAsync("side=hold");

        Assert.Equal(400, response.Status);
        Assert.Equal([$"is not a known parameter; known: {string.Join(", ", ReadQuery.StatsParameters)}"],
            response.Json.GetProperty("errors").GetProperty("side").EnumerateArray().Select(m => m.GetString()));
    }

    // The expectation, from the orders as inserted, with C# decimal: per market, ordered by market (ordinal).
    private static void AssertStats(IEnumerable<StoredOrder> orders, JsonElement body)
    {
        var expected = orders.GroupBy(o => o.Market).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var actual = body.GetProperty("markets").EnumerateArray().ToList();
        Assert.Equal(expected.Select(g => g.Key), actual.Select(m => m.GetProperty("market").GetString()));
        foreach (var (group, market) in expected.Zip(actual))
        {
            var buy = group.Where(o => o.Side == "buy").Sum(o => o.Size);
            var sell = group.Where(o => o.Side == "sell").Sum(o => o.Size);
            var notional = group.Sum(o => o.Size * o.Price);
            Assert.Equal(group.Count(), market.GetProperty("count").GetInt64());
            AssertDigits(buy, market, "buyVolume");
            AssertDigits(sell, market, "sellVolume");
            AssertDigits(notional, market, "notional");
            AssertDigits(Math.Round(notional / (buy + sell), 8, MidpointRounding.AwayFromZero), market, "vwap");
            AssertDigits(group.Min(o => o.Price), market, "minPrice");
            AssertDigits(group.Max(o => o.Price), market, "maxPrice");
            Assert.Equal(group.Min(o => o.Timestamp), market.GetProperty("firstTimestamp").GetDateTime().ToUniversalTime());
            Assert.Equal(group.Max(o => o.Timestamp), market.GetProperty("lastTimestamp").GetDateTime().ToUniversalTime());
        }
    }

    private static void AssertDigits(decimal expected, JsonElement market, string property)
    {
        var text = expected.ToString(CultureInfo.InvariantCulture);
        if (text.Contains('.')) text = text.TrimEnd('0').TrimEnd('.');
        Assert.Equal(text, market.GetProperty(property).GetRawText());
    }
}
