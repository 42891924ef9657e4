using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OrderFunctions.Http;
using OrderFunctions.Telemetry;
using OrderFunctions.Tests.Ingestion;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
using OrderFunctions.Tests.Support;
using TestOrders = OrderFunctions.Tests.Support.TestOrders;

namespace OrderFunctions.Tests.Telemetry;

/// <summary>
/// The "OrderFunctions" meter read with a MeterListener (<see cref="MetricCollector{T}"/>) after real requests to the
/// standalone host in process: each collector listens to this host's own meter only (its IMeterFactory).
/// </summary>
public sealed class OrderMetricsTests
{
    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_counts_orders_stored_replayed_and_requests_rejected_by_reason()
    {
        // Arrange
        await using var app = new StandaloneApplication();
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        using var stored = new MetricCollector<long>(meters, OrderTelemetry.Name, OrderMetrics.Stored);
        using var replayed = new MetricCollector<long>(meters, OrderTelemetry.Name, OrderMetrics.Replayed);
        using var rejected = new MetricCollector<long>(meters, OrderTelemetry.Name, OrderMetrics.Rejected);
        using var client = app.CreateClient();

        // Act
        var statuses = new List<HttpStatusCode>
        {
            await PostAsync(client, TestOrders.Json(clientOrderId: "one")),                                  // 201: 1 stored
            await PostAsync(client, TestOrders.Json(clientOrderId: "one")),                                  // 200: 1 replayed
            await PostAsync(client, TestOrders.Json(clientOrderId: "one", price: "1")),                      // 409
            await PostAsync(client, TestOrders.Json(price: "-1")),                                           // 400
            await PostAsync(client, "price=1", "text/plain"),                                                // 415
            await PostAsync(client, new string(' ', RequestBody.SingleOrderLimit + 1) + TestOrders.Json()), // 413
            // 201: 2 stored, 1 replayed
            await PostAsync(client,
                $"[{TestOrders.Json(clientOrderId: "one")},{TestOrders.Json(clientOrderId: "two")},{TestOrders.Json()}]"),
        };

        // Assert
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Conflict, HttpStatusCode.BadRequest,
            HttpStatusCode.UnsupportedMediaType, HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.Created], statuses);
        Assert.Equal(3, stored.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(2, replayed.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(
            new Dictionary<string, long> { ["conflict"] = 1, ["validation"] = 2, ["too_large"] = 1 },
            ByReason(rejected));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_counts_unavailable_rejections_and_the_write_queue_shows_waiting_requests_while_the_database_is_locked()
    {
        // Arrange: the writer takes one order per transaction and waits 1 s for a lock another connection holds, so
        // the requests behind the first wait in the queue.
        await using var app = new StandaloneApplication(new Dictionary<string, string?>
        {
            ["OrderStorage:BusyTimeoutSeconds"] = "1",
            ["OrderStorage:MaxOrdersPerTransaction"] = "1",
        });
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        using var rejected = new MetricCollector<long>(meters, OrderTelemetry.Name, OrderMetrics.Rejected);
        using var depth = new MetricCollector<int>(meters, OrderTelemetry.Name, OrderMetrics.WriteQueueDepth);
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.Created, await PostAsync(client, TestOrders.Json()));

        // Act
        int deepest;
        HttpStatusCode[] refused;
        using (var locker = app.Store.Open())
        {
            using var exclusive = locker.CreateCommand();
            exclusive.CommandText = "BEGIN EXCLUSIVE";
            exclusive.ExecuteNonQuery();
            var posts = Enumerable.Range(0, 3).Select(i => PostAsync(client, TestOrders.Json(clientOrderId: $"locked-{i}"))).ToArray();
            deepest = await DeepestQueueAsync(depth, until: Task.WhenAll(posts));
            refused = await Task.WhenAll(posts);
        }

        // Assert
        Assert.All(refused, status => Assert.Equal(HttpStatusCode.ServiceUnavailable, status));
        Assert.InRange(deepest, 1, 3);
        Assert.Equal(new Dictionary<string, long> { ["unavailable"] = 3 }, ByReason(rejected));
    }

    // Reads the gauge until the requests are answered, as an exporter would every interval; the deepest value seen.
    private static async Task<int> DeepestQueueAsync(MetricCollector<int> depth, Task until)
    {
        var deepest = 0;
        while (!until.IsCompleted)
        {
            depth.RecordObservableInstruments();
            deepest = Math.Max(deepest, depth.LastMeasurement?.Value ?? 0);
            await Task.WhenAny(until, Task.Delay(10));
        }
        return deepest;
    }

    private static Dictionary<string, long> ByReason(MetricCollector<long> rejected) => rejected.GetMeasurementSnapshot()
        .GroupBy(m => (string)m.Tags[OrderMetrics.ReasonTag]!)
        .ToDictionary(g => g.Key, g => g.Sum(m => m.Value));

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, string body, string contentType = "application/json")
    {
        using var response = await client.PostAsync("/API/orders", new StringContent(body, Encoding.UTF8, contentType));
        return response.StatusCode;
    }
}
