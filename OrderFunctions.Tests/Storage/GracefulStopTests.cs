using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Storage;

/// <summary>
/// A graceful stop returns only once every caller that was waiting for the writer when it began has been answered
/// (stored, or refused as unavailable), never while some are still waiting (issue 24, item 5). Deterministic: the
/// writer is held with the callers queued behind it, so at the stop they are all waiting, and all land in one commit.
/// </summary>
public sealed class GracefulStopTests
{
    private const int Queued = 8;

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task StopAsync_answers_every_caller_queued_at_stop_before_it_completes_when_the_writer_is_busy()
    {
        // Arrange: the writer held inside a commit, eight callers waiting behind it.
        await using var api = new StandaloneApplication();
        using var hold = new WriterHold();
        var first = api.Repository.AddAsync(ApiTestOrders.Order(clientOrderId: "first"));
        await hold.Held.WaitAsync(TimeSpan.FromSeconds(60));
        var queued = Enumerable.Range(0, Queued).Select(i => api.Repository.AddAsync(ApiTestOrders.Order(clientOrderId: $"queued-{i}"))).ToArray();
        await WriterHold.WaitForQueuedAsync(api.Services, Queued);

        // The eight are answered one after another (in one commit); the first to resume keeps the rest waiting until
        // the stop has returned (or 3 s have passed). A stop that returned before answering them all would return
        // while seven are unanswered, every time; one that waits for them returns after they are all answered.
        var stopReturned = new ManualResetEventSlim();
        var resumed = 0;
        foreach (var caller in queued)
        {
            _ = caller.ContinueWith(_ =>
            {
                if (Interlocked.Increment(ref resumed) == 1) stopReturned.Wait(TimeSpan.FromSeconds(3));
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        // Act: the stop begins while all of them wait; then the writer goes on.
        var stop = StopStoreAsync(api.Services);
        await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => api.Repository.AddAsync(ApiTestOrders.Order(clientOrderId: "late"))); // 503
        hold.Release();
        await stop.WaitAsync(TimeSpan.FromSeconds(60));
        var answeredAtStop = queued.Append(first).Count(t => t.IsCompleted);
        stopReturned.Set();

        // Assert: 201 (stored) or 503 (unavailable) for each, and what was stored is on disk.
        Assert.Equal(Queued + 1, answeredAtStop);
        var outcomes = await Task.WhenAll(queued.Append(first).Select(Answer));
        Assert.All(outcomes, status => Assert.Contains(status, new[] { 201, 503 }));
        Assert.Equal(outcomes.Count(s => s == 201), api.CountRows());
    }

    // The store's hosted service stopped as the host stops it on SIGTERM (whatever class holds the queue).
    private static async Task StopStoreAsync(IServiceProvider services)
    {
        var store = services.GetServices<IHostedService>().Where(s => s is IOrderRepository).ToArray();
        Assert.NotEmpty(store);
        foreach (var service in store) await service.StopAsync(CancellationToken.None);
    }

    private static async Task<int> Answer(Task<SaveResult> caller)
    {
        try
        {
            return (await caller).Outcome == SaveOutcome.Created ? 201 : 200;
        }
        catch (OrderStoreUnavailableException)
        {
            return 503;
        }
    }
}
