using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Sqlite;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Storage.Sqlite;

/// <summary>The migration contract on a SQLite file (<c>PRAGMA user_version</c>), and the host's refusal of a newer file.</summary>
public sealed class SqliteMigrationTests() : OrderMigrationContract(StoreEngine.Sqlite)
{
    // The schema of the release before versioning (main at 322f680, SqliteOrderSchema.EnsureCreated), verbatim.
    private const string PreviousReleaseSql = """
        PRAGMA journal_mode = 'wal';
        CREATE TABLE IF NOT EXISTS Orders (
            id INTEGER PRIMARY KEY,
            timestamp TEXT NOT NULL,
            username TEXT NOT NULL,
            market TEXT NOT NULL,
            side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
            size INTEGER NOT NULL CHECK (size > 0),
            price INTEGER NOT NULL CHECK (price > 0),
            client_order_id TEXT
        );
        CREATE UNIQUE INDEX IF NOT EXISTS IX_Orders_client_order_id_username
            ON Orders (client_order_id, username) WHERE client_order_id IS NOT NULL;
        CREATE INDEX IF NOT EXISTS IX_Orders_market_timestamp ON Orders (market, timestamp);
        """;

    protected override int Latest => SqliteOrderMigrations.Latest;

    protected override Task CreatePreviousReleaseSchemaAsync()
    {
        Execute(PreviousReleaseSql);
        return Task.CompletedTask;
    }

    protected override Task InsertAsPreviousReleaseAsync(Order order)
    {
        using var connection = Store.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO Orders (timestamp, username, market, side, size, price, client_order_id)
            VALUES ($timestamp, $username, $market, $side, $size, $price, $clientOrderId)
            """;
        command.Parameters.AddWithValue("$timestamp", order.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$username", order.Username);
        command.Parameters.AddWithValue("$market", order.Market);
        command.Parameters.AddWithValue("$side", order.Side);
        command.Parameters.AddWithValue("$size", OrderDecimal.ToUnits(order.Size));
        command.Parameters.AddWithValue("$price", OrderDecimal.ToUnits(order.Price));
        command.Parameters.AddWithValue("$clientOrderId", (object?)order.ClientOrderId ?? DBNull.Value);
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    protected override Task<int> SchemaVersionAsync() => Task.FromResult((int)Store.Scalar<long>("PRAGMA user_version"));

    protected override Task SetSchemaVersionAsync(int version)
    {
        Execute(string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {version}"));
        return Task.CompletedTask;
    }

    protected override Task<int> MigrateAsync()
    {
        using var connection = Store.Open();
        return Task.FromResult(SqliteOrderSchema.EnsureCreated(connection));
    }

    protected override Task<(object? ReceivedAt, object? StoredBy)> AuditColumnsAsync(long id)
    {
        using var connection = Store.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT received_at, stored_by FROM Orders WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        using var row = command.ExecuteReader();
        Assert.True(row.Read());
        return Task.FromResult<(object?, object?)>((row.IsDBNull(0) ? null : row.GetValue(0), row.IsDBNull(1) ? null : row.GetValue(1)));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Standalone_host_exits_with_code_1_and_says_why_when_a_newer_release_upgraded_the_file()
    {
        // Arrange
        Execute(PreviousReleaseSql + $"PRAGMA user_version = {Latest + 1};");

        // Act
        var refused = await Assert.ThrowsAsync<StandaloneHostExitedException>(() => StandaloneHost.StartAsync(Store.Path));

        // Assert: the message on a line of its own, exit code 1 rather than an unhandled exception's abort, the file untouched.
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains(new OrderSchemaVersionException("SQLite", Latest + 1, Latest).Message, refused.OutputLines);
        Assert.DoesNotContain(refused.OutputLines, line => line.StartsWith("Unhandled exception", StringComparison.Ordinal));
        Assert.Equal(Latest + 1, await SchemaVersionAsync());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task StartAsync_leaves_a_newer_files_journal_mode_as_it_was()
    {
        // Arrange: a newer release's file in rollback-journal mode (WAL is a property of the file, kept in its header).
        Execute(PreviousReleaseSql.Replace("PRAGMA journal_mode = 'wal';", "PRAGMA journal_mode = 'delete';", StringComparison.Ordinal)
            + $"PRAGMA user_version = {Latest + 1};");
        var queue = Services().GetRequiredService<OrderWriteQueue>();

        // Act
        await Assert.ThrowsAsync<OrderSchemaVersionException>(() => queue.StartAsync(default));

        // Assert: refused before the switch to WAL, which must run outside the migration's transaction.
        Assert.Equal("delete", Store.Scalar<string>("PRAGMA journal_mode"));
    }

    private void Execute(string sql)
    {
        using var connection = Store.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
