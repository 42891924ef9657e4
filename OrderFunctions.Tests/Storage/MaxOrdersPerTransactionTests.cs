using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Telemetry;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Storage;

/// <summary>
/// Requests of several orders that wait while the writer is busy are taken a transaction's worth at a time
/// (<see cref="OrderStorageOptions.MaxOrdersPerTransaction"/>): the ones beyond the cap wait for the next transaction,
/// none is dropped, and every order answered as stored is a row (issue 24, item 2).
/// </summary>
public sealed class MaxOrdersPerTransactionTests
{
    private const int Cap = 4;
    private const int Requests = 10;
    private const int OrdersPerRequest = 3; // two requests fill a transaction; the third is beyond the cap

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddManyAsync_answers_every_request_and_stores_every_order_when_requests_wait_beyond_the_cap()
    {
        // Arrange: the writer held inside a first commit, and ten 3-order requests queued behind it (30 orders: 7.5 caps).
        await using var api = new StandaloneApplication(new Dictionary<string, string?> { ["OrderStorage:MaxOrdersPerTransaction"] = $"{Cap}" });
        using var commits = new MetricCollector<int>(api.Services.GetRequiredService<IMeterFactory>(), OrderTelemetry.Name,
            OrderMetrics.CommitOrders);
        using var hold = new WriterHold();
        var first = api.Repository.AddAsync(TestOrders.Order(clientOrderId: "first"));
        await hold.Held.WaitAsync(TimeSpan.FromSeconds(60));
        var requests = Enumerable.Range(0, Requests)
            .Select(r => api.Repository.AddManyAsync([.. Enumerable.Range(0, OrdersPerRequest)
                .Select(o => TestOrders.Order(clientOrderId: $"r{r}-o{o}"))]))
            .ToArray();
        await WriterHold.WaitForQueuedAsync(api.Services, Requests);

        // Act
        hold.Release();
        var everyRequest = Task.WhenAll(requests.Append<Task>(first));
        await Task.WhenAny(everyRequest, Task.Delay(TimeSpan.FromSeconds(60))); // a dropped request is never answered
        var stored = api.Store.ClientOrderIdCounts();

        // Assert
        Assert.Equal(Requests, requests.Count(t => t.IsCompletedSuccessfully));
        Assert.Equal(SaveOutcome.Created, (await first).Outcome);
        var results = requests.SelectMany(t => t.Result).ToArray();
        Assert.Equal(Requests * OrdersPerRequest, results.Length);
        Assert.All(results, r => Assert.Equal(SaveOutcome.Created, r.Outcome));
        var answeredStored = results.Select(r => r.Order.ClientOrderId!).Append("first").Order().ToArray();
        Assert.Equal(answeredStored, stored.Keys.Order().ToArray());
        Assert.All(stored.Values, count => Assert.Equal(1, count));
        Assert.Equal(answeredStored.Length, api.CountRows());
        // Each transaction after the first took at most the cap (two 3-order requests: 6 > 4 is one request past it,
        // never a third), so the requests beyond it did wait for later transactions.
        var sizes = commits.GetMeasurementSnapshot().Select(m => m.Value).ToArray();
        Assert.Equal(1 + Requests * OrdersPerRequest, sizes.Sum());
        Assert.All(sizes, size => Assert.True(size < Cap + OrdersPerRequest, $"a commit of {size} orders went past the cap of {Cap}"));
    }
}
