using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using OrderClient;

namespace OrderFunctions.Tests.Client;

public sealed class SendCommandTests
{
    private const string Url = "http://orders.test/API/orders";

    private static readonly string[] Order =
        ["send", "--url", Url, "--username", "alice", "--market", "BTC-USD", "--side", "buy", "--size", "0.1", "--price", "43000.12345678"];

    private static HttpResponseMessage Created(RecordedRequest request, HttpStatusCode status = HttpStatusCode.Created)
    {
        using var posted = JsonDocument.Parse(request.Body);
        var o = posted.RootElement;
        return FakeOrdersHandler.Json(status,
            $$"""{"id":7,"timestamp":"{{o.GetProperty("timestamp").GetString()}}","username":"{{o.GetProperty("username").GetString()}}","market":"{{o.GetProperty("market").GetString()}}","side":"buy","size":{{o.GetProperty("size").GetRawText()}},"price":{{o.GetProperty("price").GetRawText()}},"clientOrderId":"{{o.GetProperty("clientOrderId").GetString()}}"}""");
    }

    private static JsonElement Posted(RecordedRequest request) => JsonDocument.Parse(request.Body).RootElement;

    [Fact]
    public async Task Send_prints_stored_order_and_exits_0_when_server_answers_201()
    {
        var handler = new FakeOrdersHandler((request, _) => Created(request));

        var run = await ClientRun.RunAsync(handler, Order);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("Stored order 7.", run.Output);
        Assert.Contains("price          43000.12345678", run.Output);
        Assert.Contains("market         BTC-USD", run.Output);
        Assert.Equal("", run.Error);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(new Uri(Url), request.Uri);
    }

    [Fact]
    public async Task Send_writes_size_and_price_digit_for_digit_when_typed_as_decimals()
    {
        var handler = new FakeOrdersHandler((request, _) => Created(request));

        await ClientRun.RunAsync(handler, "send", "--url", Url, "--username", "alice", "--market", "BTC-USD",
            "--side", "buy", "--size", "0.1", "--price", "43000.12345678");
        await ClientRun.RunAsync(handler, "send", "--url", Url, "--username", "alice", "--market", "BTC-USD",
            "--side", "buy", "--size", "0.00000001", "--price", "9999999999.99999999");

        Assert.Equal(("0.1", "43000.12345678"), SizeAndPrice(handler.Requests[0].Body));
        Assert.Equal(("0.00000001", "9999999999.99999999"), SizeAndPrice(handler.Requests[1].Body));
    }

    // The numbers as the body spells them (GetRawText), so a rounded or reformatted digit fails.
    private static (string Size, string Price) SizeAndPrice(string body)
    {
        var order = JsonDocument.Parse(body).RootElement;
        return (order.GetProperty("size").GetRawText(), order.GetProperty("price").GetRawText());
    }

    [Fact]
    public async Task Send_sets_a_fresh_client_order_id_and_utc_timestamp_when_none_is_given()
    {
        var handler = new FakeOrdersHandler((request, _) => Created(request));

        await ClientRun.RunAsync(handler, Order);
        await ClientRun.RunAsync(handler, Order);

        var first = Posted(handler.Requests[0]);
        var second = Posted(handler.Requests[1]);
        Assert.Matches("^[0-9a-f]{32}$", first.GetProperty("clientOrderId").GetString());
        Assert.NotEqual(first.GetProperty("clientOrderId").GetString(), second.GetProperty("clientOrderId").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$", first.GetProperty("timestamp").GetString());
    }

    [Fact]
    public async Task Send_sends_given_timestamp_client_order_id_and_key_when_options_are_given()
    {
        var handler = new FakeOrdersHandler((request, _) => Created(request));

        var run = await ClientRun.RunAsync(handler,
            [.. Order, "--timestamp", "2026-11-27T10:15:30.123Z", "--client-order-id", "mine-1", "--key", "secret"]);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var request = Assert.Single(handler.Requests);
        Assert.Equal("secret", request.Key);
        Assert.Equal("2026-11-27T10:15:30.123Z", Posted(request).GetProperty("timestamp").GetString());
        Assert.Equal("mine-1", Posted(request).GetProperty("clientOrderId").GetString());
    }

    [Fact]
    public async Task Send_takes_url_and_key_from_environment_when_options_are_absent()
    {
        var handler = new FakeOrdersHandler((request, _) => Created(request));
        var variables = new Dictionary<string, string> { ["ORDER_API_URL"] = "http://env.test/API/orders", ["ORDER_API_KEY"] = "from-env" };

        await ClientRun.RunAsync(handler, variables, "send", "--username", "alice", "--market", "BTC-USD", "--side", "sell", "--size", "1",
            "--price", "2");

        var request = Assert.Single(handler.Requests);
        Assert.Equal(new Uri("http://env.test/API/orders"), request.Uri);
        Assert.Equal("from-env", request.Key);
    }

    [Fact]
    public async Task Send_uses_localhost_default_url_when_neither_option_nor_environment_is_set()
    {
        var handler = new FakeOrdersHandler((request, _) => Created(request));

        await ClientRun.RunAsync(handler, "send", "--username", "alice", "--market", "BTC-USD", "--side", "sell", "--size", "1", "--price", "2");

        Assert.Equal(new Uri("http://localhost:7071/API/orders"), Assert.Single(handler.Requests).Uri);
    }

    [Fact]
    public async Task Send_says_replay_and_exits_0_when_server_answers_200_replayed()
    {
        var handler = new FakeOrdersHandler((request, _) =>
        {
            var response = Created(request, HttpStatusCode.OK);
            response.Headers.Add("Idempotent-Replayed", "true");
            return response;
        });

        var run = await ClientRun.RunAsync(handler, Order);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("idempotent replay", run.Output);
        Assert.Contains("nothing new was written", run.Output);
    }

    [Fact]
    public async Task Send_prints_field_errors_and_exits_1_when_server_answers_400()
    {
        var handler = new FakeOrdersHandler((_, _) => FakeOrdersHandler.Problem(HttpStatusCode.BadRequest,
            """{"title":"One or more validation errors occurred.","status":400,"errors":{"price":["must be greater than 0"],"market":["must be letters"]}}"""));

        var run = await ClientRun.RunAsync(handler, Order);

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.Contains("One or more validation errors occurred.", run.Error);
        Assert.Contains("  price: must be greater than 0", run.Error);
        Assert.Contains("  market: must be letters", run.Error);
        Assert.Single(handler.Requests); // a 400 is never retried
    }

    [Fact]
    public async Task Send_prints_title_and_detail_and_exits_1_when_server_answers_409()
    {
        var handler = new FakeOrdersHandler((_, _) => FakeOrdersHandler.Problem(HttpStatusCode.Conflict,
            """{"title":"Conflict","status":409,"detail":"clientOrderId 'x' was already used","existingId":3}"""));

        var run = await ClientRun.RunAsync(handler, Order);

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.Contains("Conflict (409): clientOrderId 'x' was already used", run.Error);
        // One POST (never retried); the GET after it looks up the existingId to tell a re-run from a different order.
        Assert.Single(handler.Requests, r => r.Method == HttpMethod.Post);
    }

    [Fact]
    public async Task Send_exits_2_with_clear_message_when_connection_is_refused()
    {
        var handler = new FakeOrdersHandler((_, _) => throw new HttpRequestException(
            HttpRequestError.ConnectionError, "Connection refused (orders.test:80)", new SocketException((int)SocketError.ConnectionRefused)));

        var run = await ClientRun.RunAsync(handler, [.. Order, "--retries", "2"]);

        Assert.Equal(ExitCodes.Unavailable, run.ExitCode);
        Assert.Contains("could not connect to http://orders.test/API/orders: connection refused", run.Error);
        Assert.Equal(3, handler.Requests.Count); // the first attempt and two retries
    }

    [Fact]
    public async Task Send_reuses_client_order_id_across_retries_when_first_attempts_fail_transiently()
    {
        var handler = new FakeOrdersHandler((request, index) => index switch
        {
            0 => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused",
                new SocketException((int)SocketError.ConnectionRefused)),
            1 => RetryAfterZero(),
            _ => Created(request),
        });

        var run = await ClientRun.RunAsync(handler, Order);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(3, handler.Requests.Count);
        Assert.Single(handler.Requests.Select(r => r.Body).Distinct());
        Assert.Single(handler.Requests.Select(r => Posted(r).GetProperty("clientOrderId").GetString()).Distinct());

        static HttpResponseMessage RetryAfterZero()
        {
            var response = FakeOrdersHandler.Problem(HttpStatusCode.ServiceUnavailable, """{"title":"Service Unavailable","status":503}""");
            response.Headers.Add("Retry-After", "0");
            return response;
        }
    }

    [Fact]
    public async Task Send_does_not_retry_when_retries_is_0()
    {
        var handler = new FakeOrdersHandler((_, _) =>
            FakeOrdersHandler.Problem(HttpStatusCode.ServiceUnavailable, """{"title":"Service Unavailable","status":503}"""));

        var run = await ClientRun.RunAsync(handler, [.. Order, "--retries", "0"]);

        Assert.Equal(ExitCodes.Unavailable, run.ExitCode);
        Assert.Single(handler.Requests);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    public async Task Send_retries_when_server_answers_transient_status(int status)
    {
        var handler = new FakeOrdersHandler((request, index) => index == 0
            ? FakeOrdersHandler.Problem((HttpStatusCode)status, $$"""{"title":"Transient","status":{{status}}}""")
            : Created(request));

        var run = await ClientRun.RunAsync(handler, Order);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task Send_exits_2_after_retries_when_server_keeps_answering_503()
    {
        var handler = new FakeOrdersHandler((_, _) => FakeOrdersHandler.Problem(HttpStatusCode.ServiceUnavailable,
            """{"title":"Service Unavailable","status":503,"detail":"The order was not stored: queue full. Nothing was written; retry later."}"""));

        var run = await ClientRun.RunAsync(handler, [.. Order, "--retries", "1"]);

        Assert.Equal(ExitCodes.Unavailable, run.ExitCode);
        Assert.Contains("Service Unavailable (503): The order was not stored", run.Error);
        Assert.Contains("--client-order-id", run.Error);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task Send_repeats_what_the_server_said_without_a_guess_when_its_503_says_nothing_was_written()
    {
        var handler = new FakeOrdersHandler((_, _) => FakeOrdersHandler.Problem(HttpStatusCode.ServiceUnavailable,
            """{"title":"Service Unavailable","status":503,"detail":"The order was not stored: the write queue is full. Nothing was written; retry later."}"""));

        var run = await ClientRun.RunAsync(handler, [.. Order, "--retries", "0"]);

        Assert.Equal(ExitCodes.Unavailable, run.ExitCode);
        Assert.Contains(
            "Unavailable: Service Unavailable (503): The order was not stored: the write queue is full. Nothing was written; retry later.",
            run.Error);
        Assert.DoesNotContain("may or may not", run.Error);
        Assert.Contains("Sending it again is safe with the same id and time: --timestamp ", run.Error);
    }

    [Theory]
    [InlineData(0)]     // no answer at all
    [InlineData(502)]   // a bare 502 from a proxy: nothing from the server says what happened
    public async Task Send_says_the_order_may_or_may_not_be_stored_when_nothing_from_the_server_says(int status)
    {
        var handler = new FakeOrdersHandler((_, _) => status == 0
            ? throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.")
            : new HttpResponseMessage((HttpStatusCode)status));

        var run = await ClientRun.RunAsync(handler, [.. Order, "--retries", "0"]);

        Assert.Equal(ExitCodes.Unavailable, run.ExitCode);
        Assert.Contains("The order may or may not be stored. Sending it again is safe with the same id and time: --timestamp ", run.Error);
    }

    [Theory]
    [InlineData("--side", "hold")]
    [InlineData("--size", "1,5")]
    [InlineData("--price", "abc")]
    public async Task Send_exits_1_without_sending_when_option_is_invalid(string option, string value)
    {
        var handler = new FakeOrdersHandler((request, _) => Created(request));
        var args = Order.ToArray();
        args[Array.IndexOf(args, option) + 1] = value;

        var run = await ClientRun.RunAsync(handler, args);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(option, run.Error);
        Assert.Empty(handler.Requests);
    }
}
