using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using OrderClient;

namespace OrderFunctions.Tests.Client;

public sealed class LoadCommandTests
{
    private const string Url = "http://orders.test/API/orders";

    private static FakeOrdersHandler MixedServer() => new((_, index) => (index % 4) switch
    {
        3 => FakeOrdersHandler.Problem(HttpStatusCode.ServiceUnavailable, """{"title":"Service Unavailable","status":503}"""),
        _ when index % 10 == 9 => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused", new SocketException((int)SocketError.ConnectionRefused)),
        _ => FakeOrdersHandler.Json(HttpStatusCode.Created, "{}"),
    });

    [Fact]
    public async Task Load_reports_percentiles_status_counts_and_transport_errors_when_server_answers_mixed()
    {
        var handler = MixedServer();

        // Closed loop: as many requests as fit in the second.
        var run = await ClientRun.RunAsync(handler, "load", "--url", Url, "--connections", "2", "--duration", "1s");

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
        var run = await ClientRun.RunAsync(handler, "load", "--url", Url, "-c", "2", "-d", "200ms", "--rate", "200", "--json");

        var report = JsonDocument.Parse(run.Output).RootElement;
        var requests = report.GetProperty("requests").GetInt64();
        Assert.Equal(handler.Requests.Count, requests); // every 503 and refused connection counted once: no retries
        var statuses = report.GetProperty("statusCodes");
        Assert.True(statuses.GetProperty("503").GetInt64() > 0);
        Assert.Equal(requests, statuses.GetProperty("201").GetInt64() + statuses.GetProperty("503").GetInt64()
            + report.GetProperty("transportErrors").GetProperty("ConnectionError").GetInt64());
        var latency = report.GetProperty("latencyMs");
        foreach (var name in new[] { "p50", "p90", "p99", "p99.9", "max" }) Assert.True(latency.GetProperty(name).GetDouble() > 0, name);
        Assert.True(report.GetProperty("ordersPerSecond").GetDouble() > 0);
    }

    [Fact]
    public async Task Load_posts_arrays_of_valid_varied_orders_when_batch_is_given()
    {
        var handler = new FakeOrdersHandler((_, _) => FakeOrdersHandler.Json(HttpStatusCode.Created, "[]"));

        var run = await ClientRun.RunAsync(handler, "load", "--url", Url, "-c", "2", "-d", "200ms", "--rate", "50", "--batch", "5", "--key", "k");

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
        var run = await ClientRun.RunAsync(handler, "load", "--url", Url, "-c", "2", "-d", "300ms", "--rate", "100", "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.InRange(handler.Requests.Count, 29, 31);
        Assert.Equal(100, JsonDocument.Parse(run.Output).RootElement.GetProperty("targetRate").GetDouble());
    }

    [Fact]
    public async Task Load_exits_2_when_every_request_fails_in_transport()
    {
        var handler = new FakeOrdersHandler((_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"));

        var run = await ClientRun.RunAsync(handler, "load", "--url", Url, "-c", "1", "-d", "100ms", "--rate", "100");

        Assert.Equal(ExitCodes.Unavailable, run.ExitCode);
        Assert.Contains("transport errors ConnectionError", run.Output);
    }
}
