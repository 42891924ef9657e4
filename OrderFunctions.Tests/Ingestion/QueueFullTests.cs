using System.Text;
using OrderFunctions.Http;
using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Ingestion;

/// <summary>
/// What a client reads when the write queue holds its budget of orders (<c>OrderStorage:MaxQueuedOrders</c>): 503 with
/// Retry-After and a problem that says the queue is full, nothing of the request written, while the requests accepted
/// before it are stored: rows equal the orders answered 201 (issue 22, item 5).
/// </summary>
public sealed class QueueFullTests
{
    private static byte[] Batch(string prefix, int count) =>
        Encoding.UTF8.GetBytes($"[{string.Join(",", Enumerable.Range(0, count).Select(i => TestOrders.Json(clientOrderId: $"{prefix}-{i}")))}]");

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_batch_returns_503_with_Retry_After_and_writes_nothing_when_the_queued_orders_budget_is_full()
    {
        // Arrange: a budget of 4; 1 order held in the writer's commit and a batch of 3 queued behind it fill it.
        await using var api = new StandaloneApplication(new Dictionary<string, string?>
        {
            ["OrderStorage:MaxQueuedOrders"] = "4",
            ["Logging:LogLevel:OrderFunctions.CreateOrders"] = "Debug", // the stack of a store fault is logged at Debug only
        });
        using var hold = new WriterHold();
        var first = api.Repository.AddAsync(TestOrders.Order(clientOrderId: "first"));
        await hold.Held.WaitAsync(TimeSpan.FromSeconds(60));
        var accepted = api.PostAsync(Batch("accepted", 3), path: $"/{OrderRoutes.Prefix}/{OrderRoutes.Batch}");
        await WriterHold.WaitForQueuedAsync(api.Services, 1);

        // Act: answered while the writer is still held.
        var refused = await api.PostAsync(Batch("refused", 2), path: $"/{OrderRoutes.Prefix}/{OrderRoutes.Batch}");
        var refusedSingle = await api.PostAsync(TestOrders.Json(clientOrderId: "refused-single"));
        hold.Release();
        await first;
        var stored = await accepted;

        // Assert
        Assert.Equal(503, refused.Status);
        Assert.Equal("application/problem+json", refused.ContentType);
        Assert.Equal("1", refused.Header("Retry-After"));
        Assert.Equal(503, refused.Json.GetProperty("status").GetInt32());
        Assert.Equal("Service Unavailable", refused.Json.GetProperty("title").GetString());
        Assert.Equal("The order was not stored: the write queue is full (4 orders are waiting to be written, this request has 2, and " +
            "OrderStorage:MaxQueuedOrders is 4). Nothing was written; retry later.", refused.Json.GetProperty("detail").GetString());
        var logged = api.Logs.Records.Where(r => r.Category == "OrderFunctions.CreateOrders").ToArray();
        Assert.Contains(logged, r => r.Level == Microsoft.Extensions.Logging.LogLevel.Warning
            && r.Message.StartsWith("2 orders not stored: the write queue is full", StringComparison.Ordinal));
        Assert.Contains(logged, r => r.Level == Microsoft.Extensions.Logging.LogLevel.Debug
            && r.Exception is OrderFunctions.Storage.OrderStoreUnavailableException
            && r.Message.StartsWith("The failure logged above, with its stack: OrderStoreUnavailableException: the write queue is full",
                StringComparison.Ordinal));
        Assert.Equal(503, refusedSingle.Status);
        Assert.Equal("1", refusedSingle.Header("Retry-After"));
        Assert.Equal(201, stored.Status);
        Assert.Equal(3, stored.Json.GetArrayLength());
        var rows = api.Store.ClientOrderIdCounts();
        Assert.Equal(["accepted-0", "accepted-1", "accepted-2", "first"], rows.Keys.Order().ToArray());
        Assert.Equal(1 + stored.Json.GetArrayLength(), api.CountRows()); // the held order and the 201's orders, nothing of the 503s
    }
}
