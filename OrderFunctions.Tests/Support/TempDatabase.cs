using Microsoft.Data.Sqlite;

namespace OrderFunctions.Tests.Support;

/// <summary>A real SQLite file for one test, deleted (with its WAL) on dispose.</summary>
public sealed class TempDatabase : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"orders-{Guid.NewGuid():N}.db");

    public string ConnectionString => $"Data Source={Path}";

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={Path};Pooling=False");
        connection.Open();
        return connection;
    }

    public T Scalar<T>(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }

    public long CountRows() => Scalar<long>("SELECT COUNT(*) FROM Orders");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            try { File.Delete(Path + suffix); } catch (IOException) { }
        }
    }
}
