using OrderFunctions.Client;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;
using static OrderFunctions.Tests.Sender.SenderTestData;

namespace OrderFunctions.Tests.Sender;

/// <summary>
/// The server-restart test on PostgreSQL, where the store's own idempotency (a unique index, a racing insert) differs; the
/// enqueue order with two requests in flight, where the precondition's read and the writes are another server's.
/// </summary>
[RequiresPostgres]
public sealed class OrderSenderPostgresTests : IDisposable
{
    private readonly string _spool = NewSpoolDirectory();

    public void Dispose() => DeleteDirectory(_spool);

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Sender_stores_every_order_exactly_once_on_postgres_when_the_server_is_killed_and_restarted_mid_stream()
    {
        await using var store = await TestStore.CreateAsync(StoreEngine.Postgres);
        await using var host = await StandaloneHost.StartAsync(environment: store.Environment);
        await using var sender = new OrderSender(Options(host.BaseAddress, _spool));
        const int Count = 5000;
        for (var i = 0; i < Count; i++)
        {
            Assert.Equal(EnqueueStatus.Accepted, await sender.EnqueueAsync(Order(i, "pg-restart", $"pg-restart-{i}")));
            if (i == 1500)
            {
                await WaitUntilAsync(() => sender.SentCount > 0, "the first batches were sent");
                host.Kill();
            }
            if (i == 3000) await host.RestartAsync();
        }
        Assert.True(await sender.FlushAsync());

        var rows = await store.ClientOrderIdCountsAsync();
        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"pg-restart-{i}").Order(), rows.Keys.Order());
        Assert.All(rows.Values, count => Assert.Equal(1, count));
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Sender_keeps_the_enqueue_order_on_postgres_with_two_requests_in_flight()
    {
        await using var app = await StandaloneApplication.OnEmptyStoreAsync(StoreEngine.Postgres);
        app.ServeOnSocket();
        await OrderSenderTests.AssertStoredInEnqueueOrderAsync(app);
    }
}
