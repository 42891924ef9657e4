using Microsoft.Data.Sqlite;

namespace OrderFunctions.Tests.Support;

/// <summary>Raw reads of a database file, on connections of the test's own.</summary>
internal static class Database
{
    public static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }

    public static long CountRows(string path) => Scalar<long>(path, "SELECT COUNT(*) FROM Orders");

    public static T Scalar<T>(string path, string sql)
    {
        using var connection = Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }

    /// <summary>client_order_id -> how many rows carry it.</summary>
    public static Dictionary<string, long> ClientOrderIdCounts(string path)
    {
        using var connection = Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT client_order_id, COUNT(*) FROM Orders WHERE client_order_id IS NOT NULL GROUP BY client_order_id";
        using var reader = command.ExecuteReader();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (reader.Read()) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    public static void Delete(string path)
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            try { File.Delete(path + suffix); } catch (IOException) { }
        }
    }
}
