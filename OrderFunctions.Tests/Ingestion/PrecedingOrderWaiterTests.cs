using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
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
    private static (PrecedingOrderWaiter Waiter, Mock<IOrderQueries> Queries) Waiter(CancellationToken stopping, int maxQueuedOrders = 40_000)
    {
        var queries = new Mock<IOrderQueries>();
        queries.Setup(q => q.IsStoredAsync("alice", "p-1", It.IsAny<CancellationToken>())).ReturnsAsync(false);
        var lifetime = new Mock<IHostApplicationLifetime>();
        lifetime.Setup(l => l.ApplicationStopping).Returns(stopping);
        var options = Options.Create(new OrderStorageOptions { PrecedingOrderWait = TimeSpan.FromMinutes(1), MaxQueuedOrders = maxQueuedOrders });
        return (new PrecedingOrderWaiter(queries.Object, options, lifetime.Object), queries);
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
