using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Telemetry;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Storage;

/// <summary>
/// The write queue is bounded by the orders it holds (<see cref="OrderStorageOptions.MaxQueuedOrders"/>), not only by
/// its requests: a request that would take it past the budget is refused at once (503, nothing written), those
/// accepted before it are stored, and the budget frees as their commits finish (issue 22, item 5). The writer is held
/// inside a first commit (<see cref="WriterHold"/>), so what is queued stays queued until the test releases it.
/// </summary>
public sealed class QueuedOrdersBudgetTests
{
    private const int Budget = 10;

    private static StandaloneApplication App(int budget = Budget) =>
        new(new Dictionary<string, string?> { ["OrderStorage:MaxQueuedOrders"] = $"{budget}" });

    private static Order[] Orders(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => TestOrders.Order(clientOrderId: $"{prefix}-{i}"))];

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddManyAsync_refuses_orders_beyond_the_budget_and_stores_the_ones_accepted_before_them()
    {
        // Arrange: 1 order held in the commit, 5 + 4 queued behind it: the budget of 10 is full.
        await using var api = App();
        using var queuedOrders = new MetricCollector<int>(api.Services.GetRequiredService<IMeterFactory>(), OrderTelemetry.Name,
            OrderMetrics.WriteQueueOrders);
        using var hold = new WriterHold();
        var first = api.Repository.AddAsync(TestOrders.Order(clientOrderId: "first"));
        await hold.Held.WaitAsync(TimeSpan.FromSeconds(60));
        var five = api.Repository.AddManyAsync(Orders("five", 5));
        var four = api.Repository.AddManyAsync(Orders("four", 4));
        await WriterHold.WaitForQueuedAsync(api.Services, 2);

        // Act: three more orders, and one more single order, while the budget is full.
        var three = api.Repository.AddManyAsync(Orders("three", 3));
        var one = api.Repository.AddAsync(TestOrders.Order(clientOrderId: "one"));
        queuedOrders.RecordObservableInstruments();
        var gauge = queuedOrders.LastMeasurement?.Value;
        hold.Release();
        await Task.WhenAll(first, five, four);

        // Assert: refused at once (the writer was still held), with the reason; everything accepted is a row, nothing else.
        Assert.True(three.IsFaulted, "a request past the budget was queued instead of refused");
        Assert.True(one.IsFaulted, "a single order past the budget was queued instead of refused");
        var refused = Assert.IsType<OrderStoreUnavailableException>(three.Exception!.InnerException);
        Assert.Equal("the write queue is full (10 orders are waiting to be written, this request has 3, and OrderStorage:MaxQueuedOrders is 10)",
            refused.Message);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);
        Assert.False(refused.OutcomeUnknown);
        Assert.IsType<OrderStoreUnavailableException>(one.Exception!.InnerException);
        Assert.Equal(Budget, gauge);
        var expected = new[] { "first" }.Concat(Orders("five", 5).Concat(Orders("four", 4)).Select(o => o.ClientOrderId!)).Order();
        Assert.Equal(expected, api.Store.ClientOrderIdCounts().Keys.Order());
        Assert.Equal(Budget, api.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddManyAsync_accepts_again_once_the_commits_holding_the_budget_have_finished()
    {
        // Arrange: the budget filled by a held commit and the request queued behind it; a request past it is refused.
        await using var api = App();
        using var hold = new WriterHold();
        var first = api.Repository.AddAsync(TestOrders.Order(clientOrderId: "first"));
        await hold.Held.WaitAsync(TimeSpan.FromSeconds(60));
        var nine = api.Repository.AddManyAsync(Orders("nine", 9));
        await WriterHold.WaitForQueuedAsync(api.Services, 1);
        var refusedWhileFull = api.Repository.AddManyAsync(Orders("early", 5));

        // Act: the commits finish, then the same size of request comes again.
        hold.Release();
        await Task.WhenAll(first, nine);
        var later = await api.Repository.AddManyAsync(Orders("later", 5));

        // Assert
        Assert.True(refusedWhileFull.IsFaulted, "a request past the budget was queued instead of refused");
        Assert.All(later, r => Assert.Equal(SaveOutcome.Created, r.Outcome));
        var stored = api.Store.ClientOrderIdCounts().Keys.ToHashSet();
        Assert.DoesNotContain("early-0", stored);
        Assert.Contains("later-4", stored);
        Assert.Equal(1 + 9 + 5, api.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddManyAsync_takes_a_request_larger_than_the_budget_when_nothing_else_is_queued()
    {
        // Arrange: a budget of 3 orders, smaller than the request.
        await using var api = App(budget: 3);

        // Act
        var results = await api.Repository.AddManyAsync(Orders("large", 7));

        // Assert
        Assert.Equal(7, results.Count(r => r.Outcome == SaveOutcome.Created));
        Assert.Equal(7, api.CountRows());
    }
}
