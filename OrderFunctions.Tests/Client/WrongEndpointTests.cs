using System.Net;
using OrderClient;

namespace OrderFunctions.Tests.Client;

/// <summary>
/// What every command says when <c>--url</c> leads somewhere other than the orders API: an answer of another shape
/// (200 from another endpoint or service) or a 404/405 for the route. It prints what it got and which URL to use,
/// and never throws.
/// </summary>
public sealed class WrongEndpointTests : IDisposable
{
    private const string Url = "http://orders.test/API/orders";
    private readonly string _directory = Directory.CreateTempSubdirectory("wrong-endpoint-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private const string AnOrder =
        """{"id":1,"timestamp":"2026-11-27T10:15:30Z","username":"alice","market":"BTC-USD","side":"buy","size":0.1,"price":43000.12345678,"clientOrderId":"c1"}""";

    /// <summary>Each command with bodies that are valid JSON, or not, but never what that command expects.</summary>
    public static TheoryData<string, string> WrongBodies()
    {
        var data = new TheoryData<string, string>();
        string[] everywhere = ["<html><body>Welcome to nginx!</body></html>", "", "null", "{}", "[]", "\"ok\"", "42"];
        foreach (var command in new[] { "get", "list", "list-all", "stats", "send", "replay" })
        {
            foreach (var body in everywhere) data.Add(command, body);
        }
        data.Add("get", """{"items":[],"next":null}""");
        data.Add("get", """{"id":1,"timestamp":null,"username":"alice","market":"BTC-USD","side":"buy","size":1,"price":1}""");
        data.Add("list", AnOrder);                                  // list --url .../API/orders/1
        data.Add("list", """{"items":null,"next":null}""");
        data.Add("list", """{"items":[null],"next":null}""");
        data.Add("list", """{"items":[{"id":1}],"next":null}""");
        data.Add("list-all", AnOrder);
        data.Add("stats", AnOrder);
        data.Add("stats", """{"markets":[{"market":"BTC-USD"}]}""");
        data.Add("stats", """{"markets":[null]}""");
        data.Add("send", """{"items":[],"next":null}""");
        data.Add("send", "[" + AnOrder + "]");
        data.Add("replay", AnOrder);                                // an object where the array of stored orders belongs
        data.Add("replay", "[" + AnOrder + "," + AnOrder + "]");    // two stored orders for one sent
        data.Add("replay", "[null]");
        return data;
    }

    private string[] Command(string command)
    {
        var file = Path.Combine(_directory, "orders.ndjson");
        File.WriteAllText(file,
            """{"timestamp":"2026-11-27T10:15:30Z","username":"alice","market":"BTC-USD","side":"buy","size":1,"price":1}""" + "\n");
        return command switch
        {
            "get" => ["get", "1", "--url", Url],
            "list" => ["list", "--url", Url],
            "list-all" => ["list", "--url", Url, "--all", "--json"],
            "stats" => ["stats", "--url", Url],
            "send" => ["send", "--url", Url, "--username", "alice", "--market", "BTC-USD", "--side", "buy", "--size", "1", "--price", "1"],
            "replay" => ["replay", "--url", Url, "--file", file],
            _ => throw new ArgumentOutOfRangeException(nameof(command)),
        };
    }

    [Theory]
    [MemberData(nameof(WrongBodies))]
    public async Task Command_exits_2_printing_what_it_got_when_a_2xx_body_is_not_the_expected_shape(string command, string body)
    {
        var handler = new FakeOrdersHandler((request, _) => FakeOrdersHandler.Json(
            request.Method == HttpMethod.Post ? HttpStatusCode.Created : HttpStatusCode.OK,
            body,
            body.StartsWith('<') ? "text/html" : "application/json"));

        var run = await ClientRun.RunAsync(handler, Command(command));

        Assert.Equal(ExitCodes.Unavailable, run.ExitCode);
        Assert.Contains("answered 20", run.Error);
        Assert.Contains("but not with", run.Error);
        Assert.Contains(body.Length == 0 ? "an empty" : body[..Math.Min(body.Length, 40)], run.Error);
        Assert.Contains("Hint: ", run.Error);
        Assert.DoesNotContain("   at ", run.Error); // no stack trace
    }

    public static TheoryData<string, string, string> WrongUrls() => new()
    {
        // --url as given, the command, the orders URL the hint must name
        { "http://orders.test:7071", "send", "http://orders.test:7071/API/orders" },
        { "http://orders.test:7071/", "list", "http://orders.test:7071/API/orders" },
        { "http://orders.test/api/order", "send", "http://orders.test/API/orders" },
        { "http://orders.test/api/order", "get", "http://orders.test/API/orders" },
        { "http://orders.test/API", "stats", "http://orders.test/API/orders" },
        { "http://orders.test/API/orders/1", "send", "http://orders.test/API/orders" },
        { "http://orders.test/API/orders/stats", "replay", "http://orders.test/API/orders" },
        { "http://orders.test/orders", "list", "http://orders.test/API/orders" },
        { "http://orders.test/gateway/api/v1", "load", "http://orders.test/gateway/API/orders" },
        { "http://orders.test:7071", "load", "http://orders.test:7071/API/orders" },
    };

    [Theory]
    [MemberData(nameof(WrongUrls))]
    public async Task Command_names_the_orders_url_when_the_server_answers_404_or_405(string url, string command, string suggested)
    {
        var handler = new FakeOrdersHandler((request, _) =>
            request.Uri.AbsolutePath.EndsWith("/orders/1", StringComparison.Ordinal) && request.Method == HttpMethod.Post
            ? FakeOrdersHandler.Problem(HttpStatusCode.MethodNotAllowed, """{"title":"Method Not Allowed","status":405}""")
            : new HttpResponseMessage(HttpStatusCode.NotFound));
        var args = command == "load" ? ["load", "--url", url, "--allow-remote", "-c", "1", "-d", "100ms", "--rate", "50"] : Command(command);
        args[Array.IndexOf(args, "--url") + 1] = url;

        var run = await ClientRun.RunAsync(handler, args);

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.Contains($"Hint: --url must be the orders URL, such as {suggested} (given: {new Uri(url)}", run.Error);
        Assert.DoesNotContain("not found (404)", run.Error); // "Order 1 not found" would blame the order
    }

    [Fact]
    public async Task Get_says_the_order_is_not_found_without_a_hint_when_the_url_is_the_orders_url()
    {
        var handler = new FakeOrdersHandler((_, _) => FakeOrdersHandler.Problem(HttpStatusCode.NotFound,
            """{"title":"Not Found","status":404,"detail":"There is no order with id 7."}"""));

        var run = await ClientRun.RunAsync(handler, "get", "7", "--url", "http://orders.test/api/orders/");

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.Equal("Order 7 not found (404): There is no order with id 7.", run.Error.Trim());
    }

    [Theory]
    [InlineData("http://h:1", "http://h:1/API/orders")]
    [InlineData("http://h:1/", "http://h:1/API/orders")]
    [InlineData("http://h/api/order", "http://h/API/orders")]
    [InlineData("http://h/API", "http://h/API/orders")]
    [InlineData("http://h/API/orders/42", "http://h/API/orders")]
    [InlineData("http://h/api/orders/stats?x=1", "http://h/API/orders")]
    [InlineData("http://h/orders", "http://h/API/orders")]
    [InlineData("https://h/proxy/api/", "https://h/proxy/API/orders")]
    public void SuggestedOrdersUrl_keeps_host_and_prefix_and_ends_in_api_orders(string url, string expected) =>
        Assert.Equal(new Uri(expected), new ApiEndpoint(new Uri(url), null).SuggestedOrdersUrl());

    [Fact]
    public void UrlHint_asks_whether_the_host_is_right_when_the_url_already_is_an_orders_url() =>
        Assert.StartsWith("Hint: http://h/api/orders does not answer like the OrderFunctions orders API",
            new ApiEndpoint(new Uri("http://h/api/orders"), null).UrlHint());
}
