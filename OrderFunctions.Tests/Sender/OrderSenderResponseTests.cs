using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderFunctions.Client;
using OrderFunctions.Http;
using OrderFunctions.Tests.Support;
using static OrderFunctions.Tests.Sender.SenderTestData;

namespace OrderFunctions.Tests.Sender;

/// <summary>
/// How the sender answers each status, through a scripted handler (answers the real server gives only under load or
/// never: a 400 naming an element, 413, 503 with Retry-After); and the DI registration that drains on shutdown.
/// </summary>
public sealed class OrderSenderResponseTests
{
    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Sender_removes_the_orders_a_400_names_and_resends_the_rest()
    {
        var handler = new ScriptedHandler(request =>
            request.Count == 5 && request.Ids[3] is { } bad
                ? Problem(400,
                    """{"title":"One or more validation errors occurred.","status":400,"errors":{"[3].price":["must be greater than 0"]}}""")
                : Stored(request));
        await using var sender = Sender(handler);
        var rejected = new List<OrderRejectedEventArgs>();
        sender.OrderRejected += (_, e) => rejected.Add(e);
        for (var i = 0; i < 5; i++) sender.TryEnqueue(Order(i, "t", $"id-{i}"));
        Assert.True(await sender.FlushAsync());

        Assert.Equal(["id-0", "id-1", "id-2", "id-3", "id-4"], handler.Requests[0].Ids);
        Assert.Equal(["id-0", "id-1", "id-2", "id-4"], handler.Requests[1].Ids);
        var refusal = Assert.Single(rejected);
        Assert.Equal("id-3", refusal.Order.ClientOrderId);
        Assert.Equal(["must be greater than 0"], refusal.Problem.Errors["price"]);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Sender_halves_a_batch_the_server_answers_413_and_keeps_the_order()
    {
        var handler = new ScriptedHandler(request =>
            request.Count > 2 ? Problem(413, """{"title":"Payload Too Large","status":413}""") : Stored(request));
        await using var sender = Sender(handler);
        for (var i = 0; i < 8; i++) sender.TryEnqueue(Order(i, "t", $"id-{i}"));
        Assert.True(await sender.FlushAsync());

        var stored = handler.Requests.Where(r => r.Count <= 2).SelectMany(r => r.Ids).ToList();
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"id-{i}"), stored);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Sender_retries_the_same_ids_after_503_and_honours_Retry_After()
    {
        var calls = 0;
        var handler = new ScriptedHandler(request => Interlocked.Increment(ref calls) == 1
            ? Problem(503, """{"title":"Service Unavailable","status":503}""", retryAfterSeconds: 1)
            : Stored(request));
        await using var sender = Sender(handler);
        var failures = new List<OrderSendFailedEventArgs>();
        sender.SendFailed += (_, e) => failures.Add(e);
        for (var i = 0; i < 3; i++) sender.TryEnqueue(Order(i));
        Assert.True(await sender.FlushAsync());

        var failure = Assert.Single(failures);
        Assert.Equal((503, 1, 3), (failure.Status, failure.Attempt, failure.Orders));
        Assert.True(failure.RetryIn >= TimeSpan.FromSeconds(1));
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(handler.Requests[0].Ids, handler.Requests[1].Ids); // generated ids are stable across retries
        Assert.All(handler.Requests[0].Ids, id => Assert.Matches("^[0-9A-Z]{14}-[0-9a-f]{12}$", id));
        Assert.True(handler.Requests[1].At - handler.Requests[0].At >= TimeSpan.FromSeconds(0.9), "Retry-After: 1 was not waited for");
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("<html><body>Welcome to nginx!</body></html>")]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("""[{"id":1},{"id":2}]""")]
    [InlineData("""[{"id":1},{"id":2},{"clientOrderId":"x"}]""")]
    public async Task Sender_stops_and_keeps_the_orders_when_a_2xx_answer_is_not_the_stored_orders(string body)
    {
        var handler = new ScriptedHandler(_ =>
            new HttpResponseMessage(HttpStatusCode.Created) { Content = new StringContent(body, Encoding.UTF8, "text/html") });
        await using var sender = Sender(handler);
        var stopped = new TaskCompletionSource<OrderSenderStoppedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        sender.SenderStopped += (_, e) => stopped.TrySetResult(e);
        for (var i = 0; i < 3; i++) sender.TryEnqueue(Order(i, "t", $"id-{i}"));

        var stop = await stopped.Task;

        Assert.Equal(201, stop.Status);
        Assert.Contains("but not with a JSON array of the 3 stored orders", stop.Reason);
        Assert.Equal(3, stop.OrdersLeft);
        Assert.Equal(0, sender.StoredCount);
        Assert.Single(handler.Requests); // never retried: the endpoint is not the orders API
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Sender_asks_for_the_minimal_answer_and_counts_created_and_replayed_from_the_receipt()
    {
        var handler = new ScriptedHandler(request => Receipt(request.Count, created: request.Count - 1, replayed: 1));
        await using var sender = Sender(handler);
        for (var i = 0; i < 3; i++) sender.TryEnqueue(Order(i, "t", $"id-{i}"));
        Assert.True(await sender.FlushAsync());

        Assert.Equal("return=minimal", Assert.Single(handler.Requests).Prefer);
        Assert.Equal((3, 2, 1), (sender.SentCount, sender.StoredCount, sender.ReplayedCount));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Sender_checks_the_stored_list_when_the_server_does_not_apply_the_preference()
    {
        var handler = new ScriptedHandler(Stored); // a server that predates return=minimal: the full list, no Preference-Applied
        await using var sender = Sender(handler);
        for (var i = 0; i < 3; i++) sender.TryEnqueue(Order(i, "t", $"id-{i}"));
        Assert.True(await sender.FlushAsync());

        Assert.Equal((3, 3, 0), (sender.SentCount, sender.StoredCount, sender.ReplayedCount));
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("""{"count":2,"created":2,"replayed":0,"firstId":1,"lastId":2}""", "a receipt for 2 orders, 3 sent")]
    [InlineData("""{"count":3,"created":2,"replayed":0,"firstId":1,"lastId":3}""", "created 2 + replayed 0 is not the count 3")]
    [InlineData("""{"count":3,"created":3,"replayed":0,"firstId":0,"lastId":0}""", "the receipt names no stored ids")]
    [InlineData("""{"count":3,"created":3,"replayed":0}""", "missing required properties")]
    [InlineData("""[{"id":1},{"id":2},{"id":3}]""", "could not be converted")]
    public async Task Sender_stops_and_keeps_the_orders_when_a_receipt_does_not_account_for_every_order(string body, string why)
    {
        var handler = new ScriptedHandler(_ => Minimal(HttpStatusCode.Created, body));
        await using var sender = Sender(handler);
        var stopped = new TaskCompletionSource<OrderSenderStoppedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        sender.SenderStopped += (_, e) => stopped.TrySetResult(e);
        for (var i = 0; i < 3; i++) sender.TryEnqueue(Order(i, "t", $"id-{i}"));

        var stop = await stopped.Task;

        Assert.Contains("but not with a receipt for the 3 stored orders", stop.Reason);
        Assert.Contains(why, stop.Reason);
        Assert.Equal(3, stop.OrdersLeft);
        Assert.Equal(0, sender.StoredCount);
        Assert.Single(handler.Requests);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Sender_sends_the_next_request_while_one_is_in_flight_naming_its_last_order_in_If_Order_Stored()
    {
        // The first request is answered only once the second has come (or after a deadline, for a sender that waits).
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new ScriptedHandler(async request =>
        {
            if (request.Preceding is null) await Task.WhenAny(second.Task, Task.Delay(TimeSpan.FromSeconds(5)));
            else second.TrySetResult();
            return Receipt(request.Count, request.Count, 0);
        });
        await using var sender = Sender(handler, o => o with { MaxBatchOrders = 3, MaxRequestOrders = 3 });
        for (var i = 0; i < 6; i++) sender.TryEnqueue(Order(i, "desk/7", $"id-{i}"));
        Assert.True(await sender.FlushAsync());

        var requests = handler.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal(["id-0", "id-1", "id-2"], requests[0].Ids);
        Assert.Null(requests[0].Preceding);
        Assert.Equal(["id-3", "id-4", "id-5"], requests[1].Ids);
        Assert.Equal("desk%2F7/id-2", requests[1].Preceding);
        Assert.True(second.Task.IsCompleted, "the second request was sent only after the first was answered");
        Assert.True(PrecedingOrder.TryParse(requests[1].Preceding, out var username, out var id));
        Assert.Equal(("desk/7", "id-2"), (username, id));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Sender_sends_a_request_again_without_If_Order_Stored_when_the_server_answers_412_and_keeps_the_order()
    {
        // The first request fails once (503); the second, which names the first's last order, is refused with 412
        // meanwhile, as the server does when that order is not stored in time.
        var firstCalls = 0;
        var stored = new List<string>();
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new ScriptedHandler(async request =>
        {
            if (request.Ids[0] == "id-0" && Interlocked.Increment(ref firstCalls) == 1)
            {
                // Answered once the second request has come (or after a deadline, for a sender that waits).
                await Task.WhenAny(second.Task, Task.Delay(TimeSpan.FromSeconds(5)));
                return Problem(503, """{"title":"Service Unavailable","status":503}""");
            }
            if (request.Preceding is not null)
            {
                second.TrySetResult();
                return Problem(412, """{"title":"Precondition Failed","status":412,"detail":"the order 'id-2' of 't' is not stored"}""");
            }
            lock (stored) stored.AddRange(request.Ids);
            return Receipt(request.Count, request.Count, 0);
        });
        await using var sender = Sender(handler, o => o with { MaxBatchOrders = 3, MaxRequestOrders = 3 });
        var stopped = false;
        sender.SenderStopped += (_, _) => stopped = true;
        for (var i = 0; i < 6; i++) sender.TryEnqueue(Order(i, "t", $"id-{i}"));
        Assert.True(await sender.FlushAsync());

        Assert.False(stopped);
        Assert.Equal((6, 0, 0), (sender.StoredCount, sender.ReplayedCount, sender.RejectedCount));
        Assert.Equal(["id-0", "id-1", "id-2", "id-3", "id-4", "id-5"], stored);
        Assert.Contains(handler.Requests, r => r.Ids[0] == "id-3" && r.Preceding == "t/id-2");
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Sender_keeps_one_request_in_flight_and_names_no_order_when_MaxRequestsInFlight_is_1()
    {
        var inFlight = 0;
        var most = 0;
        var handler = new ScriptedHandler(async request =>
        {
            var now = Interlocked.Increment(ref inFlight);
            AtomicMax.Raise(ref most, now);
            await Task.Delay(20);
            Interlocked.Decrement(ref inFlight);
            return Receipt(request.Count, request.Count, 0);
        });
        await using var sender = Sender(handler, o => o with { MaxBatchOrders = 2, MaxRequestOrders = 2, MaxRequestsInFlight = 1 });
        for (var i = 0; i < 10; i++) sender.TryEnqueue(Order(i, "t", $"id-{i}"));
        Assert.True(await sender.FlushAsync());

        Assert.Equal(1, most);
        Assert.All(handler.Requests, r => Assert.Null(r.Preceding));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"id-{i}"), handler.Requests.SelectMany(r => r.Ids));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddOrderSender_binds_its_section_and_the_host_drains_the_sender_on_stop()
    {
        await using var app = await StandaloneApplication.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OrderSender:Endpoint"] = app.BaseAddress.ToString(),
            ["OrderSender:Linger"] = "00:00:05", // only the stop's drain sends these
            ["OrderSender:MaxBatchOrders"] = "500",
        }).Build();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddOrderSender(configuration.GetSection("OrderSender"));
        using var host = builder.Build();
        await host.StartAsync();
        var sender = host.Services.GetRequiredService<OrderSender>();
        for (var i = 0; i < 300; i++) Assert.Equal(EnqueueStatus.Accepted, sender.TryEnqueue(Order(i)));

        await host.StopAsync();

        Assert.Equal(300, app.CountRows());
        Assert.Equal(EnqueueStatus.Stopped, sender.TryEnqueue(Order(1)));
    }

    private static OrderSender Sender(ScriptedHandler handler, Func<OrderSenderOptions, OrderSenderOptions>? configure = null) =>
        new((configure ?? (o => o))(Options(new Uri("http://orders.test")) with { Linger = TimeSpan.FromMilliseconds(50) }),
            new HttpClient(handler));

    private static HttpResponseMessage Stored(ScriptedHandler.Request request)
    {
        var items = request.Ids.Select((id, i) => new { id = i + 1, clientOrderId = id });
        return new HttpResponseMessage(HttpStatusCode.Created)
        {
            Content = new StringContent(JsonSerializer.Serialize(items), Encoding.UTF8, "application/json")
        };
    }

    private static HttpResponseMessage Receipt(int count, int created, int replayed) =>
        Minimal(HttpStatusCode.Created, JsonSerializer.Serialize(new { count, created, replayed, firstId = 1, lastId = count }));

    private static HttpResponseMessage Minimal(HttpStatusCode status, string body)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        response.Headers.TryAddWithoutValidation("Preference-Applied", "return=minimal");
        return response;
    }

    private static HttpResponseMessage Problem(int status, string json, int? retryAfterSeconds = null)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/problem+json")
        };
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        }

        return response;
    }

    /// <summary>Answers each batch POST with what the script says, and records the clientOrderIds each one carried.</summary>
    private sealed class ScriptedHandler(Func<ScriptedHandler.Request, Task<HttpResponseMessage>> script) : HttpMessageHandler
    {
        public ScriptedHandler(Func<Request, HttpResponseMessage> script)
            : this(request => Task.FromResult(script(request)))
        {
        }

        /// <summary>One request: its clientOrderIds, when it came, its Prefer and If-Order-Stored headers.</summary>
        public sealed record Request(IReadOnlyList<string> Ids, DateTime At, string? Prefer = null, string? Preceding = null)
        {
            public int Count => Ids.Count;
        }

        private readonly List<Request> _requests = [];

        public List<Request> Requests
        {
            get { lock (_requests) return [.. _requests]; }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var document = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken));
            var recorded = new Request([.. document.RootElement.EnumerateArray().Select(o => o.GetProperty("clientOrderId").GetString()!)],
                DateTime.UtcNow, request.Headers.TryGetValues("Prefer", out var prefer) ? string.Join(", ", prefer) : null,
                request.Headers.TryGetValues(OrderHeaders.IfOrderStored, out var preceding) ? string.Join(", ", preceding) : null);
            lock (_requests) _requests.Add(recorded);
            return await script(recorded);
        }
    }
}
