using System.Data;
using System.Runtime.CompilerServices;
using System.Text;
using Npgsql;
using OrderFunctions.Orders;

namespace OrderFunctions.Storage.Postgres;

/// <summary>
/// <see cref="IOrderExportQueries"/> on PostgreSQL: one read-only REPEATABLE READ transaction, whose snapshot is taken
/// by its first statement (the newest id) when the export opens, so orders committed later are all left out, also those
/// another instance drew a smaller id for. The newest id is capped where the store is settled (read just before the
/// snapshot, <see cref="PostgresCommitFence"/>), so no order with an id up to it can commit after the export: a listing
/// may tail on from it. The rows then come from one statement that Npgsql reads as they arrive (the server waits on
/// the socket when the client is slow), so memory does not grow with the range.
/// </summary>
public sealed class PostgresOrderExport(PostgresReads reads) : IOrderExportQueries
{
    public async Task<IOrderExport> OpenExportAsync(OrderFilter filter, CancellationToken cancellationToken = default)
    {
        NpgsqlConnection? connection = null;
        try
        {
            // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
            connection = await reads.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
            var settled = await SettledThroughAsync(connection, cancellationToken).ConfigureAwait(false);
            // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            await using (var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", connection, transaction))
            {
                // Stryker disable once Statement,Boolean : equivalent, the export's transaction runs SELECTs only, so READ ONLY is a guard none of its statements trips; and equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
                await readOnly.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await using var max = new NpgsqlCommand("SELECT COALESCE(MAX(id), 0) FROM orders WHERE id <= @settled", connection, transaction);
            max.Parameters.AddWithValue("settled", settled);
            // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
            var maxId = (long)(await max.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            return new Export(reads, connection, transaction, filter, maxId);
        }
        catch (Exception ex)
        {
            // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
            if (reads.Unavailable(ex) is { } unavailable) throw unavailable;
            throw;
        }
    }

    // Read before the snapshot (PostgresCommitFence): every id at or below it that will ever be visible is in the
    // snapshot, so the export's newest id is a safe cursor for a listing that tails on from where the export ended.
    private static async Task<long> SettledThroughAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(PostgresCommitFence.ReadSql, connection);
        // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
        return await PostgresCommitFence.ReadSettledThroughAsync(row, cancellationToken).ConfigureAwait(false);
    }

    private sealed class Export(PostgresReads reads, NpgsqlConnection connection, NpgsqlTransaction transaction, OrderFilter filter,
        long maxId) : IOrderExport
    {
        public long MaxId => maxId;

        public async IAsyncEnumerable<StoredOrder> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await using var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
            var sql = new StringBuilder($"SELECT {PostgresOrderSchema.Columns} FROM orders");
            sql.Append(PostgresReads.Where(sql, command, filter) ? " AND " : " WHERE ").Append("id <= @max_id ORDER BY id");
            command.Parameters.AddWithValue("max_id", maxId);
            command.CommandText = sql.ToString();

            NpgsqlDataReader row;
            try
            {
                // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
                row = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (reads.Unavailable(ex) is { } unavailable)
            {
                throw unavailable;
            }
            await using (row)
            {
                while (true)
                {
                    StoredOrder order;
                    try
                    {
                        // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
                        if (!await row.ReadAsync(cancellationToken).ConfigureAwait(false)) yield break;
                        order = PostgresOrderReader.ReadOrder(row);
                    }
                    catch (Exception ex) when (reads.Unavailable(ex) is { } unavailable)
                    {
                        throw unavailable;
                    }
                    yield return order;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
            await transaction.DisposeAsync().ConfigureAwait(false);
            // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
