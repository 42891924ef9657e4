using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;
using Xunit.Abstractions;

namespace OrderFunctions.Tests.Hosting;

/// <summary>
/// A stop whose budget runs out while the store is stalled (issue 22, item 6), on each engine: the standalone host,
/// given SIGTERM while its writer waits on a lock held by another session, answers what is still queued 503, logs how
/// many it refused, writes none of them, and exits 0 (before: an unhandled exception in the queue's stop, exit 134).
/// The store stays locked past the host's shutdown timeout (4 s here), so the budget is what ends the wait.
/// </summary>
public abstract class StopBudgetTests(StoreEngine engine, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Requests = 6;

    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.CreateAsync(engine);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Host_exits_0_answering_queued_requests_503_and_writing_none_when_the_store_stays_locked_past_the_budget()
    {
        // Arrange: a host with a 4 s shutdown budget and a 60 s lock wait; one order stored, then the store locked.
        var environment = new Dictionary<string, string>(_store.Environment)
        {
            ["shutdownTimeoutSeconds"] = "4",
            ["OrderStorage__BusyTimeoutSeconds"] = "60",
        };
        await using var host = await StandaloneHost.StartAsync(environment: environment);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(90) };
        using (var warmUp = await PostAsync(http, host, "warm-up"))
        {
            Assert.Equal(HttpStatusCode.Created, warmUp.StatusCode);
        }
        await using var locked = await LockStoreAsync();

        // Act: requests that stall behind the lock, then SIGTERM.
        var bodies = Enumerable.Range(0, Requests).Select(i => new SentContent(TestOrders.Json(clientOrderId: $"stalled-{i}"))).ToArray();
        var posts = bodies.Select(body => Answer(http, host, body)).ToArray();
        await Task.WhenAll(bodies.Select(body => body.Sent)).WaitAsync(TimeSpan.FromSeconds(60));
        await WaitForStalledWriterAsync();
        var stopping = Stopwatch.StartNew();
        var exitCode = await host.StopAsync(TimeSpan.FromSeconds(60));
        stopping.Stop();
        var answers = await Task.WhenAll(posts);
        await locked.DisposeAsync();

        // Assert: exit 0; each request 503 or cut off with the process (the one in the stalled commit); none stored.
        var gaveUp = host.OutputLines.Where(line => line.Contains("queued requests were refused (503)", StringComparison.Ordinal)).ToList();
        output.WriteLine($"{engine}: exit {exitCode} after {stopping.Elapsed.TotalSeconds:F1} s; answers {string.Join(", ", answers)}");
        Assert.Equal(0, exitCode);
        Assert.All(answers, status => Assert.Contains(status, new[] { 503, 0 }));
        // Whether the 503s reach the clients before the process exits is not asserted: on a busy machine they were once
        // all cut off with the connections (issue 22 report); the queue's own count of what it refused is.
        Assert.Single(gaveUp);
        // The queue waits for a writer stalled in its commit once, not once per registration in the container (each
        // wait was 2 s: the stop took 11 s with a 4 s budget, then 7 s).
        Assert.True(host.OutputLines.Count(line => line.Contains("still inside its commit", StringComparison.Ordinal)) <= 1);
        Assert.Equal(1, await _store.CountRowsAsync());
    }

    // Another session takes the store's write lock and keeps it until disposed.
    private async Task<IAsyncDisposable> LockStoreAsync()
    {
        if (_store.Engine == StoreEngine.Postgres)
        {
            var connection = await _store.OpenAsync();
            var transaction = await connection.BeginTransactionAsync();
            await using var command = new NpgsqlCommand("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE", connection, transaction);
            await command.ExecuteNonQueryAsync();
            return connection; // disposing it ends the session, and the lock with it
        }
        var sqlite = new SqliteConnection(_store.ConnectionString + ";Pooling=False");
        sqlite.Open();
        using var begin = sqlite.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        begin.ExecuteNonQuery();
        return sqlite;
    }

    // PostgreSQL shows the writer waiting for the lock; SQLite's busy wait shows nowhere: there the requests are known
    // to be sent (their bodies written), and one that the host had not taken yet at SIGTERM is answered 503 as well.
    private async Task WaitForStalledWriterAsync()
    {
        if (_store.Engine != StoreEngine.Postgres) return;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await _store.ScalarAsync<long>("SELECT COUNT(*) FROM pg_locks WHERE NOT granted AND relation = 'orders'::regclass") == 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The writer never waited for the lock");
            await Task.Delay(50);
        }
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, StandaloneHost host, string clientOrderId) =>
        http.PostAsync(host.OrdersUrl, new StringContent(TestOrders.Json(clientOrderId: clientOrderId), Encoding.UTF8, "application/json"));

    // The status, or 0 when the connection was cut without an answer.
    private static async Task<int> Answer(HttpClient http, StandaloneHost host, SentContent body)
    {
        try
        {
            using var response = await http.PostAsync(host.OrdersUrl, body);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }
}
