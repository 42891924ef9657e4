using Npgsql;
using OrderFunctions.Storage.Postgres;

namespace OrderFunctions.Tests.Support.Postgres;

/// <summary>A schema of its own on a <see cref="PostgresTestServer"/> as a <see cref="TestStore"/>; dropped on dispose.</summary>
public sealed class PostgresTestStore : TestStore
{
    private readonly PostgresTestServer _server;
    private readonly string _schema;

    private PostgresTestStore(PostgresTestServer server, string schema, string connectionString)
    {
        _server = server;
        _schema = schema;
        ConnectionString = connectionString;
    }

    public static async Task<PostgresTestStore> CreateAsync(PostgresTestServer server)
    {
        var schema = $"test_{Guid.NewGuid():N}";
        return new PostgresTestStore(server, schema, await server.CreateSchemaAsync(schema));
    }

    public PostgresTestServer Server => _server;

    public override StoreEngine Engine => StoreEngine.Postgres;

    public override string ConnectionString { get; }

    public override async Task CreateSchemaAsync()
    {
        await using var connection = await OpenAsync();
        PostgresOrderSchema.EnsureCreated(connection, indexUsername: false);
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public override Task<long> CountRowsAsync() => ScalarAsync<long>("SELECT COUNT(*) FROM orders");

    public override async Task<Dictionary<string, int>> ClientOrderIdCountsAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT client_order_id, COUNT(*)::int FROM orders WHERE client_order_id IS NOT NULL GROUP BY client_order_id", connection);
        await using var row = await command.ExecuteReaderAsync();
        var counts = new Dictionary<string, int>();
        while (await row.ReadAsync()) counts[row.GetString(0)] = row.GetInt32(1);
        return counts;
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await _server.DropSchemaAsync(_schema);
        }
        catch (NpgsqlException)
        {
            // A test that stopped its own server drops the whole cluster instead.
        }
    }
}
