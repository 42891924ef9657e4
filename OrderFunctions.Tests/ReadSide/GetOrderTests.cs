using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;
using OrderFunctions.Orders;

namespace OrderFunctions.Tests.ReadSide;

/// <summary>Written once, run on every engine by its subclass.</summary>
public abstract class GetOrderTests(StoreEngine engine) : IAsyncLifetime
{
    private StandaloneApplication _store = null!;

    public async Task InitializeAsync() => _store = await StandaloneApplication.OnEmptyStoreAsync(engine);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_the_stored_order_in_the_201_shape()
    {
        var stored = await _store.AddAsync(
            new Order(new DateTime(2026, 11, 27, 10, 15, 30, DateTimeKind.Utc).AddTicks(1234560), "alice", "BTC-USD", "buy", 0.1m,
                43000.12345678m, "x"));

        var response = await _store.GetOrderAsync(stored[0].Id);

        Assert.Equal(200, response.Status);
        Assert.StartsWith("application/json", response.ContentType);
        Assert.Equal(
            $$"""{"id":{{stored[0].Id}},"timestamp":"2026-11-27T10:15:30.123456Z","username":"alice","market":"BTC-USD","side":"buy","size":0.1,"price":43000.12345678,"clientOrderId":"x"}""",
            response.Body);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_omits_clientOrderId_when_the_order_has_none()
    {
        var stored = await _store.AddAsync(new Order(DateTime.UnixEpoch, "bob", "ETH-USD", "sell", 2m, 3000m));

        var response = await _store.GetOrderAsync(stored[0].Id);

        Assert.Equal(200, response.Status);
        Assert.False(response.Json.TryGetProperty("clientOrderId", out _));
        Assert.Equal("sell", response.Json.GetProperty("side").GetString());
    }

    [StoreTheory(Timeout = TestTimeouts.Server)]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(long.MaxValue)]
    public async Task Run_returns_404_problem_when_no_order_has_the_id(long id)
    {
        var response = await _store.GetOrderAsync(id);

        Assert.Equal(404, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal(404, response.Json.GetProperty("status").GetInt32());
        Assert.Contains(id.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Json.GetProperty("detail").GetString());
    }
}
