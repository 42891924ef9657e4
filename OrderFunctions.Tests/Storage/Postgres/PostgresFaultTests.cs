using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using OrderFunctions.Tests.Client;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;
using Xunit.Abstractions;

using OrderFunctions.Tests.Ingestion;
using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Sqlite;
namespace OrderFunctions.Tests.Storage.Postgres;

/// <summary>
/// PostgreSQL stopped under load: requests answer 503 with Retry-After, health says so, no acknowledged order is
/// lost, and the host serves again by itself once the server is back. A cluster of its own, since it is stopped.
/// </summary>
[RequiresPostgres]
public sealed class PostgresFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PostgresTestServer _server = null!;
    private TestStore _store = null!;
    private StandaloneHost _host = null!;

    public async Task InitializeAsync()
    {
        _server = await PostgresTestServer.StartOwnAsync();
        _store = await TestStore.PostgresAsync(_server);
        _host = await StandaloneHost.StartAsync(environment: _store.Environment);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _server.DisposeAsync();
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_503_with_retry_after_while_the_server_is_down_and_recovers_by_itself()
    {
        // Arrange: four clients posting without pause.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var acknowledged = new ConcurrentBag<string>();
        var statuses = new ConcurrentBag<int>();
        var retryAfterMissing = 0;
        using var stop = new CancellationTokenSource();
        var counter = 0;
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var id = $"fault-{Interlocked.Increment(ref counter)}";
                using var response = await http.PostAsync(_host.OrdersUrl,
                    new StringContent(TestOrders.Json(clientOrderId: id), Encoding.UTF8, "application/json"));
                statuses.Add((int)response.StatusCode);
                if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK) acknowledged.Add(id);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    if (response.Headers.RetryAfter is null) Interlocked.Increment(ref retryAfterMissing);
                    await Task.Delay(50);
                }
            }
        })).ToArray();
        await WaitUntil(() => acknowledged.Count >= 200, "orders acknowledged before the fault");

        // Act: the server stops (fast shutdown: connections cut), stays down, then comes back.
        await _server.StopServerAsync();
        var before = statuses.Count(s => s == 503);
        await WaitUntil(() => statuses.Count(s => s == 503) >= before + 20, "503 answers while the server is down");
        using var healthDown = await http.GetAsync(new Uri(_host.BaseAddress, "/API/health"));
        await _server.StartServerAsync();
        var ackedAtRestart = acknowledged.Count;
        await WaitUntil(() => acknowledged.Count >= ackedAtRestart + 200, "orders acknowledged after the server is back");
        stop.Cancel();
        await Task.WhenAll(load);
        using var healthUp = await http.GetAsync(new Uri(_host.BaseAddress, "/API/health"));

        // Assert
        var counts = await _store.ClientOrderIdCountsAsync();
        output.WriteLine($"answers {string.Join(", ", statuses.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"))}; " +
            $"acknowledged {acknowledged.Count}, rows {counts.Count}; health down {(int)healthDown.StatusCode}, up {(int)healthUp.StatusCode}");
        Assert.DoesNotContain(statuses, s => s is >= 500 and not 503);
        Assert.Equal(0, retryAfterMissing);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, healthDown.StatusCode);
        Assert.NotNull(healthDown.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, healthUp.StatusCode);
        Assert.All(acknowledged, id => Assert.Equal(1, counts.GetValueOrDefault(id)));
        Assert.All(counts.Values, count => Assert.Equal(1, count));
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Batches_land_whole_or_not_at_all_when_the_host_is_killed_mid_write()
    {
        // Arrange: batches of 200 orders, each order named after its batch, posted until the host is killed.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var sent = 0;
        var posting = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var batch = Interlocked.Increment(ref sent);
                var body = "[" + string.Join(",", Enumerable.Range(0, 200).Select(i => TestOrders.Json(clientOrderId: $"b{batch}-{i}"))) + "]";
                try
                {
                    using var response = await http.PostAsync(_host.OrdersUrl, new StringContent(body, Encoding.UTF8, "application/json"));
                }
                catch (HttpRequestException)
                {
                    return; // the host is gone
                }
            }
        })).ToArray();
        await WaitUntilAsync(async () => (await _store.CountRowsAsync()) >= 2000, "batches stored before the kill");

        // Act
        _host.Kill();
        await Task.WhenAll(posting);

        // Assert: every batch has all 200 orders or none.
        var perBatch = (await _store.ClientOrderIdCountsAsync()).Keys.GroupBy(id => id[..id.IndexOf('-')]).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"batches sent {sent}, stored {perBatch.Count}, rows {perBatch.Values.Sum()}");
        Assert.NotEmpty(perBatch);
        Assert.All(perBatch.Values, count => Assert.Equal(200, count));
    }

    private static Task WaitUntil(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited 90 s for {what}");
            await Task.Delay(50);
        }
    }
}
