using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.Storage;

/// <summary>
/// Versioned schema migrations, written once for every engine: a database the release before versioning wrote is
/// upgraded at start with every order kept (also while that release still writes to it, and when instances start
/// together), a database a newer release upgraded is refused untouched, and a reconnect runs no migration. Each
/// engine's subclass builds the previous release's database with that release's own DDL and insert.
/// </summary>
public abstract class OrderMigrationContract(StoreEngine engine) : IAsyncLifetime
{
    private readonly List<ServiceProvider> _providers = [];

    protected TestStore Store { get; private set; } = null!;

    public async Task InitializeAsync() => Store = await TestStore.CreateAsync(engine);

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers) await provider.DisposeAsync();
        await Store.DisposeAsync();
    }

    /// <summary>The highest schema version this release knows.</summary>
    protected abstract int Latest { get; }

    /// <summary>The previous release's table and indexes (its DDL, verbatim), with no version recorded.</summary>
    protected abstract Task CreatePreviousReleaseSchemaAsync();

    /// <summary>Inserts <paramref name="order"/> as the previous release's writer did (its columns only).</summary>
    protected abstract Task InsertAsPreviousReleaseAsync(Order order);

    protected abstract Task<int> SchemaVersionAsync();

    /// <summary>Records <paramref name="version"/> as a newer release would have.</summary>
    protected abstract Task SetSchemaVersionAsync(int version);

    /// <summary>Brings the schema up to date on a connection of its own (what one instance does at start).</summary>
    protected abstract Task<int> MigrateAsync();

    /// <summary>The audit columns of the row with id <paramref name="id"/>: (received_at, stored_by), null when NULL.</summary>
    protected abstract Task<(object? ReceivedAt, object? StoredBy)> AuditColumnsAsync(long id);

    protected ServiceProvider Services(CapturedLogs? logs = null)
    {
        var provider = StandaloneApplication.ComposeServices(Store.Settings,
            (services, _) => { if (logs is not null) services.AddLogging(b => b.AddProvider(logs)); });
        _providers.Add(provider);
        return provider;
    }

    // Orders at the edges of what the previous release stored: extreme timestamps and decimals, client order ids.
    private static readonly Order[] PreviousOrders =
    [
        TestOrders.Order(),
        TestOrders.Order(username: "bob", size: 0.00000001m, price: 9999999999.99999999m, clientOrderId: "c-1", side: "sell"),
        TestOrders.Order(username: "carol", size: 123456789.12345678m, price: 0.3m, market: "ETH-USD") with
        {
            Timestamp = new DateTime(2026, 11, 27, 10, 15, 30, DateTimeKind.Utc).AddTicks(1234567),
        },
        TestOrders.Order(clientOrderId: "c-2") with { Timestamp = DateTime.MinValue },
        TestOrders.Order(username: "dave") with { Timestamp = new DateTime(9999, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9999999) },
    ];

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task StartAsync_upgrades_a_previous_release_database_keeping_every_order()
    {
        // Arrange
        await CreatePreviousReleaseSchemaAsync();
        foreach (var order in PreviousOrders) await InsertAsPreviousReleaseAsync(order);
        var logs = new CapturedLogs();
        var services = Services(logs);
        var queue = services.GetRequiredService<OrderWriteQueue>();

        // Act
        await queue.StartAsync(default);
        var replay = await queue.AddAsync(PreviousOrders[1]);
        var added = await queue.AddAsync(TestOrders.Order(username: "erin"));
        var listed = await services.GetRequiredService<IOrderQueries>().ListAsync(new OrderFilter(), 0, 100);
        await queue.StopAsync(default);

        // Assert: every order as it was, in id order, the idempotency index still in force, the audit columns empty.
        Assert.Equal(Latest, await SchemaVersionAsync());
        Assert.Equal(
            PreviousOrders.Select((order, i) => StoredOrder.From(i + 1, order)).Append(added.Order),
            listed);
        Assert.Equal(SaveOutcome.Replayed, replay.Outcome);
        Assert.Equal(2, replay.Order.Id);
        Assert.True(added.Order.Id > PreviousOrders.Length, $"id {added.Order.Id} reused"); // PostgreSQL's sequence may leave gaps
        for (var id = 1; id <= PreviousOrders.Length; id++) Assert.Equal((null, null), await AuditColumnsAsync(id));
        var upgraded = Assert.Single(logs.Records, r => r.Message.StartsWith("Upgraded the ", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, upgraded.Level);
        Assert.Matches($"^Upgraded the {EngineName} order database from schema version [0-9]+ to {Latest}$", upgraded.Message);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task StartAsync_creates_a_new_database_at_the_latest_version()
    {
        var logs = new CapturedLogs();
        var queue = Services(logs).GetRequiredService<OrderWriteQueue>();

        await queue.StartAsync(default);
        await queue.StopAsync(default);

        Assert.Equal(Latest, await SchemaVersionAsync());
        Assert.Equal(0L, await Store.CountRowsAsync());
        Assert.Contains(logs.Records, r => r.Message == $"Upgraded the {EngineName} order database from schema version 0 to {Latest}");
    }

    private string EngineName => engine == StoreEngine.Sqlite ? "SQLite" : "PostgreSQL";

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task StartAsync_refuses_a_database_a_newer_release_upgraded_and_changes_nothing()
    {
        // Arrange: upgraded by this release, then by a newer one.
        Assert.Equal(Latest, await MigrateAsync());
        await InsertAsPreviousReleaseAsync(TestOrders.Order());
        await SetSchemaVersionAsync(Latest + 1);
        var queue = Services().GetRequiredService<OrderWriteQueue>();

        // Act
        var refused = await Assert.ThrowsAsync<OrderSchemaVersionException>(() => queue.StartAsync(default));

        // Assert
        Assert.Equal((Latest + 1, Latest), (refused.Found, refused.Known));
        Assert.StartsWith($"The order database has schema version {Latest + 1}, but this release", refused.Message);
        Assert.Contains("does not downgrade", refused.Message);
        Assert.Contains($"or restore a {EngineName} backup taken before the upgrade", refused.Message);
        Assert.Equal(Latest + 1, await SchemaVersionAsync());
        Assert.Equal(1L, await Store.CountRowsAsync());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Migrate_applies_each_step_once_when_instances_start_at_once()
    {
        // Arrange: a previous release's database with orders, and four instances starting on it at the same moment.
        await CreatePreviousReleaseSchemaAsync();
        foreach (var order in PreviousOrders) await InsertAsPreviousReleaseAsync(order);
        using var start = new Barrier(4);

        // Act
        var applied = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return MigrateAsync();
        })));

        // Assert: one instance applied every step, the others found them applied.
        Assert.Equal([0, 0, 0, Latest], applied.Order());
        Assert.Equal(Latest, await SchemaVersionAsync());
        Assert.Equal(PreviousOrders.Length, await Store.CountRowsAsync());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Migrate_keeps_every_order_a_previous_release_instance_writes_meanwhile()
    {
        // Arrange: an instance of the previous release writing orders one by one, as during a rolling upgrade.
        await CreatePreviousReleaseSchemaAsync();
        foreach (var order in PreviousOrders) await InsertAsPreviousReleaseAsync(order);
        using var stop = new CancellationTokenSource();
        var written = PreviousOrders.Length;
        var firstWritten = new TaskCompletionSource();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested || i < 20; i++)
            {
                await InsertAsPreviousReleaseAsync(TestOrders.Order(username: $"old-{i}"));
                written++;
                firstWritten.TrySetResult();
            }
        });
        await firstWritten.Task.WaitAsync(TimeSpan.FromMilliseconds(TestTimeouts.Server));

        // Act: this release starts on the same database while the other one keeps writing.
        var applied = await MigrateAsync();
        await stop.CancelAsync();
        await writer.WaitAsync(TimeSpan.FromMilliseconds(TestTimeouts.Server));

        // Assert: upgraded once, and no order of either side lost.
        Assert.Equal(Latest, applied);
        Assert.Equal(Latest, await SchemaVersionAsync());
        Assert.Equal(written, await Store.CountRowsAsync());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Open_after_a_reset_runs_no_migration_when_the_version_changed_meanwhile()
    {
        // Arrange: the writer opened (and migrated) at start; later a newer release upgrades the schema beside it.
        var writer = Services().GetRequiredService<IOrderBatchWriter>();
        writer.Open();
        await SetSchemaVersionAsync(Latest + 1);

        // Act: the reconnect after a fault.
        writer.Reset();
        var reopen = Record.Exception(writer.Open);
        writer.Reset();

        // Assert: a reconnect runs no migration and checks no version; only a start does.
        Assert.Null(reopen);
        Assert.Equal(Latest + 1, await SchemaVersionAsync());
    }
}
