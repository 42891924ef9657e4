using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OrderFunctions.Http;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.Ingestion;

/// <summary>
/// <c>If-Order-Stored</c> across two instances on one PostgreSQL database, as a scaled-out app: the request that waits
/// on one instance for an order posted to the other is stored after it.
/// </summary>
[RequiresPostgres]
public sealed class IfOrderStoredAcrossInstancesTests : IAsyncLifetime
{
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.CreateAsync(StoreEngine.Postgres);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Post_on_one_instance_is_stored_after_the_order_it_names_when_that_order_lands_through_another()
    {
        // Arrange: a wait far longer than the test needs, so only a missing feature ends it early.
        var settings = new Dictionary<string, string?> { ["OrderStorage:PrecedingOrderWait"] = "00:01:00" };
        await using var first = StandaloneApplication.ForStore(_store, settings);
        await using var second = StandaloneApplication.ForStore(_store, settings, WatchedOrderQueries.Install);
        var watched = second.Services.GetRequiredService<WatchedOrderQueries>();
        _ = first.Server;

        // Act: the dependent batch on the second instance; the predecessor on the first once the second looked for it.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/" + OrderRoutes.Prefix + "/" + OrderRoutes.Batch)
        {
            Content = new StringContent($"[{TestOrders.Json(clientOrderId: "d-1")},{TestOrders.Json(clientOrderId: "d-2")}]",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(OrderHeaders.IfOrderStored, PrecedingOrder.Format("alice", "p-1"));
        var dependent = second.Client.SendAsync(request);
        await Task.WhenAny(watched.Missed, dependent).WaitAsync(TimeSpan.FromMilliseconds(TestTimeouts.Server));
        var predecessor = await first.PostAsync(TestOrders.Json(clientOrderId: "p-1"));
        using var response = await dependent;
        var stored = await ApiResponse.ReadAsync(response);

        // Assert
        Assert.True(watched.Missed.IsCompleted, "the dependent request never looked for the order it names");
        Assert.Equal((201, 201), (predecessor.Status, stored.Status));
        var predecessorId = predecessor.Json.GetProperty("id").GetInt64();
        Assert.All(stored.Json.EnumerateArray(), o => Assert.True(o.GetProperty("id").GetInt64() > predecessorId));
        Assert.Equal(3, await _store.CountRowsAsync());
    }
}
