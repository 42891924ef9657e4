using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OrderClient;

namespace OrderFunctions.Tests.Client;

public sealed class LoadCommandTests
{
    private const string Url = "http://127.0.0.1:7071/API/orders"; // loopback: load needs --allow-remote anywhere else

    private static FakeOrdersHandler MixedServer() => new((_, index) => (index % 4) switch
    {
        3 => FakeOrdersHandler.Problem(HttpStatusCode.ServiceUnavailable, """{"title":"Service Unavailable","status":503}"""),
        _ when index % 10 == 9 =>
            throw new HttpRequestException(
                HttpRequestError.ConnectionError, "Connection refused", new SocketException((int)SocketError.ConnectionRefused)),
        _ => FakeOrdersHandler.Json(HttpStatusCode.Created, "{}"),
    });

    [Fact]
    public async Task Load_reports_percentiles_status_counts_and_transport_errors_when_server_answers_mixed()
    {
        var handler = MixedServer();

        // Closed loop: as many requests as fit in the second.
        var run = await ClientRun.RunAsync(handler, "load", "--url", Url, "--per-request", "--connections", "2", "--duration", "1s");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("latency ms   p50 ", run.Output);
        Assert.Contains(" p90 ", run.Output);
        Assert.Contains(" p99 ", run.Output);
        Assert.Contains(" p99.9 ", run.Output);
        Assert.Contains(" max ", run.Output);
        Assert.Contains("201: ", run.Output);
        Assert.Contains("503: ", run.Output);
        Assert.Contains("ConnectionError: ", run.Output);
        Assert.Contains("orders/s", run.Output);
    }

    [Fact]
    public async Task Load_prints_json_summary_and_never_retries_when_json_is_requested()
    {
        var handler = MixedServer();

        // Open loop: 40 scheduled requests, sent however busy the machine is.
        var run = await ClientRun.RunAsync(handler, "load", "--url", Url, "--per-request", "-c", "2", "-d", "200ms", "--rate", "200", "--json");

        var report = JsonDocument.Parse(run.Output).RootElement;
        var requests = report.GetProperty("requests").GetInt64();
        var notSent = report.GetProperty("notSent").GetInt64();
        Assert.Equal(handler.Requests.Count, requests + notSent); // every 503 and refused connection counted once: no retries
        var statuses = report.GetProperty("statusCodes");
        Assert.True(statuses.GetProperty("503").GetInt64() > 0);
        Assert.Equal(requests, statuses.GetProperty("201").GetInt64() + statuses.GetProperty("503").GetInt64());
        Assert.Equal(notSent, report.GetProperty("transportErrors").GetProperty("ConnectionError").GetInt64());
    }

    /// <summary>
    /// One connection, closed loop, on a fake clock that the fake server moves on by 1, 2, 3, 4, 1, 2... ms per answer:
    /// the report must show exactly those latencies (to HdrHistogram's 3 significant digits) and their throughput.
    /// </summary>
    [Fact]
    public async Task Load_reports_the_latencies_and_throughput_of_the_answers_when_each_answer_takes_a_known_time()
    {
        var clock = new FakeTimeProvider();
        var taken = new List<double>();
        var handler = new FakeOrdersHandler((_, index) =>
        {
            var ms = index % 4 + 1;
            clock.Advance(TimeSpan.FromMilliseconds(ms));
            taken.Add(ms);
            return FakeOrdersHandler.Json(HttpStatusCode.Created, "{}");
        });

        var run = await ClientRun.RunAsync(
            new ClientRunSettings { Handler = handler, Clock = clock }, "load", "--url", Url, "--per-request", "-c", "1", "-d", "1s", "--json");

        var report = JsonDocument.Parse(run.Output).RootElement;
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(400, taken.Count);                                   // 100 rounds of 1+2+3+4 ms fill the second
        Assert.Equal(taken.Count, report.GetProperty("requests").GetInt64());
        Assert.Equal(1.0, report.GetProperty("elapsedSeconds").GetDouble());
        Assert.Equal(taken.Count / 1.0, report.GetProperty("requestsPerSecond").GetDouble());
        var sorted = taken.Order().ToList();
        double Rank(double percentile) => sorted[(int)Math.Ceiling(percentile / 100 * sorted.Count) - 1];
        var latency = report.GetProperty("latencyMs");
        var expectations = new[]
        {
            ("p50", Rank(50)), ("p90", Rank(90)), ("p99", Rank(99)), ("p99.9", Rank(99.9)), ("max", sorted[^1]), ("mean", taken.Average()),
        };
        foreach (var (name, expected) in expectations)
        {
            Assert.InRange(latency.GetProperty(name).GetDouble(), expected, expected * 1.001 + 0.001);
        }
    }

    [Fact]
    public async Task Load_reports_0_sent_and_the_connection_error_when_connection_is_refused()
    {
        var clock = new FakeTimeProvider();
        var handler = new FakeOrdersHandler((_, _) =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            throw new HttpRequestException(
                HttpRequestError.ConnectionError, "Connection refused (orders.test:80)", new SocketException((int)SocketError.ConnectionRefused));
        });

        var json = await ClientRun.RunAsync(
            new ClientRunSettings { Handler = handler, Clock = clock }, "load", "--url", Url, "--per-request", "-c", "1", "-d", "100ms", "--json");
        var text = await ClientRun.RunAsync(
            new ClientRunSettings { Handler = handler, Clock = clock }, "load", "--url", Url, "--per-request", "-c", "1", "-d", "100ms");

        var report = JsonDocument.Parse(json.Output).RootElement;
        Assert.Equal(ExitCodes.Unavailable, json.ExitCode);
        Assert.Equal(0, report.GetProperty("requests").GetInt64());
        Assert.Equal(0, report.GetProperty("orders").GetInt64());
        Assert.Equal(0, report.GetProperty("ordersPerSecond").GetDouble());
        Assert.Equal(100, report.GetProperty("notSent").GetInt64());
        Assert.Equal($"could not connect to {Url}: connection refused (is the server running on that port?)",
            report.GetProperty("error").GetString());
        Assert.Contains("  requests     0 sent, 0 accepted (2xx), 100 not sent (no connection)", text.Output);
        Assert.Contains("  throughput   0.0 orders/s", text.Output);
        Assert.Contains($"  first error  could not connect to {Url}: connection refused", text.Output);
    }

    [Fact]
    public async Task Load_posts_arrays_of_valid_varied_orders_when_batch_is_given()
    {
        var handler = new FakeOrdersHandler((_, _) => FakeOrdersHandler.Json(HttpStatusCode.Created, "[]"));

        var run = await ClientRun.RunAsync(
            handler, "load", "--url", Url, "--per-request", "-c", "2", "-d", "200ms", "--rate", "50", "--batch", "5", "--key", "k");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.InRange(handler.Requests.Count, 9, 11);
        var orders = handler.Requests.SelectMany(r => JsonDocument.Parse(r.Body).RootElement.EnumerateArray()).ToList();
        Assert.All(handler.Requests, r => Assert.Equal("k", r.Key));
        Assert.All(handler.Requests, r => Assert.Equal(5, JsonDocument.Parse(r.Body).RootElement.GetArrayLength()));
        Assert.All(orders, o =>
        {
            Assert.True(o.GetProperty("size").GetDecimal() > 0);
            Assert.True(o.GetProperty("price").GetDecimal() > 0);
            Assert.Contains(o.GetProperty("side").GetString(), new[] { "buy", "sell" });
        });
        Assert.True(orders.Select(o => o.GetProperty("username").GetString()).Distinct().Count() > 1);
        Assert.True(orders.Select(o => o.GetProperty("market").GetString()).Distinct().Count() > 1);
    }

    [Fact]
    public async Task Load_sends_the_scheduled_number_of_requests_when_rate_is_given()
    {
        var handler = new FakeOrdersHandler((_, _) => FakeOrdersHandler.Json(HttpStatusCode.Created, "{}"));

        // 100 requests/s over 2 connections for 300 ms: each sender has 15 intended send times.
        var run = await ClientRun.RunAsync(handler, "load", "--url", Url, "--per-request", "-c", "2", "-d", "300ms", "--rate", "100", "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.InRange(handler.Requests.Count, 29, 31);
        Assert.Equal(100, JsonDocument.Parse(run.Output).RootElement.GetProperty("targetRate").GetDouble());
    }

    [Fact]
    public async Task Load_exits_2_when_every_request_fails_in_transport()
    {
        var handler = new FakeOrdersHandler((_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"));

        var run = await ClientRun.RunAsync(handler, "load", "--url", Url, "--per-request", "-c", "1", "-d", "100ms", "--rate", "100");

        Assert.Equal(ExitCodes.Unavailable, run.ExitCode);
        Assert.Contains("transport errors ConnectionError", run.Output);
    }

    [Fact]
    public async Task Load_sends_marked_orders_through_the_sender_and_reports_every_one_acknowledged_by_default()
    {
        var handler = new FakeOrdersHandler((request, _) =>
        {
            using var orders = JsonDocument.Parse(request.Body);
            var stored = string.Join(",", orders.RootElement.EnumerateArray().Select((_, i) => $$"""{"id":{{i + 1}}}"""));
            return FakeOrdersHandler.Json(HttpStatusCode.Created, $"[{stored}]");
        });

        var run = await ClientRun.RunAsync(handler, "load", "--url", Url, "-d", "200ms", "--rate", "500", "--batch", "50", "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var report = JsonDocument.Parse(run.Output).RootElement;
        var enqueued = report.GetProperty("enqueued").GetInt64();
        Assert.True(enqueued > 0, run.Output);
        Assert.Equal(enqueued, report.GetProperty("stored").GetInt64());
        Assert.Equal(0, report.GetProperty("left").GetInt64());
        var sent = handler.Requests.SelectMany(r => JsonDocument.Parse(r.Body).RootElement.EnumerateArray()).ToList();
        Assert.Equal(enqueued, sent.Count);
        Assert.All(handler.Requests, r => Assert.InRange(JsonDocument.Parse(r.Body).RootElement.GetArrayLength(), 1, 50));
        Assert.All(sent, o => Assert.StartsWith(LoadGenerator.UsernamePrefix, o.GetProperty("username").GetString()));
        Assert.All(sent, o => Assert.StartsWith(LoadGenerator.MarketPrefix, o.GetProperty("market").GetString()));
        Assert.Equal(sent.Count, sent.Select(o => o.GetProperty("clientOrderId").GetString()).Distinct().Count());
    }
}
