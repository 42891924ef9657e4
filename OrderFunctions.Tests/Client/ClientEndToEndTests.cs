using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OrderClient;
using OrderFunctions.Tests.Client;

using OrderFunctions.Tests.Support;

using OrderFunctions.Tests.Hosting;
namespace OrderFunctions.Tests.Client;

/// <summary>
/// The client's commands run in-process (<see cref="OrderClientApp.RunAsync(string[], TextWriter, TextWriter)"/>, the
/// same entry point as the executable) against the standalone host over a real socket; rows are read back from its
/// SQLite file. One host serves the class; each test uses its own usernames. Every client run has a deadline
/// (<see cref="ClientRun.Deadline"/>) and the host's start has its own, so a regression fails instead of hanging.
/// </summary>
public sealed class ClientEndToEndTests(ClientEndToEndTests.HostFixture fixture) : IClassFixture<ClientEndToEndTests.HostFixture>
{
    public sealed class HostFixture : IAsyncLifetime
    {
        public StandaloneApplication Host { get; private set; } = null!;
        public async Task InitializeAsync() => Host = await StandaloneApplication.StartAsync();
        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    private sealed record Row(long Id, string Timestamp, string Market, string Side, long Size, long Price, string? ClientOrderId);

    private string Url => fixture.Host.OrdersUrl.ToString();

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var run = await ClientRun.RunAsync(new ClientRunSettings(), args);
        return (run.ExitCode, run.Output, run.Error);
    }

    private List<Row> Rows(string username)
    {
        using var connection = new SqliteConnection($"Data Source={fixture.Host.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, timestamp, market, side, size, price, client_order_id FROM Orders WHERE username = $username ORDER BY id";
        command.Parameters.AddWithValue("$username", username);
        using var reader = command.ExecuteReader();
        var rows = new List<Row>();
        while (reader.Read())
        {
            rows.Add(new Row(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetInt64(4), reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        }
        return rows;
    }

    private static string NewUser(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..40];

    [Fact]
    public async Task Send_stores_exact_units_in_sqlite_when_run_against_standalone_host()
    {
        var user = NewUser("e2e-send");

        var (exit, output, error) = await RunAsync("send", "--url", Url, "--username", user, "--market", "BTC-USD",
            "--side", "buy", "--size", "0.1", "--price", "43000.12345678", "--timestamp", "2026-11-27T10:15:30.123456Z");

        Assert.True(exit == ExitCodes.Success, error);
        Assert.Contains("Stored order", output);
        var row = Assert.Single(Rows(user));
        Assert.Equal(10_000_000, row.Size);               // 0.1 in units of 1e-8
        Assert.Equal(4_300_012_345_678, row.Price);       // 43000.12345678 in units of 1e-8
        Assert.Equal("BTC-USD", row.Market);
        Assert.Equal("buy", row.Side);
        Assert.Equal("2026-11-27T10:15:30.1234560Z", row.Timestamp);
        Assert.Matches("^[0-9a-f]{32}$", row.ClientOrderId);
        Assert.Contains($"id             {row.Id}", output);
    }

    [Fact]
    public async Task Send_reports_replay_and_stores_once_when_same_order_is_sent_twice()
    {
        var user = NewUser("e2e-idem");
        string[] args = ["send", "--url", Url, "--username", user, "--market", "ETH-USD", "--side", "sell", "--size", "2.5",
            "--price", "3000", "--timestamp", "2026-11-27T10:15:30Z", "--client-order-id", "idem-1"];

        var first = await RunAsync(args);
        var second = await RunAsync(args);

        Assert.Equal(ExitCodes.Success, first.Exit);
        Assert.Equal(ExitCodes.Success, second.Exit);
        Assert.Contains("idempotent replay", second.Output);
        Assert.Single(Rows(user));
    }

    [Theory]
    [InlineData("--market", "BTC USD", "market: must be letters, digits")]
    [InlineData("--size", "-1", "size: must be greater than 0")]
    public async Task Send_exits_1_with_field_error_when_server_rejects_a_field(string option, string value, string expected)
    {
        var user = NewUser("e2e-bad");
        string[] args = ["send", "--url", Url, "--username", user, "--market", "BTC-USD", "--side", "buy", "--size", "1", "--price", "1"];
        args[Array.IndexOf(args, option) + 1] = value;

        var (exit, _, error) = await RunAsync(args);

        Assert.Equal(ExitCodes.Rejected, exit);
        Assert.Contains("(400)", error);
        Assert.Contains("  " + expected, error);
        Assert.Empty(Rows(user));
    }

    [Fact]
    public async Task Send_exits_2_with_clear_message_when_port_is_closed()
    {
        var url = $"http://127.0.0.1:{ClosedPort()}/API/orders";

        var (exit, _, error) = await RunAsync("send", "--url", url, "--retries", "1", "--username", "nobody",
            "--market", "BTC-USD", "--side", "buy", "--size", "1", "--price", "1");

        Assert.Equal(ExitCodes.Unavailable, exit);
        Assert.Contains($"could not connect to {url}: connection refused", error);
    }

    [Fact]
    public async Task Replay_leaves_each_order_exactly_once_when_file_is_replayed_twice()
    {
        var user = NewUser("e2e-replay");
        var directory = Directory.CreateTempSubdirectory("client-e2e-").FullName;
        try
        {
            var file = Path.Combine(directory, "orders.ndjson");
            File.WriteAllLines(file,
            [
                $$"""{"timestamp":"2026-11-27T10:15:30Z","username":"{{user}}","market":"BTC-USD","side":"buy","size":0.1,"price":43000.12345678}""",
                $$"""{"timestamp":"2026-11-27T10:15:31Z","username":"{{user}}","market":"BTC-USD","side":"sell","size":0.2,"price":-1}""",
                $$"""{"timestamp":"2026-11-27T10:15:32Z","username":"{{user}}","market":"ETH-USD","side":"buy","size":"1.5","price":3000}""",
                $$"""{"timestamp":"2026-11-27T10:15:33Z","username":"{{user}}","market":"SOL-USD","side":"SELL","size":3,"price":150.25}""",
            ]);

            var first = await RunAsync("replay", "--url", Url, "--file", file, "--batch", "2");
            var second = await RunAsync("replay", "--url", Url, "--file", file, "--batch", "2");

            Assert.Equal(ExitCodes.Rejected, first.Exit);
            // The invalid order is rejected by the server's own validator before sending: read 4, sent 3.
            Assert.Contains("4 read, 3 sent, 3 stored, 0 already stored (replayed), 1 rejected", first.Output);
            Assert.Contains("4 read, 3 sent, 0 stored, 3 already stored (replayed), 1 rejected", second.Output);
            var rows = Rows(user);
            Assert.Equal(3, rows.Count);
            Assert.Equal(3, rows.Select(r => r.ClientOrderId).Distinct().Count());
            Assert.Equal([10_000_000L, 150_000_000L, 300_000_000L], rows.Select(r => r.Size));
            var reject = Assert.Single(File.ReadAllLines(file + ".rejected.ndjson"));
            var rejected = JsonDocument.Parse(reject).RootElement;
            Assert.Equal(2, rejected.GetProperty("line").GetInt32());
            Assert.Equal(["must be greater than 0"], rejected.GetProperty("errors").GetProperty("price").EnumerateArray().Select(m => m.GetString()));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Get_list_and_stats_read_back_what_send_stored_when_run_against_standalone_host()
    {
        var user = NewUser("e2e-read");
        string[] Send(string side, string size, string price, string second) =>
            ["send", "--url", Url, "--username", user, "--market", "XRP-USD", "--side", side, "--size", size,
             "--price", price, "--timestamp", $"2026-11-27T10:15:{second}Z"];
        Assert.Equal(ExitCodes.Success, (await RunAsync(Send("buy", "0.1", "0.5", "01"))).Exit);
        Assert.Equal(ExitCodes.Success, (await RunAsync(Send("sell", "0.2", "0.25", "02"))).Exit);
        var first = Rows(user)[0];

        var get = await RunAsync("get", first.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--url", Url, "--json");
        var list = await RunAsync("list", "--url", Url, "--username", user, "--limit", "1", "--all", "--json");
        var stats = await RunAsync("stats", "--url", Url, "--username", user, "--json");
        var missing = await RunAsync("get", "999999999", "--url", Url);

        Assert.Equal(ExitCodes.Success, get.Exit);
        Assert.Equal(0.5m, JsonDocument.Parse(get.Output).RootElement.GetProperty("price").GetDecimal());
        Assert.Equal(ExitCodes.Success, list.Exit);
        var items = JsonDocument.Parse(list.Output).RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([0.1m, 0.2m], items.Select(o => o.GetProperty("size").GetDecimal()));
        Assert.Equal(ExitCodes.Success, stats.Exit);
        var market = Assert.Single(JsonDocument.Parse(stats.Output).RootElement.GetProperty("markets").EnumerateArray());
        Assert.Equal(2, market.GetProperty("count").GetInt64());
        Assert.Equal(0.1m, market.GetProperty("notional").GetDecimal());   // 0.1 x 0.5 + 0.2 x 0.25, exactly
        Assert.Equal(ExitCodes.Rejected, missing.Exit);
        Assert.Contains("not found (404)", missing.Error);
    }

    [Fact]
    public async Task Load_reports_0_sent_and_the_connection_error_when_port_is_closed()
    {
        var url = $"http://127.0.0.1:{ClosedPort()}/API/orders";

        var (exit, output, _) = await RunAsync("load", "--url", url, "--per-request", "-c", "2", "-d", "300ms", "--json");

        var report = JsonDocument.Parse(output).RootElement;
        Assert.Equal(ExitCodes.Unavailable, exit);
        Assert.Equal(0, report.GetProperty("requests").GetInt64());
        Assert.Equal(0, report.GetProperty("requestsPerSecond").GetDouble());
        Assert.True(report.GetProperty("notSent").GetInt64() > 0);
        Assert.Equal($"could not connect to {url}: connection refused (is the server running on that port?)",
            report.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("/api/order")]
    public async Task Send_names_the_orders_url_when_url_is_wrong_on_the_standalone_host(string path)
    {
        var url = fixture.Host.BaseAddress + path.TrimStart('/');
        var user = NewUser("e2e-url");

        var (exit, _, error) = await RunAsync("send", "--url", url, "--username", user, "--market", "BTC-USD",
            "--side", "buy", "--size", "1", "--price", "1");

        Assert.Equal(ExitCodes.Rejected, exit);
        Assert.Contains($"Hint: --url must be the orders URL, such as {fixture.Host.OrdersUrl}", error);
        Assert.Empty(Rows(user));
    }

    [Fact]
    public async Task List_exits_2_printing_what_it_got_when_url_is_an_order_url()
    {
        var user = NewUser("e2e-shape");
        Assert.Equal(ExitCodes.Success, (await RunAsync("send", "--url", Url, "--username", user, "--market", "BTC-USD",
            "--side", "buy", "--size", "1", "--price", "1")).Exit);
        var id = Rows(user)[0].Id;

        var (exit, _, error) = await RunAsync("list", "--url", $"{Url}/{id}");

        Assert.Equal(ExitCodes.Unavailable, exit);
        Assert.Contains($"answered 200, but not with a page of orders", error);
        Assert.Contains($"Hint: --url must be the orders URL, such as {fixture.Host.OrdersUrl}", error);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
