using System.Net;
using System.Text.Json;
using OrderClient;

namespace OrderFunctions.Tests.Client;

public sealed class ReplayCommandTests : IDisposable
{
    private const string Url = "http://orders.test/API/orders";
    private readonly string _directory = Directory.CreateTempSubdirectory("replay-command-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Line(string user, string price) =>
        $$"""{"timestamp":"2026-11-27T10:15:30Z","username":"{{user}}","market":"BTC-USD","side":"buy","size":1,"price":{{price}}}""";

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>A fake server with the real one's batch rules: all or nothing, "[i].price" errors, idempotent ids.</summary>
    private sealed class FakeServer
    {
        private readonly HashSet<string> _stored = [];
        public FakeOrdersHandler Handler { get; }
        public IReadOnlyCollection<string> Stored => _stored;

        public FakeServer(Func<int, HttpResponseMessage?>? interrupt = null)
        {
            Handler = new FakeOrdersHandler((request, index) =>
            {
                if (interrupt?.Invoke(index) is { } response) return response;
                using var body = JsonDocument.Parse(request.Body);
                var orders = body.RootElement.EnumerateArray().ToList();
                var errors = new List<string>();
                for (var i = 0; i < orders.Count; i++)
                {
                    if (orders[i].GetProperty("price").ValueKind != JsonValueKind.Number || orders[i].GetProperty("price").GetDecimal() <= 0)
                    {
                        errors.Add($"\"[{i}].price\":[\"must be greater than 0\"]");
                    }
                }
                if (errors.Count > 0)
                {
                    return FakeOrdersHandler.Problem(HttpStatusCode.BadRequest,
                        """{"title":"One or more validation errors occurred.","status":400,"errors":{""" + string.Join(",", errors) + "}}");
                }
                var ids = orders.Select(o => o.GetProperty("clientOrderId").GetString()!).ToList();
                var allKnown = ids.All(_stored.Contains);
                _stored.UnionWith(ids);
                var stored = "[" + string.Join(",", orders.Select((o, i) =>
                    $$"""{"id":{{i + 1}},"timestamp":"2026-11-27T10:15:30Z","username":"{{o.GetProperty("username").GetString()}}","market":"BTC-USD","side":"buy","size":1,"price":{{o.GetProperty("price").GetRawText()}},"clientOrderId":"{{ids[i]}}"}""")) + "]";
                var reply = FakeOrdersHandler.Json(allKnown ? HttpStatusCode.OK : HttpStatusCode.Created, stored);
                if (allKnown) reply.Headers.Add("Idempotent-Replayed", "true");
                return reply;
            });
        }
    }

    [Fact]
    public async Task Replay_writes_rejects_with_the_servers_messages_and_sends_the_rest_when_orders_break_its_rules()
    {
        var file = Write("orders.ndjson", Line("a", "1"), Line("b", "-5"), Line("c", "3"), Line("d", "0"), Line("e", "5"));
        var server = new FakeServer();

        var run = await ClientRun.RunAsync(server.Handler, "replay", "--url", Url, "--file", file, "--batch", "3");

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.Equal(3, server.Stored.Count);
        Assert.Contains("5 read, 3 sent, 3 stored, 0 already stored (replayed), 2 rejected", run.Output);
        // b and d are rejected here by the server's own validator (OrderValidator), so the batch is [a,c,e], sent once.
        // The sender removing elements a 400 names and resending the rest: OrderSenderResponseTests.
        Assert.Equal([3], server.Handler.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetArrayLength()));
        var rejects = File.ReadAllLines(file + ".rejected.ndjson").Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([2, 4], rejects.Select(r => r.GetProperty("line").GetInt32()));
        Assert.Equal("must be greater than 0", rejects[0].GetProperty("errors").GetProperty("price")[0].GetString());
        Assert.Equal("b", rejects[0].GetProperty("order").GetProperty("username").GetString());
        Assert.EndsWith("-2", rejects[0].GetProperty("order").GetProperty("clientOrderId").GetString());
    }

    [Fact]
    public async Task Replay_stores_nothing_twice_when_same_file_is_replayed_again()
    {
        var file = Write("orders.ndjson", Line("a", "1"), Line("b", "2"), Line("c", "3"));
        var server = new FakeServer();

        var first = await ClientRun.RunAsync(server.Handler, "replay", "--url", Url, "--file", file, "--batch", "2");
        var second = await ClientRun.RunAsync(server.Handler, "replay", "--url", Url, "--file", file, "--batch", "2");

        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Contains("3 stored, 0 already stored", first.Output);
        Assert.Contains("0 stored, 3 already stored", second.Output);
        Assert.Equal(3, server.Stored.Count);
        var requests = server.Handler.Requests;
        Assert.Equal(requests[0].Body, requests[2].Body);
        Assert.Equal(requests[1].Body, requests[3].Body);
        Assert.False(File.Exists(file + ".rejected.ndjson"));
    }

    [Fact]
    public async Task Replay_exits_2_and_says_how_to_resume_when_server_stays_unavailable()
    {
        var file = Write("orders.ndjson", Line("a", "1"), Line("b", "2"), Line("c", "3"));
        var server = new FakeServer(index => index >= 1
            ? throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused")
            : null);

        var run = await ClientRun.RunAsync(server.Handler, "replay", "--url", Url, "--file", file, "--batch", "2", "--retries", "1");

        Assert.Equal(ExitCodes.Unavailable, run.ExitCode);
        Assert.Equal(2, server.Stored.Count);
        Assert.Contains("Replay stopped at line 3", run.Error);
        Assert.Contains("To resume, run the same command again", run.Error);
    }

    [Fact]
    public async Task Replay_writes_local_errors_and_csv_orders_when_file_is_csv()
    {
        var file = Path.Combine(_directory, "orders.csv");
        File.WriteAllText(file, "timestamp,username,market,side,size,price\n2026-11-27T10:15:30Z,alice,BTC-USD,buy,0.1,43000.12345678\nshort,row\n");
        var server = new FakeServer();

        var run = await ClientRun.RunAsync(server.Handler, "replay", "--url", Url, "--file", file,
            "--rejects", Path.Combine(_directory, "bad.ndjson"));

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        var sent = JsonDocument.Parse(Assert.Single(server.Handler.Requests).Body).RootElement;
        if (sent.ValueKind == JsonValueKind.Array) sent = Assert.Single(sent.EnumerateArray());
        Assert.Equal(("0.1", "43000.12345678"), (sent.GetProperty("size").GetRawText(), sent.GetProperty("price").GetRawText()));
        var reject = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "bad.ndjson"))).RootElement;
        Assert.Equal(3, reject.GetProperty("line").GetInt32());
        Assert.Equal("short,row", reject.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Replay_rejects_conflicting_element_and_stores_rest_when_server_answers_409_with_index()
    {
        var file = Write("orders.ndjson", Line("a", "1"), Line("b", "2"));
        var server = new FakeServer(index => index == 0
            ? FakeOrdersHandler.Problem(HttpStatusCode.Conflict,
                """{"title":"Conflict","status":409,"detail":"Order [1]: clientOrderId 'x' was already used","index":1,"existingId":4}""")
            : null);

        var run = await ClientRun.RunAsync(server.Handler, "replay", "--url", Url, "--file", file);

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.Single(server.Stored);
        var reject = JsonDocument.Parse(File.ReadAllText(file + ".rejected.ndjson")).RootElement;
        Assert.Equal(2, reject.GetProperty("line").GetInt32());
        Assert.Contains("already used", reject.GetProperty("errors").GetProperty("clientOrderId")[0].GetString());
    }

    [Fact]
    public async Task Replay_splits_batch_in_halves_when_server_answers_413()
    {
        var file = Write("orders.ndjson", Line("a", "1"), Line("b", "2"), Line("c", "3"), Line("d", "4"));
        var server = new FakeServer(index => index == 0
            ? FakeOrdersHandler.Problem(HttpStatusCode.RequestEntityTooLarge, """{"title":"Payload Too Large","status":413}""")
            : null);

        var run = await ClientRun.RunAsync(server.Handler, "replay", "--url", Url, "--file", file);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal([4, 2, 2], server.Handler.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetArrayLength()));
        Assert.Equal(4, server.Stored.Count);
    }

    [Fact]
    public async Task Replay_prints_summary_so_far_and_how_to_resume_and_exits_130_when_interrupted()
    {
        var file = Write("orders.ndjson", Line("a", "1"), Line("b", "2"), Line("c", "3"), Line("d", "4"), Line("e", "5"));
        using var ctrlC = new CancellationTokenSource();
        var server = new FakeServer(index =>
        {
            if (index != 1) return null;
            // Ctrl-C while the second batch is in flight: the socket handler gives up with the token.
            ctrlC.Cancel();
            throw new TaskCanceledException("The operation was canceled.", null, ctrlC.Token);
        });

        var interrupted = await ClientRun.RunAsync(new ClientRunSettings { Handler = server.Handler, CancellationToken = ctrlC.Token },
            "replay", "--url", Url, "--file", file, "--batch", "2");
        var resumed = await ClientRun.RunAsync(server.Handler, "replay", "--url", Url, "--file", file, "--batch", "2");

        // The file is read while the sender sends, so how far each had got at Ctrl-C varies; what must hold: the
        // interrupted run says so and where, and the resumed run stores every order, none twice (the rest replayed).
        Assert.Equal(ExitCodes.Interrupted, interrupted.ExitCode);
        Assert.StartsWith("Interrupted: Replay of " + file + ": ", interrupted.Output);
        Assert.Contains(". To resume, run the same command again", interrupted.Error);
        Assert.Equal(ExitCodes.Success, resumed.ExitCode);
        var counts = System.Text.RegularExpressions.Regex.Match(
            resumed.Output, @"5 read, 5 sent, (\d) stored, (\d) already stored \(replayed\), 0 rejected");
        Assert.True(counts.Success, resumed.Output);
        Assert.Equal(5, server.Stored.Count);
    }

    [Theory]
    [InlineData("orders.json")]
    [InlineData("orders.ndjson")]
    [InlineData("orders.txt")]
    [InlineData("orders")]
    public async Task Replay_sends_every_element_when_file_is_a_json_array(string name)
    {
        var file = Write(name, "[", "  " + Line("a", "1") + ",", "  " + Line("b", "-5") + ",", "", "  " + Line("c", "3"), "]");
        var server = new FakeServer();

        var run = await ClientRun.RunAsync(server.Handler, "replay", "--url", Url, "--file", file, "--batch", "2");

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.Contains("3 read, 2 sent, 2 stored, 0 already stored (replayed), 1 rejected", run.Output);
        Assert.Equal(2, server.Stored.Count);
        var reject = JsonDocument.Parse(File.ReadAllText(file + ".rejected.ndjson")).RootElement;
        Assert.Equal(2, reject.GetProperty("element").GetInt32());
        Assert.Equal("b", reject.GetProperty("order").GetProperty("username").GetString());
        Assert.EndsWith("-2", reject.GetProperty("order").GetProperty("clientOrderId").GetString());
    }

    [Fact]
    public async Task Replay_exits_1_saying_where_when_a_json_array_breaks_off()
    {
        var file = Write("orders.json", "[" + Line("a", "1") + ",", Line("b", "2") + ",", """{"timestamp":""");
        var server = new FakeServer();

        var run = await ClientRun.RunAsync(server.Handler, "replay", "--url", Url, "--file", file, "--batch", "1");

        // The serializer reads a buffer at a time: the elements before the break in the same buffer may or may not be sent.
        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.Contains("is not a valid JSON array after element ", run.Error);
        Assert.InRange(server.Stored.Count, 0, 2);
    }

    [Fact]
    public async Task Replay_exits_1_naming_the_column_when_csv_header_lacks_one()
    {
        var file = Path.Combine(_directory, "orders.csv");
        File.WriteAllText(file, "timestamp,username,market,side,price\n2026-11-27T10:15:30Z,alice,BTC-USD,buy,1\n");
        var server = new FakeServer();

        var run = await ClientRun.RunAsync(server.Handler, "replay", "--url", Url, "--file", file);

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.Contains("lacks the column(s) size", run.Error);
        Assert.Empty(server.Handler.Requests);
    }
}
