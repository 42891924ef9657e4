using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OrderFunctions.Telemetry;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;
using TestOrders = OrderFunctions.Tests.Support.TestOrders;

namespace OrderFunctions.Tests.Telemetry;

/// <summary>
/// The engine-agnostic write queue's commits as metrics (orders per commit, duration) and as a span, on every engine
/// (one subclass per engine), through the standalone host in process.
/// </summary>
public abstract class CommitTelemetryContract(StoreEngine engine) : IAsyncLifetime
{
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.CreateAsync(engine);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Commit_records_orders_per_commit_and_duration_for_every_order_written()
    {
        // Arrange
        await using var app = new StandaloneApplication(_store.Settings);
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        using var perCommit = new MetricCollector<int>(meters, OrderTelemetry.Name, OrderMetrics.CommitOrders);
        using var duration = new MetricCollector<double>(meters, OrderTelemetry.Name, OrderMetrics.CommitDuration);
        using var client = app.CreateClient();

        // Act: 1 + 5 + 1 orders in three requests.
        var batch = "[" + string.Join(",", Enumerable.Range(0, 5).Select(i => TestOrders.Json(clientOrderId: $"b{i}"))) + "]";
        var statuses = new[]
        {
            await PostAsync(client, TestOrders.Json()),
            await PostAsync(client, batch),
            await PostAsync(client, TestOrders.Json(username: "bob")),
        };

        // Assert: every order is in exactly one commit; a commit holds at most what was queued.
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Created, s));
        var commits = perCommit.GetMeasurementSnapshot();
        Assert.Equal(7, commits.Sum(m => m.Value));
        Assert.InRange(commits.Count, 1, 3);
        Assert.All(commits, m => Assert.InRange(m.Value, 1, 7));
        Assert.Equal(commits.Count, duration.GetMeasurementSnapshot().Count);
        Assert.All(duration.GetMeasurementSnapshot(), m => Assert.True(m.Value >= 0));
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Commit_is_a_span_in_the_trace_of_the_request_it_stores()
    {
        // Arrange: a listener that samples the app's spans and ASP.NET Core's request spans; the test names the trace.
        var traceId = ActivityTraceId.CreateRandom();
        var commits = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is OrderTelemetry.Name or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == OrderTelemetry.CommitActivityName && activity.TraceId == traceId) lock (commits) commits.Add(activity);
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var app = new StandaloneApplication(_store.Settings);
        using var client = app.CreateClient();

        // Act
        using var request = new HttpRequestMessage(HttpMethod.Post, "/API/orders")
        {
            Content = new StringContent(TestOrders.Json(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await client.SendAsync(request);

        // Assert: the commit ended before the 201 was sent, as a child of the request's span.
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var commit = Assert.Single(commits);
        Assert.NotEqual(default, commit.ParentSpanId);
        Assert.Equal(engine == StoreEngine.Postgres ? "postgresql" : "sqlite", commit.GetTagItem("db.system.name"));
        Assert.Equal(1, commit.GetTagItem("orders.count"));
        Assert.Equal(ActivityStatusCode.Unset, commit.Status);
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, string body)
    {
        using var response = await client.PostAsync("/API/orders", new StringContent(body, Encoding.UTF8, "application/json"));
        return response.StatusCode;
    }
}
