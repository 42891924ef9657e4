using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using OrderClient;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Client;

/// <summary>
/// What the client tells a user who runs it as a new user would: the same send twice, a server that is not there,
/// load aimed at a remote server, a listing over pages, a mistyped argument. Each message says what happened and the fix.
/// </summary>
public sealed class ClientMessagesTests(ClientMessagesTests.HostFixture fixture) : IClassFixture<ClientMessagesTests.HostFixture>
{
    public sealed class HostFixture : IAsyncLifetime
    {
        public StandaloneApplication Host { get; private set; } = null!;
        public async Task InitializeAsync() => Host = await StandaloneApplication.StartAsync();
        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    private string[] Send(string user, string clientOrderId, string price = "43000") =>
        ["send", "--url", fixture.Host.OrdersUrl.ToString(), "--username", user, "--market", "BTC-USD", "--side", "buy",
            "--size", "0.1", "--price", price, "--client-order-id", clientOrderId];

    [Fact]
    public async Task Send_recognises_the_stored_order_and_exits_0_when_the_same_command_is_run_again()
    {
        // Arrange: the same command twice; --timestamp is left out, so each run stamps its own "now".
        var user = $"rerun-{Guid.NewGuid():N}"[..30];
        var first = await ClientRun.RunAsync(new ClientRunSettings(), Send(user, "X"));

        // Act
        var again = await ClientRun.RunAsync(new ClientRunSettings(), Send(user, "X"));

        // Assert
        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.Equal(ExitCodes.Success, again.ExitCode);
        Assert.StartsWith("Already stored: clientOrderId X is order ", again.Output);
        Assert.Contains("nothing new was written", again.Output);
        Assert.Contains("--timestamp defaulted to now", again.Error);
        Assert.DoesNotContain("different order", again.Output + again.Error);
    }

    [Fact]
    public async Task Send_names_the_difference_and_exits_1_when_the_client_order_id_was_used_for_another_order()
    {
        // Arrange
        var user = $"reuse-{Guid.NewGuid():N}"[..30];
        await ClientRun.RunAsync(new ClientRunSettings(), Send(user, "Y"));

        // Act
        var other = await ClientRun.RunAsync(new ClientRunSettings(), Send(user, "Y", price: "44000"));

        // Assert
        Assert.Equal(ExitCodes.Rejected, other.ExitCode);
        Assert.Contains("a different order (price 43000, not 44000); nothing was written.", other.Error);
        Assert.Contains("Use a new --client-order-id", other.Error);
    }

    [Fact]
    public async Task Send_says_nothing_was_sent_and_exits_2_when_every_attempt_is_refused()
    {
        // Arrange: a port nobody listens on.
        var port = FreePort();

        // Act
        var run = await ClientRun.RunAsync(new ClientRunSettings(),
            "send", "--url", $"http://127.0.0.1:{port}/API/orders", "--retries", "1", "--username", "alice", "--market", "BTC-USD",
            "--side", "buy", "--size", "0.1", "--price", "43000");

        // Assert
        Assert.Equal(ExitCodes.Unavailable, run.ExitCode);
        Assert.Contains("Nothing was sent: no attempt reached the server.", run.Error);
        Assert.DoesNotContain("may or may not", run.Error);
    }

    [Fact]
    public async Task Send_still_says_may_or_may_not_when_an_attempt_reached_the_server_and_timed_out()
    {
        // Arrange: the server took the request and never answered within the attempt.
        var handler = new FakeOrdersHandler((_, _) => throw new TaskCanceledException("timed out", new TimeoutException()));

        // Act
        var run = await ClientRun.RunAsync(handler, "send", "--url", "http://orders.test/API/orders", "--retries", "0",
            "--username", "alice", "--market", "BTC-USD", "--side", "buy", "--size", "0.1", "--price", "43000");

        // Assert
        Assert.Equal(ExitCodes.Unavailable, run.ExitCode);
        Assert.Contains("may or may not be stored", run.Error);
    }

    [Theory]
    [InlineData("http://orders.example.com/API/orders")]
    [InlineData("https://10.0.0.5:7071/API/orders")]
    public async Task Load_refuses_and_sends_nothing_when_the_server_is_not_this_machine_and_allow_remote_is_absent(string url)
    {
        var handler = new FakeOrdersHandler((_, _) => new HttpResponseMessage(HttpStatusCode.Created));

        var run = await ClientRun.RunAsync(handler, "load", "--url", url, "-c", "1", "-d", "100ms");

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.Contains("Add --allow-remote", run.Error);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Load_marks_every_order_with_the_load_username_and_market_prefixes_when_allowed_remote()
    {
        var handler = new FakeOrdersHandler((_, _) => new HttpResponseMessage(HttpStatusCode.Created));

        var run = await ClientRun.RunAsync(handler, "load", "--url", "http://orders.example.com/API/orders", "--allow-remote", "--per-request",
            "-c", "1", "-d", "200ms", "--rate", "50", "--batch", "3");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.NotEmpty(handler.Requests);
        foreach (var request in handler.Requests)
        {
            foreach (var order in System.Text.Json.JsonDocument.Parse(request.Body).RootElement.EnumerateArray())
            {
                Assert.StartsWith(LoadGenerator.UsernamePrefix, order.GetProperty("username").GetString());
                Assert.StartsWith(LoadGenerator.MarketPrefix, order.GetProperty("market").GetString());
            }
        }
    }

    [Theory]
    [InlineData(new[] { "get", "abc" }, "The order id must be a whole number such as 42 (as printed by send or list), not 'abc'.")]
    [InlineData(new[] { "list", "--limit", "ten" }, "--limit must be a whole number, not 'ten'.")]
    [InlineData(new[] { "load", "-c", "many" }, "--connections must be a whole number, not 'many'.")]
    [InlineData(new[] { "load", "--rate", "fast" }, "--rate must be a number of requests per second such as 200 or 0.5, not 'fast'.")]
    public async Task Argument_errors_speak_the_users_words_and_name_no_dotnet_type(string[] args, string message)
    {
        var handler = new FakeOrdersHandler((_, _) => throw new InvalidOperationException("nothing may be sent"));

        var run = await ClientRun.RunAsync(handler, args);

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.Equal(message, run.Error.Split(Environment.NewLine)[0]);
        Assert.DoesNotContain("System.", run.Error);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task List_keeps_its_columns_from_page_to_page_when_later_values_are_longer()
    {
        // Arrange: page 1 short values, page 2 longer ones (id, username, price, clientOrderId).
        var handler = new FakeOrdersHandler((request, _) => FakeOrdersHandler.Json(HttpStatusCode.OK, request.Uri.Query.Contains("after=p1")
            ? """{"items":[{"id":123456789012,"timestamp":"2026-11-27T10:15:30.1234567+05:30","username":"a-rather-long-username-of-a-desk","market":"BTC-USD","side":"sell","size":12345.12345678,"price":9999999999.99999999,"clientOrderId":"0194c6f1d2a37c0e8a1b2c3d4e5f6a7b"}],"next":null}"""
            : """{"items":[{"id":1,"timestamp":"2026-11-27T10:15:30Z","username":"al","market":"ETH","side":"buy","size":1,"price":2,"clientOrderId":"c"}],"next":"p1"}"""));

        // Act
        var run = await ClientRun.RunAsync(handler, "list", "--url", "http://orders.test/API/orders", "--all");

        // Assert: every row's columns start where the header's do.
        var lines = run.Output.Split(Environment.NewLine);
        var header = lines[0];
        var starts = new[] { "timestamp", "username", "market", "side", "clientOrderId" }.Select(h => header.IndexOf(h, StringComparison.Ordinal))
            .ToArray();
        var rows = lines[2..4];
        Assert.All(rows, row => Assert.All(starts, start => Assert.Equal(' ', row[start - 1])));
        Assert.All(rows, row => Assert.Equal(' ', row[starts[1] - 2]));
        Assert.Equal(rows[0].IndexOf("2026", StringComparison.Ordinal), rows[1].IndexOf("2026", StringComparison.Ordinal));
        Assert.Contains("a-rather-long-u…", rows[1]);
        Assert.Contains("--csv or --json prints them whole", run.Output);
    }

    [Fact]
    public async Task List_prints_rfc_4180_csv_with_every_value_whole_and_the_count_on_stderr_when_csv_is_given()
    {
        var handler = new FakeOrdersHandler((_, _) => FakeOrdersHandler.Json(HttpStatusCode.OK,
            """{"items":[{"id":7,"timestamp":"2026-11-27T10:15:30Z","username":"desk, \"north\"","market":"BTC-USD","side":"buy","size":0.10,"price":43000.12345678,"clientOrderId":"a-rather-long-client-order-id-0001"}],"next":null}"""));

        var run = await ClientRun.RunAsync(handler, "list", "--url", "http://orders.test/API/orders", "--csv");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(
            "id,timestamp,username,market,side,size,price,clientOrderId\r\n" +
            "7,2026-11-27T10:15:30Z,\"desk, \"\"north\"\"\",BTC-USD,buy,0.10,43000.12345678,a-rather-long-client-order-id-0001\r\n",
            run.Output);
        Assert.Contains("1 order.", run.Error);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
