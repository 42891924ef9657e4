using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OrderFunctions.Orders;

namespace OrderFunctions.Storage.Postgres;

/// <summary>
/// <see cref="IOrderQueries"/> on PostgreSQL, asynchronous end to end on the shared pool. SQL text is assembled only
/// from the constant clauses below, one per given filter; every value is a parameter. Answers are the SQLite store's,
/// value for value: decimals normalised, timestamps in UTC to the 100 ns, sums exact (numeric, read as text).
/// </summary>
// Stryker disable Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context (every Boolean literal of this file is ConfigureAwait's)
public sealed class PostgresOrderQueries(PostgresReads reads) : IOrderQueries
{
    private const string FindSql = $"SELECT {PostgresOrderSchema.Columns} FROM orders WHERE id = @id";

    // One probe of the unique index ix_orders_username_client_order_id (PostgresOrderMigrations).
    internal const string IsStoredSql =
        "SELECT 1 FROM orders WHERE username = @username AND client_order_id = @clientOrderId LIMIT 1";

    // A timestamp as one exact number of 100 ns ticks since the Unix epoch, so MIN/MAX cover the ticks column too.
    // Npgsql writes DateTime.MinValue (0001-01-01T00:00:00Z, a valid order timestamp) as -infinity, which has no epoch.
    internal const string Ticks =
        "CASE WHEN timestamp = '-infinity' THEN -621355968000000000 ELSE (extract(epoch FROM timestamp) * 10000000)::bigint END + timestamp_ticks";

    private const string StatsSelect = $"""
        SELECT market, COUNT(*),
               COALESCE(SUM(size) FILTER (WHERE side = 'buy'), 0)::text,
               COALESCE(SUM(size) FILTER (WHERE side = 'sell'), 0)::text,
               SUM(size * price)::text,
               MIN(price), MAX(price), MIN({Ticks}), MAX({Ticks})
        FROM orders
        """;

    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;

    public Task<StoredOrder?> FindAsync(long id, CancellationToken cancellationToken = default) =>
        reads.ReadAsync(async connection =>
        {
            await using var command = new NpgsqlCommand(FindSql, connection);
            command.Parameters.AddWithValue("id", id);
            await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await row.ReadAsync(cancellationToken).ConfigureAwait(false) ? PostgresOrderReader.ReadOrder(row) : null;
        }, cancellationToken);

    public Task<bool> IsStoredAsync(string username, string clientOrderId, CancellationToken cancellationToken = default) =>
        reads.ReadAsync(async connection =>
        {
            await using var command = new NpgsqlCommand(IsStoredSql, connection);
            command.Parameters.AddWithValue("username", username);
            command.Parameters.AddWithValue("clientOrderId", clientOrderId);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
        }, cancellationToken);

    public async Task<IReadOnlyList<StoredOrder>> ListAsync(OrderFilter filter, long afterId, int count,
        CancellationToken cancellationToken = default) =>
        (await ListSliceAsync(filter, afterId, count, cancellationToken).ConfigureAwait(false)).Orders;

    // One round trip, three statements, each on a snapshot of its own taken when it starts (READ COMMITTED): the
    // sequence's head, the fences of the commits in flight (PostgresCommitFence), then the page. Every id at or below
    // the settled id that will ever be visible is visible to the page's snapshot, so the rows above it are held back.
    public Task<OrderSlice> ListSliceAsync(OrderFilter filter, long afterId, int count, CancellationToken cancellationToken = default) =>
        reads.ReadAsync(async connection =>
        {
            await using var command = new NpgsqlCommand { Connection = connection };
            var sql = new StringBuilder(PostgresCommitFence.ReadSql).Append($"SELECT {PostgresOrderSchema.Columns} FROM orders");
            Where(sql, command, filter, afterId);
            sql.Append(" ORDER BY id LIMIT @count");
            command.Parameters.AddWithValue("count", count);
            command.CommandText = sql.ToString();

            await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var settled = await PostgresCommitFence.ReadSettledThroughAsync(row, cancellationToken).ConfigureAwait(false);
            await row.NextResultAsync(cancellationToken).ConfigureAwait(false);

            // Stryker disable once Linq : equivalent, the list's initial capacity
            var orders = new List<StoredOrder>(Math.Min(count, 1024));
            while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var order = PostgresOrderReader.ReadOrder(row);
                if (order.Id > settled) return new OrderSlice(orders, settled);
                orders.Add(order);
            }
            return new OrderSlice(orders);
        }, cancellationToken);

    public Task<IReadOnlyList<MarketStats>> StatsAsync(OrderFilter filter, string? afterMarket, int count,
        CancellationToken cancellationToken = default) =>
        reads.ReadAsync<IReadOnlyList<MarketStats>>(async connection =>
        {
            await using var command = new NpgsqlCommand { Connection = connection };
            var sql = new StringBuilder(StatsSelect);
            Where(sql, command, filter, afterId: null);
            if (afterMarket is not null)
            {
                sql.Append(command.Parameters.Count == 0 ? " WHERE " : " AND ").Append("market COLLATE \"C\" > @after_market");
                command.Parameters.AddWithValue("after_market", afterMarket);
            }
            // Byte order, as SQLite's BINARY collation, whatever the database's default collation.
            sql.Append(" GROUP BY market ORDER BY market COLLATE \"C\" LIMIT @count");
            command.Parameters.AddWithValue("count", count);
            command.CommandText = sql.ToString();

            // Stryker disable once Linq : equivalent, the list's initial capacity
            var markets = new List<MarketStats>(Math.Min(count, 1024));
            await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await row.ReadAsync(cancellationToken).ConfigureAwait(false)) markets.Add(ReadStats(row));
            return markets;
        }, cancellationToken);

    private static MarketStats ReadStats(NpgsqlDataReader row) => MarketStats.FromUnits(
        row.GetString(0),
        row.GetInt64(1),
        PostgresNumeric.ToUnits(row.GetString(2), OrderDecimal.Scale),
        PostgresNumeric.ToUnits(row.GetString(3), OrderDecimal.Scale),
        PostgresNumeric.ToUnits(row.GetString(4), 2 * OrderDecimal.Scale),
        OrderDecimal.Normalize(row.GetDecimal(5)),
        OrderDecimal.Normalize(row.GetDecimal(6)),
        new DateTime(UnixEpochTicks + row.GetInt64(7), DateTimeKind.Utc),
        new DateTime(UnixEpochTicks + row.GetInt64(8), DateTimeKind.Utc));

    // The filter clauses are the ones stats over time and the export use (PostgresReads.Where); a listing adds its cursor.
    private static void Where(StringBuilder sql, NpgsqlCommand command, OrderFilter filter, long? afterId)
    {
        var filtered = PostgresReads.Where(sql, command, filter);
        if (afterId is { } after)
        {
            sql.Append(filtered ? " AND " : " WHERE ").Append("id > @after");
            command.Parameters.AddWithValue("after", after);
        }
    }
}
