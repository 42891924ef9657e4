using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using OrderFunctions.Http;
using OrderFunctions.Storage;
using OrderFunctions.Tests.Hosting;

namespace OrderFunctions.Tests.Ingestion;

/// <summary>
/// How the wait behind <c>If-Order-Stored</c> ends besides the order being stored: a stopping app, an aborted request,
/// too many orders waiting already.
/// </summary>
public sealed class PrecedingOrderWaiterTests
{
    private static (PrecedingOrderWaiter Waiter, Mock<IOrderQueries> Queries) Waiter(CancellationToken stopping, int maxQueuedOrders = 40_000,
        TimeSpan? wait = null, TimeProvider? time = null)
    {
        var queries = new Mock<IOrderQueries>();
        queries.Setup(q => q.IsStoredAsync("alice", "p-1", It.IsAny<CancellationToken>())).ReturnsAsync(false);
        var lifetime = new Mock<IHostApplicationLifetime>();
        lifetime.Setup(l => l.ApplicationStopping).Returns(stopping);
        var options = Options.Create(new OrderStorageOptions
        {
            PrecedingOrderWait = wait ?? TimeSpan.FromMinutes(1),
            MaxQueuedOrders = maxQueuedOrders,
        });
        return (new PrecedingOrderWaiter(queries.Object, options, lifetime.Object, time), queries);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task WaitAsync_looks_again_after_pauses_doubling_from_1_ms_to_10_ms_and_ends_NotStored_when_the_wait_has_passed()
    {
        // Arrange: a 30 ms wait on a clock the test moves one millisecond at a time.
        var time = new FakeTimeProvider();
        var (waiter, queries) = Waiter(CancellationToken.None, wait: TimeSpan.FromMilliseconds(30), time: time);

        // Act
        var wait = waiter.WaitAsync("alice", "p-1", 1, CancellationToken.None);
        var lookupsAt = new List<int>();
        var endedAt = -1;
        for (var ms = 0; ms <= 40 && endedAt < 0; ms++)
        {
            if (ms > 0) time.Advance(TimeSpan.FromMilliseconds(1));
            await Task.Delay(2); // a continuation the clock released runs on, up to its next pause
            while (lookupsAt.Count < queries.Invocations.Count) lookupsAt.Add(ms);
            if (wait.IsCompleted) endedAt = ms;
        }

        // Assert: looked up at once, then after 1, 2, 4, 8 and 10 ms, then once more when the last pause, cut to what
        // was left of the wait (5 ms, not 10), ended; the wait ends then and not a millisecond later.
        Assert.Equal([0, 1, 3, 7, 15, 25, 30], lookupsAt);
        Assert.Equal(30, endedAt);
        Assert.Equal(PrecedingOrderOutcome.NotStored, await wait);
        Assert.Equal(0, waiter.WaitingOrders);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task WaitAsync_ends_ShuttingDown_when_the_application_stops_while_it_waits()
    {
        using var stopping = new CancellationTokenSource();
        var (waiter, queries) = Waiter(stopping.Token);

        var wait = waiter.WaitAsync("alice", "p-1", 1, CancellationToken.None);
        await PollAsync(() => queries.Invocations.Count >= 2); // it has looked, paused and looked again
        await stopping.CancelAsync();

        Assert.Equal(PrecedingOrderOutcome.ShuttingDown, await wait);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task WaitAsync_ends_ShuttingDown_when_a_lookup_fails_after_the_application_began_to_stop()
    {
        using var stopping = new CancellationTokenSource();
        var (waiter, queries) = Waiter(stopping.Token);
        queries.Setup(q => q.IsStoredAsync("alice", "p-1", It.IsAny<CancellationToken>()))
            .Returns(async () =>
            {
                await stopping.CancelAsync(); // the host stops while this lookup runs, and disposes what it reads
                throw new ObjectDisposedException("System.Threading.SemaphoreSlim");
            });

        Assert.Equal(PrecedingOrderOutcome.ShuttingDown, await waiter.WaitAsync("alice", "p-1", 1, CancellationToken.None));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task WaitAsync_lets_a_lookups_failure_through_while_the_application_runs()
    {
        var (waiter, queries) = Waiter(CancellationToken.None);
        queries.Setup(q => q.IsStoredAsync("alice", "p-1", It.IsAny<CancellationToken>())).ThrowsAsync(new InvalidOperationException("a bug"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => waiter.WaitAsync("alice", "p-1", 1, CancellationToken.None));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task WaitAsync_throws_OperationCanceledException_when_the_request_is_aborted_during_a_lookup_while_the_app_stops()
    {
        // Both ended: the caller is gone, so the request's cancellation wins over the stop's 503 nobody would read.
        using var stopping = new CancellationTokenSource();
        using var aborted = new CancellationTokenSource();
        var (waiter, queries) = Waiter(stopping.Token);
        queries.Setup(q => q.IsStoredAsync("alice", "p-1", It.IsAny<CancellationToken>()))
            .Returns(async () =>
            {
                await stopping.CancelAsync();
                await aborted.CancelAsync();
                throw new OperationCanceledException(aborted.Token);
            });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter.WaitAsync("alice", "p-1", 1, aborted.Token));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task WaitAsync_ends_ShuttingDown_without_a_lookup_when_the_application_is_already_stopping()
    {
        var (waiter, queries) = Waiter(new CancellationToken(canceled: true));

        Assert.Equal(PrecedingOrderOutcome.ShuttingDown, await waiter.WaitAsync("alice", "p-1", 1, CancellationToken.None));
        Assert.Empty(queries.Invocations);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task WaitAsync_throws_OperationCanceledException_when_the_request_is_aborted_while_it_waits()
    {
        var (waiter, queries) = Waiter(CancellationToken.None);
        using var aborted = new CancellationTokenSource();

        var wait = waiter.WaitAsync("alice", "p-1", 1, aborted.Token);
        await PollAsync(() => queries.Invocations.Count >= 2);
        await aborted.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task WaitAsync_ends_TooManyWaiting_at_once_when_the_waiting_orders_would_pass_MaxQueuedOrders()
    {
        var (waiter, queries) = Waiter(CancellationToken.None, maxQueuedOrders: 10);
        using var aborted = new CancellationTokenSource();
        var first = waiter.WaitAsync("alice", "p-1", 8, aborted.Token);
        await PollAsync(() => waiter.WaitingOrders == 8);

        Assert.Equal(PrecedingOrderOutcome.TooManyWaiting, await waiter.WaitAsync("alice", "p-1", 3, CancellationToken.None));
        Assert.Equal(8, waiter.WaitingOrders);

        await aborted.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal(0, waiter.WaitingOrders); // given back when the wait ends, however it ends
        using var again = new CancellationTokenSource();
        var second = waiter.WaitAsync("alice", "p-1", 3, again.Token);
        await PollAsync(() => waiter.WaitingOrders == 3);
        await again.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task WaitAsync_takes_a_request_larger_than_MaxQueuedOrders_when_nothing_else_waits()
    {
        var (waiter, _) = Waiter(CancellationToken.None, maxQueuedOrders: 10);
        using var aborted = new CancellationTokenSource();

        var wait = waiter.WaitAsync("alice", "p-1", 50, aborted.Token);
        await PollAsync(() => waiter.WaitingOrders == 50);
        await aborted.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    private static async Task PollAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TestTimeouts.Server);
        while (!condition()) await Task.Delay(10, deadline.Token);
    }
}
