using Microsoft.Extensions.DependencyInjection;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Postgres;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.Storage.Postgres;

/// <summary>
/// What the PostgreSQL health probe reports about the database itself: a read of <c>orders</c> that proves the table is
/// there, and, only when asked, an insert of no row that proves the database takes writes.
/// </summary>
[RequiresPostgres]
public sealed class PostgresStoreProbeTests : IAsyncLifetime
{
    private readonly List<ServiceProvider> _providers = [];
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.PostgresAsync(await PostgresTestServer.SharedAsync());

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers) await provider.DisposeAsync();
        await _store.DisposeAsync();
    }

    // The app's probe, over the store's connection string and what a test appends to it.
    private IOrderStoreProbe Probe(string connectionOptions = "")
    {
        var settings = _store.Settings;
        settings["ConnectionStrings:Orders"] += connectionOptions;
        var provider = StandaloneApplication.ComposeServices(settings);
        _providers.Add(provider);
        return Assert.IsType<PostgresStoreProbe>(provider.GetRequiredService<IOrderStoreProbe>());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task ProbeAsync_reports_nothing_for_a_database_with_its_table()
    {
        await _store.CreateSchemaAsync();
        var probe = Probe();

        Assert.Equal(((string?)null, (string?)null), (await probe.ProbeAsync(proveWrite: false), await probe.ProbeAsync(proveWrite: true)));
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task ProbeAsync_reports_a_database_without_the_orders_table()
    {
        var probe = Probe(); // no schema: the writer has not started

        Assert.Equal("the database refused the write", await probe.ProbeAsync(proveWrite: false));
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task ProbeAsync_reports_a_read_only_database_only_when_it_must_prove_a_write()
    {
        // Arrange: every session of the probe's pool read-only, as on a standby or a database set read-only.
        await _store.CreateSchemaAsync();
        var probe = Probe(";Options=-c default_transaction_read_only=on");

        // Act
        var read = await probe.ProbeAsync(proveWrite: false);
        var write = await probe.ProbeAsync(proveWrite: true);

        // Assert
        Assert.Equal(((string?)null, "the database is read-only"), (read, write));
    }
}
