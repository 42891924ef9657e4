using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;
using OrderFunctions.Http;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;
using Xunit.Abstractions;

namespace OrderFunctions.Tests.Storage.Postgres;

/// <summary>
/// A commit whose answer is lost (issue 22, item 1): a proxy between the app and PostgreSQL drops the writer's
/// connection right after forwarding COMMIT, or instead of forwarding it. The writer finds out whether the commit
/// landed: 201 when it did, 503 "nothing was written" only when it proved nothing was, and a 503 saying the outcome is
/// unknown (<c>"outcome": "unknown"</c>) when it cannot ask the database in time; the resend with the same client
/// order id settles it.
/// </summary>
[RequiresPostgres]
public sealed class PostgresCommitOutcomeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestStore _store = null!;
    private TcpFaultProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _store = await TestStore.PostgresAsync(await PostgresTestServer.SharedAsync());
        _proxy = TcpFaultProxy.Start(new NpgsqlConnectionStringBuilder(_store.ConnectionString).Port);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _store.DisposeAsync();
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_201_and_stores_once_when_the_commit_answer_is_lost_after_it_landed()
    {
        // Arrange
        await using var app = App(busyTimeoutSeconds: 10);
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(client, TestOrders.Json(clientOrderId: "warm-up"))).Status);

        // Act: a single order with a client order id, one without, and a batch, each losing its commit's answer.
        var answers = new List<HttpStatusCode>();
        foreach (var (route, body) in new[]
        {
            (OrderRoutes.Orders, TestOrders.Json(clientOrderId: "lost-answer")),
            (OrderRoutes.Orders, TestOrders.Json()),
            (OrderRoutes.Batch, $"[{TestOrders.Json(clientOrderId: "lost-batch-1")},{TestOrders.Json()}]"),
        })
        {
            _proxy.Arm(TcpFault.DropAfterCommit);
            answers.Add((await PostAsync(client, body, route)).Status);
            Assert.True(_proxy.Dropped.IsCompleted, "the proxy dropped the connection at the commit");
        }
        var resend = await PostAsync(client, TestOrders.Json(clientOrderId: "lost-answer"));
        output.WriteLine($"answer lost after COMMIT: answers {string.Join(", ", answers.Select(a => (int)a))}, resend {(int)resend.Status}, " +
            $"rows {await _store.CountRowsAsync()} (warm-up + 4 orders)");

        // Assert: stored once each, answered as stored; the resend is a replay.
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created], answers);
        Assert.Equal(HttpStatusCode.OK, resend.Status);
        Assert.Equal(5, await _store.CountRowsAsync());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_503_nothing_written_when_the_connection_drops_before_the_commit_reaches_the_server()
    {
        // Arrange
        await using var app = App(busyTimeoutSeconds: 10);
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(client, TestOrders.Json(clientOrderId: "warm-up"))).Status);

        // Act
        _proxy.Arm(TcpFault.DropBeforeCommit);
        var answer = await PostAsync(client, TestOrders.Json(clientOrderId: "never-committed"));
        output.WriteLine($"dropped before COMMIT: answer {(int)answer.Status}, rows {await _store.CountRowsAsync()} (warm-up only)");

        // Assert: proved not written, said so (no unknown outcome), and it was not.
        Assert.True(_proxy.Dropped.IsCompleted, "the proxy dropped the connection at the commit");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status);
        Assert.NotNull(answer.RetryAfter);
        Assert.False(answer.Problem.TryGetProperty(Problems.OutcomeExtension, out _));
        Assert.Equal(1, await _store.CountRowsAsync());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_503_outcome_unknown_when_the_database_cannot_be_asked_in_time_and_the_resend_is_replayed()
    {
        // Arrange
        await using var app = App(busyTimeoutSeconds: 1);
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(client, TestOrders.Json(clientOrderId: "warm-up"))).Status);

        // Act: the commit's answer is lost and the server stays unreachable past the writer's budget; then it is back.
        _proxy.Arm(TcpFault.DropAfterCommit, refuseAfterDrop: true);
        var answer = await PostAsync(client, TestOrders.Json(clientOrderId: "unknown-outcome"));
        var rowsMeanwhile = await _store.CountRowsAsync();
        _proxy.RefuseConnections = false;
        var resend = await PostAsync(client, TestOrders.Json(clientOrderId: "unknown-outcome"));
        output.WriteLine($"answer lost, server unreachable: answer {(int)answer.Status} outcome " +
            $"{(answer.Problem.ValueKind == JsonValueKind.Object && answer.Problem.TryGetProperty("outcome", out var o) ? o.GetString() : "-")}, " +
            $"rows meanwhile {rowsMeanwhile}, resend {(int)resend.Status}, rows {await _store.CountRowsAsync()}");

        // Assert: the 503 says the outcome is unknown (the order did land), and the resend finds it.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status);
        Assert.NotNull(answer.RetryAfter);
        Assert.Equal("unknown", answer.Problem.GetProperty(Problems.OutcomeExtension).GetString());
        Assert.Equal(2, rowsMeanwhile);
        Assert.Equal(HttpStatusCode.OK, resend.Status);
        Assert.Equal(2, await _store.CountRowsAsync());
    }

    private StandaloneApplication App(int busyTimeoutSeconds)
    {
        var settings = _store.Settings;
        settings["ConnectionStrings:Orders"] = new NpgsqlConnectionStringBuilder(_store.ConnectionString)
        {
            Host = "127.0.0.1",
            Port = _proxy.Port,
            Timeout = 5,
        }.ToString();
        settings["OrderStorage:BusyTimeoutSeconds"] = busyTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new StandaloneApplication(settings);
    }

    private static async Task<(HttpStatusCode Status, TimeSpan? RetryAfter, JsonElement Problem)> PostAsync(
        HttpClient client, string body, string route = OrderRoutes.Orders)
    {
        using var response = await client.PostAsync($"/{OrderRoutes.Prefix}/{route}", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        var problem = response.StatusCode == HttpStatusCode.ServiceUnavailable ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return (response.StatusCode, response.Headers.RetryAfter?.Delta, problem);
    }
}
