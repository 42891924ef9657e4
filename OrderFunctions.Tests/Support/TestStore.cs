using OrderFunctions.Storage.Postgres;
using OrderFunctions.Storage.Sqlite;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.Support;

/// <summary>
/// An empty order store of one engine for one test: the settings that point <c>AddOrderServices</c> at it, and a way
/// to look at its rows without the service. Deleted on dispose.
/// </summary>
public abstract class TestStore : IAsyncDisposable
{
    public abstract StoreEngine Engine { get; }

    public abstract string ConnectionString { get; }

    /// <summary><c>OrderStorage:Provider</c> and <c>ConnectionStrings:Orders</c>, as the host reads them.</summary>
    public Dictionary<string, string?> Settings => new()
    {
        ["OrderStorage:Provider"] = Engine == StoreEngine.Postgres ? PostgresOrderStore.ProviderName : SqliteOrderStore.ProviderName,
        ["ConnectionStrings:Orders"] = ConnectionString,
    };

    /// <summary>The same settings as environment variables, for a host process.</summary>
    public Dictionary<string, string> Environment => Settings.ToDictionary(s => s.Key.Replace(":", "__"), s => s.Value!);

    /// <summary>Creates the (empty) schema, as the writer does at start, so reads of an empty store find a table.</summary>
    public abstract Task CreateSchemaAsync();

    public abstract Task<long> CountRowsAsync();

    /// <summary>How many rows hold each client order id (a client order id twice means idempotency failed).</summary>
    public abstract Task<Dictionary<string, int>> ClientOrderIdCountsAsync();

    public abstract ValueTask DisposeAsync();

    public static async Task<TestStore> CreateAsync(StoreEngine engine) => engine switch
    {
        StoreEngine.Sqlite => new SqliteTestStore(),
        _ => await PostgresTestStore.CreateAsync(await PostgresTestServer.SharedAsync()),
    };
}
