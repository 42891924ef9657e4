using Microsoft.Extensions.DependencyInjection;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Sqlite;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.ReadSide;

/// <summary>
/// Reads cannot stall ingestion: SQLite reads block their thread, so only <c>MaxConcurrentReads</c> run at once and the
/// rest wait asynchronously, holding no thread-pool thread (issue 11, item 5; the figure: benchmarks/reads-vs-writes.sh).
/// </summary>
public sealed class ReadGateTests : IAsyncLifetime
{
    private StandaloneApplication _store = null!;

    public async Task InitializeAsync() => _store = await StandaloneApplication.OnEmptyStoreAsync(StoreEngine.Sqlite);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Reads_wait_without_blocking_the_caller_when_every_read_slot_is_taken()
    {
        // Arrange: one order, and every read slot taken (as by long statistics queries).
        var stored = await _store.AddAsync(TestOrders.Order());
        var gate = _store.Services.GetRequiredService<SqliteReadGate>();
        var queries = _store.Services.GetRequiredService<IOrderQueries>();
        var slots = gate.Free;
        for (var i = 0; i < slots; i++) await gate.WaitAsync(CancellationToken.None);

        // Act: the calls return at once, unfinished, instead of running on the caller's thread.
        var list = queries.ListAsync(new OrderFilter(), 0, 10);
        var find = queries.FindAsync(stored[0].Id);
        var stats = queries.StatsAsync(new OrderFilter(), null, 10);
        var waitingWhileHeld = (list.IsCompleted, find.IsCompleted, stats.IsCompleted);
        for (var i = 0; i < slots; i++) gate.Release();

        // Assert
        Assert.True(slots >= 1);
        Assert.Equal((false, false, false), waitingWhileHeld);
        Assert.Equal(stored[0].Id, Assert.Single(await list.WaitAsync(TimeSpan.FromSeconds(30))).Id);
        Assert.Equal(stored[0].Id, (await find.WaitAsync(TimeSpan.FromSeconds(30)))!.Id);
        Assert.Equal(1, Assert.Single(await stats.WaitAsync(TimeSpan.FromSeconds(30))).Count);
        Assert.Equal(slots, gate.Free);
    }

    [Fact]
    public void MaxConcurrentReads_defaults_to_half_the_processors_and_at_least_one()
    {
        Assert.Equal(Math.Max(1, Environment.ProcessorCount / 2), new SqliteOrderStoreOptions().MaxConcurrentReads);
    }
}
