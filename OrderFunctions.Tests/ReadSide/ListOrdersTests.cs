using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;
using OrderFunctions.Http;
using OrderFunctions.Access;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace OrderFunctions.Tests.ReadSide;

/// <summary>Written once, run on every engine by its subclass.</summary>
public abstract class ListOrdersTests(StoreEngine engine) : IAsyncLifetime
{
    private static readonly DateTime Day = new(2026, 11, 27, 0, 0, 0, DateTimeKind.Utc);
    private StandaloneApplication _store = null!;

    public async Task InitializeAsync() => _store = await StandaloneApplication.OnEmptyStoreAsync(engine);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    // 24 orders: 3 users x 2 markets x 2 sides x 2 hours, in an order that does not follow time.
    private async Task<StoredOrder[]> AddSampleAsync()
    {
        var orders =
            from hour in new[] { 5, 1 }
            from user in new[] { "alice", "bob", "carol" }
            from market in new[] { "BTC-USD", "ETH-USD" }
            from side in new[] { "buy", "sell" }
            select new Order(Day.AddHours(hour), user, market, side, 1m, 100m);
        return await _store.AddAsync([.. orders]);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_every_order_in_id_order_when_no_filter_is_given()
    {
        var stored = await AddSampleAsync();

        var response = await _store.ListAsync("");

        Assert.Equal(200, response.Status);
        Assert.StartsWith("application/json", response.ContentType);
        Assert.Equal(stored.Select(o => o.Id), response.ItemIds);
        Assert.Null(response.Next);
    }

    [StoreTheory(Timeout = TestTimeouts.Server)]
    [InlineData("username=bob")]
    [InlineData("market=ETH-USD")]
    [InlineData("side=sell")]
    [InlineData("side=BUY")]
    [InlineData("from=2026-11-27T05:00:00Z")]
    [InlineData("to=2026-11-27T05:00:00Z")]
    [InlineData("from=2026-11-27T06:00:00%2B01:00")]
    [InlineData("username=carol&market=BTC-USD")]
    [InlineData("username=alice&market=ETH-USD&side=Sell&from=2026-11-27T01:00Z&to=2026-11-27T01:00:00.0000001Z")]
    [InlineData("market=BTC-USD&from=2026-11-27T00:00Z&to=2026-11-28T00:00Z")]
    [InlineData("username=dave")]
    [InlineData("from=2026-11-27T05:00Z&to=2026-11-27T05:00Z")]
    public async Task Run_returns_exactly_the_matching_orders_when_filters_are_given(string query)
    {
        var stored = await AddSampleAsync();
        var filter = System.Web.HttpUtility.ParseQueryString(query);

        var response = await _store.ListAsync(query);

        // The expectation is computed here, from the orders as stored; from is inclusive, to exclusive.
        var expected = stored.Where(o =>
            (filter["username"] is not { } u || o.Username == u)
            && (filter["market"] is not { } m || o.Market == m)
            && (filter["side"] is not { } s || o.Side == s.ToLowerInvariant())
            && (filter["from"] is not { } f || o.Timestamp >= DateTimeOffset.Parse(f, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime)
            && (filter["to"] is not { } t || o.Timestamp < DateTimeOffset.Parse(t, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime));
        Assert.Equal(200, response.Status);
        Assert.Equal(expected.Select(o => o.Id), response.ItemIds);
        Assert.Null(response.Next);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task ListAsync_returns_only_the_usernames_of_the_scope_exact_or_by_prefix_with_or_without_other_filters()
    {
        // Arrange: alice, bob and carol's sample, and users a prefix may or may not cover: "c_" is a prefix of c_x only
        // (not a wildcard), and names compare with case.
        await AddSampleAsync();
        var more = await _store.AddAsync([.. new[] { "carl", "c_x", "cxx", "Alice" }.Select(u => new Order(Day, u, "BTC-USD", "buy", 1m, 100m))]);
        var queries = _store.Services.GetRequiredService<IOrderQueries>();
        var scope = new UsernameScope(["alice", "car*", "c_*"]);

        // Act
        var scoped = await queries.ListAsync(new OrderFilter(Scope: scope), 0, 1000);
        var scopedInMarket = await queries.ListAsync(new OrderFilter(Market: "ETH-USD", Scope: scope), 0, 1000);
        var scopedThenTimed = await queries.ListAsync(new OrderFilter(Scope: new UsernameScope(["bob"]), From: Day.AddHours(5)), 0, 1000);
        var prefixesOnly = await queries.ListAsync(new OrderFilter(Scope: new UsernameScope(["c_*", "cx*"])), 0, 1000);

        // Assert
        Assert.Equal(["alice", "c_x", "carl", "carol"], scoped.Select(o => o.Username).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(8 + 8 + 2, scoped.Count);
        Assert.All(scopedInMarket, o => Assert.Equal("ETH-USD", o.Market));
        Assert.Equal(["alice", "carol"], scopedInMarket.Select(o => o.Username).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(4, scopedThenTimed.Count);
        Assert.All(scopedThenTimed, o => Assert.Equal(("bob", Day.AddHours(5)), (o.Username, o.Timestamp)));
        Assert.Equal([more[1].Id, more[2].Id], prefixesOnly.Select(o => o.Id));
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_an_empty_last_page_when_the_store_is_empty()
    {
        var response = await _store.ListAsync("market=BTC-USD");

        Assert.Equal(200, response.Status);
        Assert.Equal("""{"items":[],"next":null}""", response.Body);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_100_orders_and_a_cursor_when_no_limit_is_given()
    {
        var stored = await _store.AddAsync(Enumerable.Range(0, 101).Select(i => new Order(Day, "alice", "BTC-USD", "buy", 1m, 1m)).ToArray());

        var response = await _store.ListAsync("");

        Assert.Equal(stored.Take(100).Select(o => o.Id), response.ItemIds);
        Assert.Equal(PageCursor.Encode(stored[99].Id), response.Next);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_null_next_when_the_last_page_is_exactly_full()
    {
        await _store.AddAsync(Enumerable.Range(0, 4).Select(i => new Order(Day, "alice", "BTC-USD", "buy", 1m, 1m)).ToArray());

        var first = await _store.ListAsync("limit=2");
        var second = await _store.ListAsync($"limit=2&after={first.Next}");

        Assert.NotNull(first.Next);
        Assert.Equal(2, second.ItemIds.Length);
        Assert.Null(second.Next);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_one_order_per_page_when_limit_is_1()
    {
        var stored = await _store.AddAsync(Enumerable.Range(0, 3).Select(i => new Order(Day, "alice", "BTC-USD", "buy", 1m, 1m)).ToArray());

        var first = await _store.ListAsync("limit=1");
        var second = await _store.ListAsync($"limit=1&after={first.Next}");
        var third = await _store.ListAsync($"limit=1&after={second.Next}");

        Assert.Equal([stored[0].Id], first.ItemIds);
        Assert.Equal(PageCursor.Encode(stored[0].Id), first.Next);
        Assert.Equal([stored[1].Id], second.ItemIds);
        Assert.Equal([stored[2].Id], third.ItemIds);
        Assert.Null(third.Next);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_up_to_1000_orders_when_limit_is_the_maximum()
    {
        var stored = await _store.AddAsync(
            Enumerable.Range(0, ReadQuery.MaxLimit + 1).Select(i => new Order(Day, "alice", "BTC-USD", "buy", 1m, 1m)).ToArray());

        var response = await _store.ListAsync("limit=1000");

        Assert.Equal(stored.Take(ReadQuery.MaxLimit).Select(o => o.Id), response.ItemIds);
        Assert.Equal(PageCursor.Encode(stored[ReadQuery.MaxLimit - 1].Id), response.Next);
    }

    public static TheoryData<string, string, string> ParameterMessages() => new()
    {
        { "limit=0", "limit", "must be a whole number from 1 to 1000" },
        { "limit=1001", "limit", "must be a whole number from 1 to 1000" },
        { "limit=%2B5", "limit", "must be a whole number from 1 to 1000" },
        { "side=hold", "side", OrderValidator.SideMessage },
        { "after=MA", "after", "must be a cursor returned as next by this API" },
        { "from=yesterday", "from", OrderValidator.TimestampMessage + " (in a URL, write + as %2B)" },
        { "to=yesterday", "to", OrderValidator.TimestampMessage + " (in a URL, write + as %2B)" },
        { "from=2026-11-28T00:00Z&to=2026-11-27T23:59:59.9999999Z", "to", "must not be earlier than from (from is inclusive, to exclusive)" },
        { "market=", "market", "must not be empty; leave the parameter out to match any value" },
        { "username=", "username", "must not be empty; leave the parameter out to match any value" },
        { "side=buy&side=sell", "side", "must be given at most once" },
        { "username=" + new string('u', 65), "username", "must be at most 64 characters" },
        { "market=" + new string('M', 33), "market", "must be at most 32 characters" },
        { "storedBy=" + new string('s', 65), "storedBy", "must be at most 64 characters" },
        { "colour=red", "colour", "is not a known parameter; known: username, market, side, from, to, storedBy, limit, after" },
    };

    [StoreTheory(Timeout = TestTimeouts.Server)]
    [MemberData(nameof(ParameterMessages))]
    public async Task Run_returns_400_with_the_exact_message_when_a_parameter_is_bad(string query, string parameter, string message)
    {
        var response = await _store.ListAsync(query);

        Assert.Equal(400, response.Status);
        Assert.Equal([parameter], response.ErrorKeys);
        Assert.Equal([message], response.Json.GetProperty("errors").GetProperty(parameter).EnumerateArray().Select(m => m.GetString()));
    }

    [StoreTheory(Timeout = TestTimeouts.Server)]
    [InlineData("username=" + "u123456789u123456789u123456789u123456789u123456789u123456789uuuu")] // 64
    [InlineData("market=M123456789M123456789M123456789MM")] // 32
    [InlineData("storedBy=" + "s123456789s123456789s123456789s123456789s123456789s123456789ssss")] // 64
    [InlineData("from=2026-11-27T05:00Z&to=2026-11-27T05:00Z")]
    [InlineData("CODE=secret&Limit=5")]
    public async Task Run_returns_200_when_parameters_are_at_their_limits(string query)
    {
        var response = await _store.ListAsync(query);

        Assert.Equal(200, response.Status);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_neither_repeats_nor_skips_an_order_when_orders_are_inserted_between_pages()
    {
        // Arrange: 50 matching orders and 50 others, interleaved, timestamps running backwards.
        var before = await _store.AddAsync(Enumerable.Range(0, 100)
            .Select(i => new Order(Day.AddMinutes(-i), i % 2 == 0 ? "alice" : "bob", "BTC-USD", "buy", i + 1, 1m)).ToArray());
        var matching = before.Where(o => o.Username == "alice").Select(o => o.Id).ToList();

        // Act: page by 7; after each page insert a matching order (with an earlier timestamp) and another one.
        var seen = new List<long>();
        string? next = null;
        do
        {
            var response = await _store.ListAsync("username=alice&limit=7" + (next is null ? "" : $"&after={next}"));
            Assert.Equal(200, response.Status);
            seen.AddRange(response.ItemIds);
            next = response.Next;
            if (next is not null)
            {
                var added = await _store.AddAsync(
                    new Order(Day.AddDays(-1), "alice", "BTC-USD", "sell", 1m, 1m),
                    new Order(Day.AddDays(1), "bob", "BTC-USD", "sell", 1m, 1m));
                matching.Add(added[0].Id);
            }
        } while (next is not null);

        // Assert: every matching order exactly once, in id order: those there before the first page and those
        // inserted while paging (their ids are above every cursor handed out so far).
        Assert.Equal(matching, seen);
    }

    [StoreTheory(Timeout = TestTimeouts.Server)]
    [InlineData("side=hold", "side")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=1.5", "limit")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-13-01T00:00Z", "to")]
    [InlineData("from=0001-01-01T00:00:00%2B00:01", "from")] // before the first instant
    [InlineData("to=9999-12-31T23:59:59.9999999-00:01", "to")] // after the last
    [InlineData("from=2026-11-28T00:00Z&to=2026-11-27T00:00Z", "to")]
    [InlineData("after=not-a-cursor", "after")]
    [InlineData("after=MA", "after")]
    [InlineData("after=MDE", "after")]
    [InlineData("market=", "market")]
    [InlineData("username=a&username=b", "username")]
    [InlineData("colour=red", "colour")]
    [InlineData("price=1", "price")]
    public async Task Run_returns_400_naming_the_parameter_when_it_is_bad(string query, string parameter)
    {
        await AddSampleAsync();

        var response = await _store.ListAsync(query);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal([parameter], response.ErrorKeys);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_names_every_bad_parameter_when_several_are_bad()
    {
        var response = await _store.ListAsync("side=x&limit=0&from=no&to=no&after=%25&extra=1");

        Assert.Equal(400, response.Status);
        Assert.Equal(["after", "extra", "from", "limit", "side", "to"], response.ErrorKeys.Order());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_ignores_the_function_key_when_it_is_given_as_code()
    {
        var stored = await AddSampleAsync();

        var response = await _store.ListAsync("code=secret&limit=1000");

        Assert.Equal(200, response.Status);
        Assert.Equal(stored.Length, response.ItemIds.Length);
    }
}
