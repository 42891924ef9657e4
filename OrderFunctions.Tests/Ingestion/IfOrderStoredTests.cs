using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using OrderFunctions.Http;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Telemetry;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Ingestion;

/// <summary>
/// The precondition <c>If-Order-Stored</c> on both ingestion routes: a request is stored only once the order it names
/// is stored (after it, in id order), 412 when that order is not stored within <c>OrderStorage:PrecedingOrderWait</c>,
/// and the header checked like the body (400, 403) after everything the request says about itself.
/// </summary>
public sealed class IfOrderStoredTests
{
    private const string OrdersPath = "/" + OrderRoutes.Prefix + "/" + OrderRoutes.Orders;
    private const string BatchPath = "/" + OrderRoutes.Prefix + "/" + OrderRoutes.Batch;

    private static Dictionary<string, string?> Wait(string span) => new() { ["OrderStorage:PrecedingOrderWait"] = span };

    // One order on /API/orders, two on the batch route.
    private static string Body(string path, string username = "alice") => path == BatchPath
        ? $"[{TestOrders.Json(username: username, clientOrderId: "d-1")},{TestOrders.Json(username: username, clientOrderId: "d-2")}]"
        : TestOrders.Json(username: username, clientOrderId: "d-1");

    private static int OrdersIn(string path) => path == BatchPath ? 2 : 1;

    private static async Task<ApiResponse> PostAsync(StandaloneApplication app, string path, string body, string[] ifOrderStored,
        string? apiKey = null, CancellationToken cancellation = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var value in ifOrderStored) request.Headers.TryAddWithoutValidation(OrderHeaders.IfOrderStored, value);
        if (apiKey is not null) request.Headers.Add(OrderHeaders.ApiKey, apiKey);
        using var response = await app.Client.SendAsync(request, cancellation);
        return await ApiResponse.ReadAsync(response);
    }

    private static long[] Ids(ApiResponse response) => response.Json.ValueKind == System.Text.Json.JsonValueKind.Array
        ? response.Json.EnumerateArray().Select(o => o.GetProperty("id").GetInt64()).ToArray()
        : [response.Json.GetProperty("id").GetInt64()];

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrdersPath)]
    [InlineData(BatchPath)]
    public async Task Post_stores_the_orders_after_the_named_one_when_If_Order_Stored_names_a_stored_order(string path)
    {
        await using var app = new StandaloneApplication(services: WatchedOrderQueries.Install);
        var predecessor = await app.PostAsync(TestOrders.Json(username: "desk/alice", clientOrderId: "p/1%"));

        var dependent = await PostAsync(app, path, Body(path, "desk/alice"), [PrecedingOrder.Format("desk/alice", "p/1%")]);

        Assert.Equal((201, 201), (predecessor.Status, dependent.Status));
        Assert.Equal(1, app.Services.GetRequiredService<WatchedOrderQueries>().Lookups); // found at once: no wait
        Assert.All(Ids(dependent), id => Assert.True(id > predecessor.Json.GetProperty("id").GetInt64()));
        Assert.Equal(1 + OrdersIn(path), app.CountRows());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrdersPath)]
    [InlineData(BatchPath)]
    public async Task Post_answers_412_problem_and_writes_nothing_when_the_named_order_is_not_stored_within_the_wait(string path)
    {
        // Arrange: another order of alice is stored, the named one never is.
        await using var app = new StandaloneApplication(Wait("00:00:00.200"));
        using var rejected = new MetricCollector<long>(app.Services.GetRequiredService<IMeterFactory>(), OrderTelemetry.Name,
            OrderMetrics.Rejected);
        Assert.Equal(201, (await app.PostAsync(TestOrders.Json(clientOrderId: "other"))).Status);

        // Act
        var response = await PostAsync(app, path, Body(path), [PrecedingOrder.Format("alice", "never-1")]);

        // Assert
        Assert.Equal(412, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        var problem = response.Json;
        Assert.Equal(Problems.PreconditionFailedType, problem.GetProperty("type").GetString());
        Assert.Equal("Precondition Failed", problem.GetProperty("title").GetString());
        Assert.Equal(412, problem.GetProperty("status").GetInt32());
        Assert.Equal("The order 'never-1' of 'alice' that this request must follow is not stored; nothing of this request was written: " +
            "send it again once that order is stored.", problem.GetProperty("detail").GetString());
        Assert.Equal(("alice", "never-1"), (problem.GetProperty("username").GetString(), problem.GetProperty("clientOrderId").GetString()));
        Assert.Equal(1, app.CountRows());
        var rejection = Assert.Single(rejected.GetMeasurementSnapshot());
        Assert.Equal("precondition_failed", rejection.Tags["reason"]);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrdersPath)]
    [InlineData(BatchPath)]
    public async Task Post_waits_and_stores_after_the_named_order_when_that_order_is_stored_while_the_request_waits(string path)
    {
        // Arrange: a wait far longer than the test needs, so only a missing feature ends it early.
        WatchedOrderQueries watched = null!;
        await using var app = new StandaloneApplication(Wait("00:01:00"), WatchedOrderQueries.Install);
        watched = app.Services.GetRequiredService<WatchedOrderQueries>();

        // Act: the dependent request first; the predecessor once the dependent has looked for it and not found it.
        var dependent = PostAsync(app, path, Body(path), [PrecedingOrder.Format("alice", "p-1")]);
        await Task.WhenAny(watched.Missed, dependent).WaitAsync(TimeSpan.FromMilliseconds(TestTimeouts.Server));
        var predecessor = await app.PostAsync(TestOrders.Json(clientOrderId: "p-1"));
        var stored = await dependent;

        // Assert: the dependent orders were written after the predecessor.
        Assert.True(watched.Missed.IsCompleted, "the dependent request never looked for the order it names");
        Assert.Equal((201, 201), (predecessor.Status, stored.Status));
        var predecessorId = predecessor.Json.GetProperty("id").GetInt64();
        Assert.All(Ids(stored), id => Assert.True(id > predecessorId, $"order {id} was stored before its predecessor {predecessorId}"));
        Assert.Equal(1 + OrdersIn(path), app.CountRows());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("alice")] // no slash
    [InlineData("alice/a1/b")] // a second unescaped slash
    [InlineData("/a1")] // an empty username
    [InlineData("alice/a%zz")] // a bad percent-escape
    [InlineData("alice/a%20b")] // a clientOrderId the validator refuses (a space)
    [InlineData("%20%20/a1")] // a blank username
    [InlineData("al%01ice/a1")] // a control character in the username
    public async Task Post_answers_400_keyed_If_Order_Stored_and_writes_nothing_when_the_header_is_malformed(string value)
    {
        await using var app = new StandaloneApplication();

        var single = await PostAsync(app, OrdersPath, Body(OrdersPath), [value]);
        var batch = await PostAsync(app, BatchPath, Body(BatchPath), [value]);

        Assert.Equal((400, 400), (single.Status, batch.Status));
        Assert.Equal([OrderHeaders.IfOrderStored], single.ErrorKeys);
        Assert.Equal([OrderHeaders.IfOrderStored], batch.ErrorKeys);
        Assert.Equal(0, app.CountRows());
    }

    public static TheoryData<string, string> HeaderMessages() => new()
    {
        { "alice", OrderIngestion.PrecedingOrderMessage },
        { "%20%20/a1", $"username {OrderValidator.CheckUsername("  ")}" },
        { "alice/a%20b", $"clientOrderId {OrderValidator.ClientOrderIdMessage}" },
    };

    [Theory(Timeout = TestTimeouts.Server)]
    [MemberData(nameof(HeaderMessages))]
    public async Task Post_answers_400_saying_which_part_of_If_Order_Stored_is_wrong(string value, string message)
    {
        await using var app = new StandaloneApplication();

        var response = await PostAsync(app, OrdersPath, Body(OrdersPath), [value]);

        Assert.Equal([message], response.Json.GetProperty("errors").GetProperty(OrderHeaders.IfOrderStored).EnumerateArray()
            .Select(e => e.GetString()));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_400_when_If_Order_Stored_is_sent_more_than_once()
    {
        await using var app = new StandaloneApplication();
        await app.PostAsync(TestOrders.Json(clientOrderId: "p-1"));

        var response = await PostAsync(app, OrdersPath, Body(OrdersPath), ["alice/p-1", "alice/p-1"]);

        Assert.Equal(400, response.Status);
        Assert.Equal([OrderHeaders.IfOrderStored], response.ErrorKeys);
        Assert.Equal("must be sent once", response.Json.GetProperty("errors").GetProperty(OrderHeaders.IfOrderStored)[0].GetString());
        Assert.Equal(1, app.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_the_bodys_400_before_looking_at_If_Order_Stored_when_the_body_is_invalid()
    {
        await using var app = new StandaloneApplication(Wait("00:01:00"));

        var response = await PostAsync(app, OrdersPath, TestOrders.Json(price: "-1"), ["alice/never"]);

        Assert.Equal(400, response.Status);
        Assert.Equal(["price"], response.ErrorKeys);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_the_403_of_a_foreign_username_when_If_Order_Stored_names_an_order_outside_the_callers_usernames()
    {
        // Arrange: desk2's order exists; desk1 may not learn that it does.
        await using var app = new StandaloneApplication(AccessCallers.Environment()
            .ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value));
        var desk2 = await PostAsync(app, OrdersPath, TestOrders.Json(username: "desk2-a", clientOrderId: "p-1"), [], AccessCallers.Desk2Key);
        var foreignBody = await PostAsync(app, OrdersPath, TestOrders.Json(username: "desk2-a"), [], AccessCallers.Desk1Key);

        // Act
        var stored = await PostAsync(app, OrdersPath, Body(OrdersPath, "desk1-a"), ["desk2-a/p-1"], AccessCallers.Desk1Key);
        var missing = await PostAsync(app, BatchPath, Body(BatchPath, "desk1-a"), ["desk2-a/never"], AccessCallers.Desk1Key);

        // Assert
        Assert.Equal((201, 403, 403, 403), (desk2.Status, foreignBody.Status, stored.Status, missing.Status));
        Assert.Equal([OrderHeaders.IfOrderStored], stored.ErrorKeys);
        Assert.Equal(stored.Json.GetProperty("errors").ToString(), missing.Json.GetProperty("errors").ToString());
        foreach (var member in new[] { "title", "detail" })
        {
            Assert.Equal(foreignBody.Json.GetProperty(member).GetString(), stored.Json.GetProperty(member).GetString());
            Assert.Equal(foreignBody.Json.GetProperty(member).GetString(), missing.Json.GetProperty(member).GetString());
        }
        Assert.Equal(1, app.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_503_shutting_down_and_writes_nothing_when_the_app_begins_to_stop_while_the_request_waits()
    {
        // On Kestrel, which drains the requests under way before the host disposes the services, as both hosts do in
        // production. TestServer drains nothing: its host could dispose the provider under the answer (a 500, seen in CI).
        await using var app = new StandaloneApplication(Wait("00:01:00"), WatchedOrderQueries.Install).ServeOnSocket();
        var watched = app.Services.GetRequiredService<WatchedOrderQueries>();

        var waiting = PostAsync(app, BatchPath, Body(BatchPath), ["alice/p-1"]);
        await Task.WhenAny(watched.Missed, waiting).WaitAsync(TimeSpan.FromMilliseconds(TestTimeouts.Server));
        app.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var response = await waiting;

        Assert.Equal(503, response.Status);
        Assert.Equal("1", response.Header("Retry-After"));
        Assert.Equal("The order was not stored: the service is shutting down. Nothing was written; retry later.",
            response.Json.GetProperty("detail").GetString());
        Assert.Equal(0, app.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_503_shutting_down_when_the_app_stops_during_a_lookup_and_the_lookup_then_fails()
    {
        // Arrange: a request waits; its next lookup is held until the app is stopping, then fails the way a lookup
        // does when the host disposed the store's read side under it (a stop whose drain timed out).
        await using var app = new StandaloneApplication(Wait("00:01:00"), WatchedOrderQueries.Install).ServeOnSocket();
        var watched = app.Services.GetRequiredService<WatchedOrderQueries>();
        var waiting = PostAsync(app, BatchPath, Body(BatchPath), ["alice/p-1"]);
        await Task.WhenAny(watched.Missed, waiting).WaitAsync(TimeSpan.FromMilliseconds(TestTimeouts.Server));
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watched.BeforeLookup = async () =>
        {
            entered.TrySetResult();
            await stopped.Task;
            throw new ObjectDisposedException("System.Threading.SemaphoreSlim");
        };
        await entered.Task.WaitAsync(TimeSpan.FromMilliseconds(TestTimeouts.Server));

        // Act
        app.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        stopped.SetResult();
        var response = await waiting;

        // Assert: the stop's answer, not a 500; the request had queued nothing, so "nothing was written" holds.
        Assert.Equal(503, response.Status);
        Assert.Equal("The order was not stored: the service is shutting down. Nothing was written; retry later.",
            response.Json.GetProperty("detail").GetString());
        Assert.Equal(0, app.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_503_at_once_and_writes_nothing_when_the_orders_waiting_for_their_predecessors_would_pass_MaxQueuedOrders()
    {
        var settings = Wait("00:01:00");
        settings["OrderStorage:MaxQueuedOrders"] = "3";
        await using var app = new StandaloneApplication(settings, WatchedOrderQueries.Install);
        var watched = app.Services.GetRequiredService<WatchedOrderQueries>();
        using var first = new CancellationTokenSource();
        var waiting = PostAsync(app, BatchPath, Body(BatchPath), ["alice/p-1"], cancellation: first.Token); // 2 orders wait
        await Task.WhenAny(watched.Missed, waiting).WaitAsync(TimeSpan.FromMilliseconds(TestTimeouts.Server));

        var response = await PostAsync(app, BatchPath, Body(BatchPath, "bob"), ["bob/p-2"]); // 2 more would be 4 > 3

        Assert.Equal(503, response.Status);
        Assert.Equal("1", response.Header("Retry-After"));
        Assert.Contains("too many orders are waiting for the orders they must follow", response.Json.GetProperty("detail").GetString());
        Assert.Equal(0, app.CountRows());
        await first.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_the_read_paths_503_and_writes_nothing_when_the_store_cannot_be_read_during_the_wait()
    {
        await using var app = new StandaloneApplication(services: WatchedOrderQueries.Install);
        app.Services.GetRequiredService<WatchedOrderQueries>().Failure =
            new OrderStoreUnavailableException("the order store cannot be read now", TimeSpan.FromSeconds(3));

        var response = await PostAsync(app, OrdersPath, Body(OrdersPath), ["alice/p-1"]);

        Assert.Equal(503, response.Status);
        Assert.Equal("3", response.Header("Retry-After"));
        Assert.Equal("The order store cannot be read now; retry later.", response.Json.GetProperty("detail").GetString());
        Assert.Equal(0, app.CountRows());
    }
}
