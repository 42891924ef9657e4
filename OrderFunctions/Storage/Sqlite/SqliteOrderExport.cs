using System.Runtime.CompilerServices;
using System.Text;
using OrderFunctions.Orders;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>
/// <see cref="IOrderExportQueries"/> on SQLite. The snapshot is the newest id when the export opens: SQLite has one
/// writer at a time and gives each new row the next id, so every order committed later has a greater id and none
/// committed earlier does. Rows then come in slices of <see cref="SliceSize"/> by id, each read in its own short read
/// through the gate: an export neither holds a read slot (other reads wait for none) nor a read transaction (the WAL
/// can be checkpointed meanwhile), and its memory is one slice whatever the range.
/// </summary>
public sealed class SqliteOrderExport(SqliteReads reads) : IOrderExportQueries
{
    public const int SliceSize = 2000;

    public async Task<IOrderExport> OpenExportAsync(OrderFilter filter, CancellationToken cancellationToken = default)
    {
        // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
        var maxId = await reads.ReadAsync(connection =>
        {
            using var command = reads.Command(connection);
            command.CommandText = "SELECT COALESCE(MAX(id), 0) FROM Orders";
            return (long)command.ExecuteScalar()!;
        }, cancellationToken).ConfigureAwait(false);
        return new Export(reads, filter, maxId);
    }

    private sealed class Export(SqliteReads reads, OrderFilter filter, long maxId) : IOrderExport
    {
        public long MaxId => maxId;

        public async IAsyncEnumerable<StoredOrder> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var after = 0L;
            // Stryker disable once Equality : equivalent, at after == maxId one more slice reads no row and ends the loop
            while (after < maxId)
            {
                // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
                var slice = await reads.ReadAsync(connection =>
                {
                    using var command = reads.Command(connection);
                    // NOT INDEXED: every slice walks the table in id order from the cursor (the rowid search stays), so
                    // the whole export is one pass over the ids whatever the filter. Through IX_Orders_market_timestamp
                    // each slice would read all of a market's entries again and sort them: quadratic in a big market.
                    var sql = new StringBuilder($"SELECT {SqliteOrderReader.Columns} FROM Orders NOT INDEXED");
                    sql.Append(SqliteReads.Where(sql, command, filter) ? " AND " : " WHERE ");
                    sql.Append("id > $after AND id <= $maxId ORDER BY id LIMIT $count");
                    command.Parameters.AddWithValue("$after", after);
                    command.Parameters.AddWithValue("$maxId", maxId);
                    command.Parameters.AddWithValue("$count", SliceSize);
                    command.CommandText = sql.ToString();
                    var orders = new List<StoredOrder>(SliceSize);
                    using var row = command.ExecuteReader();
                    while (row.Read()) orders.Add(SqliteOrderReader.ReadOrder(row));
                    return orders;
                }, cancellationToken).ConfigureAwait(false);

                foreach (var order in slice) yield return order;
                if (slice.Count < SliceSize) yield break;
                after = slice[^1].Id;
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
