using System.Text.Json.Nodes;
using OrderFunctions.Orders;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.ReadSide;

/// <summary>The same orders written to both engines read back as the same bytes: get, listing pages and statistics.</summary>
[RequiresPostgres]
public sealed class EngineParityTests : IAsyncLifetime
{
    private StandaloneApplication _sqlite = null!;
    private StandaloneApplication _postgres = null!;

    public async Task InitializeAsync()
    {
        _sqlite = await StandaloneApplication.OnEmptyStoreAsync(StoreEngine.Sqlite);
        _postgres = await StandaloneApplication.OnEmptyStoreAsync(StoreEngine.Postgres);
    }

    public async Task DisposeAsync()
    {
        await _sqlite.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Reads_answer_byte_for_byte_the_same_json_on_both_engines()
    {
        // Arrange: edge values (extreme sizes and prices, 7 fraction digits, the first instant), many markets and users.
        var start = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        var random = new Random(7);
        var orders = new List<Order>
        {
            new(DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc), "alice", "BTC-USD", "buy", 0.00000001m, 9_999_999_999.99999999m, "edge-1"),
            new(start.AddTicks(1234567), "bob", "BTC-USD", "sell", 9_999_999_999.99999999m, 9_999_999_999.99999999m),
            new(start.AddDays(1), "carol", "eth-usd", "buy", 1.5m, 0.3m),
        };
        for (var i = 0; i < 300; i++)
        {
            orders.Add(new Order(start.AddSeconds(random.Next(0, 86_400 * 3)).AddTicks(random.Next(0, 10_000_000)),
                $"user{random.Next(0, 7)}", $"M{random.Next(0, 5)}-USD", random.Next(2) == 0 ? "buy" : "sell",
                random.Next(1, 100_000_000) / 1e8m * random.Next(1, 1000), random.Next(1, 1_000_000_000) / 1e4m,
                i % 3 == 0 ? $"c-{i}" : null));
        }
        await _sqlite.AddAsync([.. orders]);
        await _postgres.AddAsync([.. orders]);
        string[] filters =
        [
            "", "market=BTC-USD", "username=user3", "from=2026-11-02T00:00:00Z&to=2026-11-03T12:00:00.5Z", "market=eth-usd",
        ];

        foreach (var filter in filters)
        {
            // Act
            var sqlitePage = await _sqlite.ListAsync(filter + "&limit=1000");
            var postgresPage = await _postgres.ListAsync(filter + "&limit=1000");
            var sqliteStats = await _sqlite.StatsAsync(filter);
            var postgresStats = await _postgres.StatsAsync(filter);

            // Assert
            Assert.Equal(200, sqlitePage.Status);
            Assert.Equal(sqlitePage.Body, postgresPage.Body);
            Assert.NotEmpty(sqlitePage.ItemIds);
            Assert.Equal(200, sqliteStats.Status);
            Assert.Equal(sqliteStats.Body, postgresStats.Body);
        }
        var sqliteNext = await _sqlite.ListAsync("limit=7");
        Assert.Equal((await _sqlite.ListAsync($"limit=7&after={sqliteNext.Next}")).Body,
            (await _postgres.ListAsync($"limit=7&after={sqliteNext.Next}")).Body);
        foreach (var id in new[] { 1L, 2L, 150L, 303L, 999L })
        {
            var sqliteOrder = await _sqlite.GetOrderAsync(id);
            var postgresOrder = await _postgres.GetOrderAsync(id);
            Assert.Equal(sqliteOrder.Status, postgresOrder.Status);
            Assert.Equal(WithoutTraceId(sqliteOrder), WithoutTraceId(postgresOrder));
        }
    }

    // A problem names the request it answers (traceId), which differs between the two apps by design.
    private static string WithoutTraceId(ApiResponse response)
    {
        if (response.Status == 200) return response.Body;
        var problem = JsonNode.Parse(response.Body)!.AsObject();
        problem.Remove("traceId");
        return problem.ToJsonString();
    }
}
