using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderFunctions.Storage;
using OrderFunctions.Tests.Client;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Support;
using Xunit.Abstractions;

using OrderFunctions.Tests.Ingestion;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
namespace OrderFunctions.Tests.Storage;

/// <summary>
/// A 201 is a promise: the standalone host is killed (SIGKILL) or stopped (SIGTERM) while 32 senders post orders,
/// and every acknowledged order must be in the file afterwards, once.
/// </summary>
public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    private const int Orders = 4000;
    private const int Senders = 32;

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Host_keeps_every_acknowledged_order_once_and_resend_completes_the_set_when_killed_mid_load()
    {
        // Arrange
        await using var host = await StandaloneHost.StartAsync();
        using var client = NewClient();
        var load = new Load(client, host.OrdersUrl, "kill");

        // Act: kill once a third of the orders are acknowledged, while the senders keep going.
        var sending = load.SendAsync(Orders);
        await load.WaitForAcknowledgedAsync(Orders / 3);
        host.Kill();
        load.Stop();
        await sending;
        await host.RestartAsync();
        var afterRestart = Database.ClientOrderIdCounts(host.DatabasePath);
        var resend = new Load(client, host.OrdersUrl, "kill");
        await resend.SendAsync(Orders);
        var final = Database.ClientOrderIdCounts(host.DatabasePath);

        // Assert
        var duplicates = afterRestart.Values.Count(count => count > 1) + final.Values.Count(count => count > 1);
        output.WriteLine($"SIGKILL: orders sent {load.Sent}, acknowledged (201) before the kill {load.Acknowledged.Count}, " +
            $"found after restart {afterRestart.Count} " +
            $"({afterRestart.Count - load.Acknowledged.Count(afterRestart.ContainsKey)} committed but not acknowledged), " +
            $"acknowledged but missing {load.Acknowledged.Count(id => !afterRestart.ContainsKey(id))}, duplicates {duplicates}; " +
            $"resend: {resend.Created} stored (201), {resend.Replayed} replayed (200), other {resend.Other}; " +
            $"final rows {host.CountRows()} for {Orders} distinct orders");
        Assert.True(load.Acknowledged.Count > 0);
        Assert.True(load.Sent < Orders, "the kill came after every order was sent; it must land mid-load");
        Assert.All(load.Acknowledged, id => Assert.Equal(1, afterRestart.GetValueOrDefault(id)));
        Assert.Equal(0, duplicates);
        Assert.Equal(0, resend.Other);
        Assert.Equal(Orders, resend.Created + resend.Replayed);
        Assert.Equal(Orders - afterRestart.Count, resend.Created);
        Assert.Equal(Orders, final.Count);
        Assert.Equal(Orders, host.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Host_exits_0_with_every_acknowledged_order_stored_and_file_intact_when_stopped_mid_load()
    {
        // Arrange
        await using var host = await StandaloneHost.StartAsync();
        using var client = NewClient();
        var load = new Load(client, host.OrdersUrl, "term");

        // Act
        var sending = load.SendAsync(Orders);
        await load.WaitForAcknowledgedAsync(Orders / 3);
        var exitCode = await host.StopAsync();
        load.Stop();
        await sending;
        var stored = Database.ClientOrderIdCounts(host.DatabasePath);
        var integrity = Database.Scalar<string>(host.DatabasePath, "PRAGMA integrity_check");

        // Assert
        output.WriteLine($"SIGTERM: orders sent {load.Sent}, acknowledged (201) {load.Acknowledged.Count}, " +
            $"refused (503 while stopping) {load.Unavailable}, " +
            $"no answer (connection closed) {load.Failed}, found after exit {stored.Count}, " +
            $"acknowledged but missing {load.Acknowledged.Count(id => !stored.ContainsKey(id))}, exit code {exitCode}, integrity_check {integrity}");
        Assert.Equal(0, exitCode);
        Assert.Equal("ok", integrity);
        Assert.All(load.Acknowledged, id => Assert.Equal(1, stored.GetValueOrDefault(id)));
        Assert.All(stored.Values, count => Assert.Equal(1, count));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task StopAsync_returns_only_after_every_accepted_order_is_committed_and_refuses_new_ones()
    {
        // Arrange: many requests queued at once, so the writer still holds most of them when the stop begins.
        await using var api = new StandaloneApplication();
        var repository = (OrderWriteQueue)api.Repository;
        var accepted = Enumerable.Range(0, 2000)
            .Select(i => repository.AddAsync(ApiTestOrders.Order(clientOrderId: $"drain-{i}"))).ToArray();

        // Callers resume on a thread-pool work item after each commit. The first caller to resume holds that work item
        // until the stop has returned (or 5 s pass): a stop that did not wait for completions returns while the
        // callers after it in the same commit are still unanswered, and the count below shows it.
        var stopped = new ManualResetEventSlim();
        var holdUntil = DateTime.UtcNow.AddSeconds(5);
        var held = 0;
        foreach (var task in accepted)
        {
            _ = task.ContinueWith(_ =>
            {
                if (Interlocked.Exchange(ref held, 1) == 0)
                {
                    stopped.Wait(holdUntil - DateTime.UtcNow is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero);
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        // Act
        await repository.StopAsync(CancellationToken.None);
        var completedAtStop = accepted.Count(t => t.IsCompletedSuccessfully);
        stopped.Set();
        var afterStop = await Assert.ThrowsAsync<OrderStoreUnavailableException>(() =>
            repository.AddAsync(ApiTestOrders.Order(clientOrderId: "late")));

        // Assert
        Assert.Equal(accepted.Length, completedAtStop);
        Assert.Equal(accepted.Length, api.CountRows());
        Assert.Contains("shutting down", afterStop.Message);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddOrderServices_registers_the_repository_as_hosted_service_so_a_stop_drains_it()
    {
        await using var api = new StandaloneApplication();

        var hosted = api.Services.GetServices<IHostedService>();

        Assert.Contains(api.Repository, hosted.Cast<object>());
        await Task.CompletedTask;
    }

    private static HttpClient NewClient() => new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>Orders 0..n-1, each with its own clientOrderId, posted by <see cref="Senders"/> concurrent tasks.</summary>
    private sealed class Load(HttpClient client, Uri url, string run)
    {
        private readonly TaskCompletionSource _milestone = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _next = -1;
        private int _milestoneAt = int.MaxValue;
        private volatile bool _stopped;
        private int _created, _replayed, _unavailable, _failed, _other;

        public ConcurrentBag<string> Acknowledged { get; } = [];
        public int Sent => Math.Min(_next + 1, Orders);
        public int Created => _created;
        public int Replayed => _replayed;
        public int Unavailable => _unavailable;
        public int Failed => _failed;
        public int Other => _other;

        public Task SendAsync(int count) => Task.WhenAll(Enumerable.Range(0, Senders).Select(_ => Task.Run(() => SendLoopAsync(count))));

        public Task WaitForAcknowledgedAsync(int count)
        {
            Volatile.Write(ref _milestoneAt, count);
            if (Acknowledged.Count >= count) _milestone.TrySetResult();
            return _milestone.Task.WaitAsync(TimeSpan.FromMinutes(2));
        }

        // Senders stop at the first failure after the host went away, so "sent" counts orders that reached the wire.
        public void Stop() => _stopped = true;

        private async Task SendLoopAsync(int count)
        {
            int i;
            while (!_stopped && (i = Interlocked.Increment(ref _next)) < count)
            {
                var id = $"{run}-{i:D5}";
                var body = ApiTestOrders.Json(username: $"trader-{i % 16}", clientOrderId: id, price: $"{40000 + i}.{i % 100:D2}");
                try
                {
                    using var response = await client.PostAsync(url, new StringContent(body, Encoding.UTF8, "application/json"));
                    switch (response.StatusCode)
                    {
                        case HttpStatusCode.Created:
                            Interlocked.Increment(ref _created);
                            Acknowledged.Add(id);
                            if (Acknowledged.Count >= Volatile.Read(ref _milestoneAt)) _milestone.TrySetResult();
                            break;
                        case HttpStatusCode.OK:
                            Interlocked.Increment(ref _replayed);
                            break;
                        case HttpStatusCode.ServiceUnavailable:
                            Interlocked.Increment(ref _unavailable);
                            break;
                        default:
                            Interlocked.Increment(ref _other);
                            break;
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref _failed);
                    if (_stopped) return;
                    Interlocked.Increment(ref _other);
                }
            }
        }
    }
}
