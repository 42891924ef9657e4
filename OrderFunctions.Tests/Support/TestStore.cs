using Microsoft.Data.Sqlite;
using Npgsql;
using OrderFunctions.Storage.Postgres;
using OrderFunctions.Storage.Sqlite;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.Support;

/// <summary>
/// The one temporary order store for a test, of either engine: a SQLite file in the temporary directory (with its WAL),
/// or a schema of its own on a <see cref="PostgresTestServer"/>. It gives the settings that point the app at it and
/// reads its rows on connections of the test's own, never through the app; dispose deletes the file or drops the schema.
/// </summary>
public sealed class TestStore : IAsyncDisposable, IDisposable
{
    private readonly string? _path;
    private readonly PostgresTestServer? _server;
    private readonly string? _schema;

    private TestStore(StoreEngine engine, string connectionString, string? path, PostgresTestServer? server, string? schema)
    {
        Engine = engine;
        ConnectionString = connectionString;
        _path = path;
        _server = server;
        _schema = schema;
    }

    /// <summary>A SQLite store on a new temporary file, or on the file at <paramref name="path"/> (deleted on dispose alike).</summary>
    public static TestStore Sqlite(string? path = null)
    {
        path ??= StandaloneApplication.NewDatabasePath();
        return new TestStore(StoreEngine.Sqlite, $"Data Source={path}", path, null, null);
    }

    /// <summary>A PostgreSQL store: a new schema on <paramref name="server"/> (the shared test cluster when null).</summary>
    public static async Task<TestStore> PostgresAsync(PostgresTestServer? server = null)
    {
        server ??= await PostgresTestServer.SharedAsync();
        var schema = $"test_{Guid.NewGuid():N}";
        return new TestStore(StoreEngine.Postgres, await server.CreateSchemaAsync(schema), null, server, schema);
    }

    public static async Task<TestStore> CreateAsync(StoreEngine engine) =>
        engine == StoreEngine.Sqlite ? Sqlite() : await PostgresAsync();

    public StoreEngine Engine { get; }

    public string ConnectionString { get; }

    /// <summary>The SQLite file.</summary>
    public string Path => _path ?? throw new InvalidOperationException("A PostgreSQL store has no file.");

    /// <summary>The PostgreSQL cluster the schema lives on.</summary>
    public PostgresTestServer Server => _server ?? throw new InvalidOperationException("A SQLite store has no server.");

    /// <summary><c>OrderStorage:Provider</c> and <c>ConnectionStrings:Orders</c>, as the host reads them.</summary>
    public Dictionary<string, string?> Settings => new()
    {
        ["OrderStorage:Provider"] = Engine == StoreEngine.Postgres ? PostgresOrderStore.ProviderName : SqliteOrderStore.ProviderName,
        ["ConnectionStrings:Orders"] = ConnectionString,
    };

    /// <summary>The same settings as environment variables, for a host process.</summary>
    public Dictionary<string, string> Environment =>
        Settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);

    /// <summary>Creates the (empty) schema, as the writer does at start, so reads of an empty store find a table.</summary>
    public async Task CreateSchemaAsync()
    {
        if (Engine == StoreEngine.Sqlite)
        {
            using var connection = Open();
            SqliteOrderSchema.EnsureCreated(connection);
            return;
        }
        await using var postgres = await OpenAsync();
        PostgresOrderSchema.EnsureCreated(postgres, indexUsername: false);
    }

    /// <summary>A connection of the test's own to the SQLite file (unpooled, so nothing holds the file afterwards).</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={Path};Pooling=False");
        connection.Open();
        return connection;
    }

    /// <summary>A connection of the test's own to the PostgreSQL schema.</summary>
    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>One value from the SQLite file.</summary>
    public T Scalar<T>(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }

    /// <summary>One value from the store, either engine.</summary>
    public async Task<T> ScalarAsync<T>(string sql)
    {
        if (Engine == StoreEngine.Sqlite) return Scalar<T>(sql);
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public long CountRows() => Scalar<long>("SELECT COUNT(*) FROM Orders");

    public Task<long> CountRowsAsync() => ScalarAsync<long>("SELECT COUNT(*) FROM orders");

    /// <summary>How many rows of the SQLite file hold each client order id (twice means idempotency failed).</summary>
    public Dictionary<string, int> ClientOrderIdCounts()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = ClientOrderIdCountsSql;
        using var row = command.ExecuteReader();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        while (row.Read()) counts[row.GetString(0)] = row.GetInt32(1);
        return counts;
    }

    /// <summary>How many rows hold each client order id, either engine.</summary>
    public async Task<Dictionary<string, int>> ClientOrderIdCountsAsync()
    {
        if (Engine == StoreEngine.Sqlite) return ClientOrderIdCounts();
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(ClientOrderIdCountsSql, connection);
        await using var row = await command.ExecuteReaderAsync();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        while (await row.ReadAsync()) counts[row.GetString(0)] = Convert.ToInt32(row.GetInt64(1));
        return counts;
    }

    private const string ClientOrderIdCountsSql =
        "SELECT client_order_id, COUNT(*) FROM orders WHERE client_order_id IS NOT NULL GROUP BY client_order_id";

    public void Dispose()
    {
        if (_path is null) return;
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            try { File.Delete(_path + suffix); } catch (IOException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Dispose();
        if (_server is null) return;
        try
        {
            await _server.DropSchemaAsync(_schema!);
        }
        catch (NpgsqlException)
        {
            // A test that stopped its own server drops the whole cluster instead.
        }
    }
}
