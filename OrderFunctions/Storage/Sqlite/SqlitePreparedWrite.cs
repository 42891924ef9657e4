using System.Buffers;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>
/// A request's orders as the SQLite writer binds them: the orders and each one's <see cref="SqliteRow"/> in a pooled
/// array, computed on the request's thread by <see cref="SqliteOrderWriter.Prepare"/> and given back to the pool by
/// <see cref="SqliteOrderWriter.Release"/>.
/// </summary>
public readonly struct SqlitePreparedWrite
{
    internal SqlitePreparedWrite(OrderWrite orders, SqliteRow[] rows) => (Orders, Rows) = (orders, rows);

    public OrderWrite Orders { get; }

    /// <summary>Rented from <see cref="ArrayPool{T}.Shared"/>; at least <see cref="OrderWrite.Count"/> long.</summary>
    internal SqliteRow[] Rows { get; }
}
