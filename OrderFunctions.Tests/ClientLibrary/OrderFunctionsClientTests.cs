using OrderFunctions.Client;
using OrderFunctions.Orders;
using System.Net;
using OrderFunctions.Tests.Client;
using OrderFunctions.Tests.Support;
using static OrderFunctions.Tests.Sender.SenderTestData;

namespace OrderFunctions.Tests.ClientLibrary;

/// <summary>The typed client against the real standalone host: values, replays and typed problems, never an exception.</summary>
public sealed class OrderFunctionsClientTests
{
    [Fact(Timeout = TestTimeouts.Server)]
    public async Task CreateOrderAsync_returns_the_stored_order_then_a_replay_for_the_same_id()
    {
        await using var app = await StandaloneApplication.StartAsync();
        var client = new OrderFunctionsClient(app.BaseAddress);
        var order = Order(1, "typed", "typed-1").ToRequest();

        var created = await client.CreateOrderAsync(order);
        var replayed = await client.CreateOrderAsync(order);

        Assert.Equal(201, created.Status);
        Assert.False(created.Replayed);
        Assert.Equal("typed-1", created.Value!.ClientOrderId);
        Assert.Equal(200, replayed.Status);
        Assert.True(replayed.Replayed);
        Assert.Equal(created.Value.Id, replayed.Value!.Id);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task ListAllOrdersAsync_asks_again_after_a_pause_and_skips_the_held_back_pages_when_the_store_holds_a_page_back()
    {
        // Two held-back answers (an empty page whose next is the cursor asked with), then the orders.
        var handler = new FakeOrdersHandler((request, index) => request.Uri.Query.Contains("after=p1", StringComparison.Ordinal)
            ? FakeOrdersHandler.Json(HttpStatusCode.OK, index < 3 ? """{"items":[],"next":"p1"}""" : $$"""{"items":[{{StoredJson(2)}}],"next":null}""")
            : FakeOrdersHandler.Json(HttpStatusCode.OK, $$"""{"items":[{{StoredJson(1)}}],"next":"p1"}"""));
        var client = new OrderFunctionsClient(new HttpClient(handler), new OrderFunctionsClientOptions { Endpoint = Nowhere() });

        var pages = await client.ListAllOrdersAsync().ToListAsync();

        Assert.Equal([[1L], [2L]], pages.Select(page => page.Value!.Items.Select(order => order.Id).ToArray()).ToArray());
        Assert.Equal(4, handler.Requests.Count);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task ListAllOrdersAsync_yields_the_held_back_page_as_the_last_when_its_patience_runs_out_without_asking_in_a_tight_loop()
    {
        // Held back for good (a commit stalled on another instance): every ask after p1 answers the same empty page.
        var handler = new FakeOrdersHandler((_, _) => FakeOrdersHandler.Json(HttpStatusCode.OK, """{"items":[],"next":"p1"}"""));
        var options = new OrderFunctionsClientOptions { Endpoint = Nowhere(), HeldBackPatience = TimeSpan.FromMilliseconds(500) };
        var client = new OrderFunctionsClient(new HttpClient(handler), options);

        var pages = await client.ListAllOrdersAsync(new OrderQuery { After = "p1" }).ToListAsync();

        // The last page keeps its cursor, to resume from; the asks are paced (20 ms, doubling): a handful in 500 ms,
        // where a loop without a pause makes thousands.
        var last = Assert.Single(pages);
        Assert.Empty(last.Value!.Items);
        Assert.Equal("p1", last.Value.Next);
        Assert.InRange(handler.Requests.Count, 2, 12);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task CreateOrderAsync_returns_409_with_existingId_when_the_id_names_another_order()
    {
        await using var app = await StandaloneApplication.StartAsync();
        var client = new OrderFunctionsClient(app.BaseAddress);
        var first = await client.CreateOrderAsync(Order(1, "typed", "same").ToRequest());

        var conflict = await client.CreateOrderAsync(Order(2, "typed", "same").ToRequest());

        Assert.Equal(409, conflict.Status);
        Assert.False(conflict.IsSuccess);
        Assert.Equal(first.Value!.Id, conflict.Problem!.ExistingId);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task CreateOrderAsync_answers_an_invalid_order_locally_with_the_servers_messages()
    {
        var client = new OrderFunctionsClient(Nowhere());
        var request = Order(1).ToRequest();
        request.Side = "hold";

        var response = await client.CreateOrderAsync(request);

        Assert.Equal(400, response.Status);
        Assert.Equal([OrderValidator.SideMessage], response.Problem!.Errors["side"]);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task CreateOrdersAsync_stores_a_batch_and_GetOrderAsync_ListOrdersAsync_GetStatsAsync_read_it()
    {
        await using var app = await StandaloneApplication.StartAsync();
        var client = new OrderFunctionsClient(app.BaseAddress);
        var batch = Enumerable.Range(0, 5).Select(i => Order(i, "reader", $"r-{i}").ToRequest()).ToList();

        var stored = await client.CreateOrdersAsync(batch);
        var one = await client.GetOrderAsync(stored.Value![2].Id);
        var page = await client.ListOrdersAsync(new OrderQuery { Username = "reader", Limit = 2 });
        var stats = await client.GetStatsAsync(new OrderQuery { Market = "BTC-USD" });
        var health = await client.GetHealthAsync();
        var missing = await client.GetOrderAsync(999_999);

        Assert.Equal(201, stored.Status);
        Assert.Equal(["r-0", "r-1", "r-2", "r-3", "r-4"], stored.Value.Select(o => o.ClientOrderId));
        Assert.Equal("r-2", one.Value!.ClientOrderId);
        Assert.Equal(2, page.Value!.Items.Count);
        Assert.NotNull(page.Value.Next);
        Assert.Equal(5, Assert.Single(stats.Value!.Markets).Count);
        Assert.Equal("healthy", health.Value);
        Assert.Equal(404, missing.Status);
        Assert.Equal(404, missing.Problem!.Status);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task ListOrdersAsync_reads_the_audit_trail_and_filters_by_storedBy()
    {
        await using var app = await StandaloneApplication.StartAsync();
        var client = new OrderFunctionsClient(app.BaseAddress);

        var stored = await client.CreateOrderAsync(Order(1, "audited", "a-1").ToRequest());
        var page = await client.ListOrdersAsync(new OrderQuery { Username = "audited" });
        var byDesk = await client.ListOrdersAsync(new OrderQuery { Username = "audited", StoredBy = "desk1" });

        Assert.NotNull(stored.Value!.ReceivedAt);
        Assert.Equal(DateTimeKind.Utc, stored.Value.ReceivedAt.Value.Kind);
        Assert.Null(stored.Value.StoredBy); // the API is open: no callers configured
        Assert.Equal(stored.Value, Assert.Single(page.Value!.Items));
        Assert.Empty(byDesk.Value!.Items);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task CreateOrderAsync_sends_the_callers_ApiKey_and_reads_storedBy()
    {
        await using var app = await StandaloneApplication.StartAsync(environment: OrderFunctions.Tests.Hosting.AccessCallers.Environment());
        var client = new OrderFunctionsClient(new HttpClient(), new OrderFunctionsClientOptions
        {
            Endpoint = app.BaseAddress, ApiKey = OrderFunctions.Tests.Hosting.AccessCallers.Desk1Key,
        });
        var anonymous = new OrderFunctionsClient(app.BaseAddress);

        var stored = await client.CreateOrderAsync(Order(1, "desk1-client", "k-1").ToRequest());
        var refused = await anonymous.CreateOrderAsync(Order(1, "desk1-client", "k-2").ToRequest());

        Assert.Equal(201, stored.Status);
        Assert.Equal("desk1", stored.Value!.StoredBy);
        Assert.Equal(401, refused.Status);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Client_returns_a_transport_error_instead_of_throwing_when_nothing_listens()
    {
        var client = new OrderFunctionsClient(Nowhere());

        var response = await client.GetOrderAsync(1);

        Assert.Equal(0, response.Status);
        Assert.True(response.IsTransient);
        Assert.Contains("connection refused", response.TransportError, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task GetStatsOverTimeAsync_and_ExportAsync_read_the_buckets_and_every_order_exactly()
    {
        await using var app = await StandaloneApplication.StartAsync();
        var client = new OrderFunctionsClient(app.BaseAddress);
        var batch = await client.CreateOrdersAsync([Order(0, "export").ToRequest(), Order(1, "export").ToRequest(),
            Order(60_000, "export").ToRequest()]);
        Assert.Equal(201, batch.Status);
        var query = new OrderQuery { Username = "export" };

        var buckets = await client.GetStatsOverTimeAsync("1m", query);
        using var csv = new MemoryStream();
        var exported = await client.ExportAsync(csv, "csv", query);
        var refused = await client.ExportAsync(new MemoryStream(), "xlsx", query);

        Assert.Equal(200, buckets.Status);
        Assert.Equal("1m", buckets.Value!.Interval);
        Assert.Equal([2L, 1L], buckets.Value.Buckets.Select(b => b.Count));
        var first = buckets.Value.Buckets[0];
        Assert.Equal(Order(0).Price * Order(0).Size + Order(1).Price * Order(1).Size, first.Notional);
        Assert.Equal(Order(0).Price, first.FirstPrice);
        Assert.Equal(Order(1).Price, first.LastPrice);
        Assert.Equal(200, exported.Status);
        var lines = System.Text.Encoding.UTF8.GetString(csv.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(exported.Value, csv.Length);
        Assert.Equal(4, lines.Length);
        Assert.Equal(batch.Value!.Select(o => o.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.Equal(400, refused.Status);
        Assert.NotNull(refused.Problem);
    }

    private static string StoredJson(long id) =>
        $$"""{"id":{{id}},"timestamp":"2026-11-27T10:15:30.123456Z","username":"alice","market":"BTC-USD","side":"buy","size":0.1,"price":43000.12345678,"clientOrderId":"c{{id}}"}""";
}
