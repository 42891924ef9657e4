using OrderFunctions.Storage.Sqlite;

namespace OrderFunctions.Tests.Support;

/// <summary>A temporary SQLite file (<see cref="TempDatabase"/>) as a <see cref="TestStore"/>.</summary>
public sealed class SqliteTestStore : TestStore
{
    public TempDatabase Database { get; } = new();

    public override StoreEngine Engine => StoreEngine.Sqlite;

    public override string ConnectionString => Database.ConnectionString;

    public override Task CreateSchemaAsync()
    {
        using var connection = Database.Open();
        SqliteOrderSchema.EnsureCreated(connection);
        return Task.CompletedTask;
    }

    public override Task<long> CountRowsAsync() => Task.FromResult(Database.CountRows());

    public override Task<Dictionary<string, int>> ClientOrderIdCountsAsync()
    {
        using var connection = Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT client_order_id, COUNT(*) FROM Orders WHERE client_order_id IS NOT NULL GROUP BY client_order_id";
        using var row = command.ExecuteReader();
        var counts = new Dictionary<string, int>();
        while (row.Read()) counts[row.GetString(0)] = row.GetInt32(1);
        return Task.FromResult(counts);
    }

    public override ValueTask DisposeAsync()
    {
        Database.Dispose();
        return ValueTask.CompletedTask;
    }
}
