using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderFunctions.Orders;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>
/// <see cref="IOrderQueries"/> on the SQLite file the repository writes, through <see cref="SqliteReads"/>: a pooled
/// read-only connection per call inside a slot of the read gate, so reads run beside the writer (WAL) and can change
/// nothing. SQL text is assembled only from the constant clauses below, one per given filter, so each query shape gets
/// its own plan and every value is a parameter. Indexes and the plan of each shape: docs/read-api.md.
/// </summary>
public sealed class SqliteOrderQueries(SqliteReads reads) : IOrderQueries
{
    private const string FindSql = $"SELECT {SqliteOrderReader.Columns} FROM Orders WHERE id = $id";

    // The idempotency index leads with client_order_id (SqliteOrderMigrations), so this is one index probe.
    internal const string IsStoredSql =
        "SELECT 1 FROM Orders WHERE client_order_id = $clientOrderId AND username = $username LIMIT 1";

    private const string StatsSelect = $"""
        SELECT market, COUNT(*), {SqliteExactAggregates.OrderTotals}(side = 'buy', size, price),
               MIN(price), MAX(price), MIN(timestamp), MAX(timestamp)
        FROM Orders
        """;

    public Task<StoredOrder?> FindAsync(long id, CancellationToken cancellationToken = default) =>
        reads.ReadAsync(connection =>
        {
            using var command = reads.Command(connection, FindSql);
            command.Parameters.AddWithValue("$id", id);
            using var row = command.ExecuteReader();
            return row.Read() ? SqliteOrderReader.ReadOrder(row) : null;
        }, cancellationToken);

    public Task<bool> IsStoredAsync(string username, string clientOrderId, CancellationToken cancellationToken = default) =>
        reads.ReadAsync(connection =>
        {
            using var command = reads.Command(connection, IsStoredSql);
            command.Parameters.AddWithValue("$clientOrderId", clientOrderId);
            command.Parameters.AddWithValue("$username", username);
            return command.ExecuteScalar() is not null;
        }, cancellationToken);

    public Task<IReadOnlyList<StoredOrder>> ListAsync(OrderFilter filter, long afterId, int count, CancellationToken cancellationToken = default) =>
        reads.ReadAsync<IReadOnlyList<StoredOrder>>(connection =>
        {
            using var command = reads.Command(connection);
            var sql = new StringBuilder($"SELECT {SqliteOrderReader.Columns} FROM Orders");
            Where(sql, command, filter, afterId, afterMarket: null);
            sql.Append(" ORDER BY id LIMIT $count");
            command.Parameters.AddWithValue("$count", count);
            command.CommandText = sql.ToString();

            // Stryker disable once Linq : equivalent, the list's initial capacity
            var orders = new List<StoredOrder>(Math.Min(count, 1024));
            using var row = command.ExecuteReader();
            while (row.Read()) orders.Add(SqliteOrderReader.ReadOrder(row));
            return orders;
        }, cancellationToken);

    public Task<IReadOnlyList<MarketStats>> StatsAsync(OrderFilter filter, string? afterMarket, int count,
        CancellationToken cancellationToken = default) =>
        reads.ReadAsync<IReadOnlyList<MarketStats>>(connection =>
        {
            SqliteExactAggregates.Register(connection);
            using var command = reads.Command(connection);
            var sql = new StringBuilder(StatsSelect);
            Where(sql, command, filter, afterId: null, afterMarket);
            // Groups come in index order (market, timestamp), so SQLite stops after the page's last market.
            sql.Append(" GROUP BY market ORDER BY market LIMIT $count");
            command.Parameters.AddWithValue("$count", count);
            command.CommandText = sql.ToString();

            // Stryker disable once Linq : equivalent, the list's initial capacity
            var markets = new List<MarketStats>(Math.Min(count, 1024));
            using var row = command.ExecuteReader();
            while (row.Read()) markets.Add(ReadStats(row));
            return markets;
        }, cancellationToken);

    private static MarketStats ReadStats(SqliteDataReader row)
    {
        var (buy, sell, notional) = SqliteExactAggregates.Parse(row.GetString(2));
        return MarketStats.FromUnits(
            row.GetString(0),
            row.GetInt64(1),
            buy,
            sell,
            notional,
            OrderDecimal.FromUnits(row.GetInt64(3)),
            OrderDecimal.FromUnits(row.GetInt64(4)),
            SqliteOrderSchema.ParseTimestamp(row.GetString(5)),
            SqliteOrderSchema.ParseTimestamp(row.GetString(6)));
    }

    // The filter clauses are the ones stats over time and the export use (SqliteReads.Where); list and stats add their cursor.
    private static void Where(StringBuilder sql, SqliteCommand command, OrderFilter filter, long? afterId, string? afterMarket)
    {
        var filtered = SqliteReads.Where(sql, command, filter);
        void Clause(string clause, string name, object value)
        {
            sql.Append(filtered ? " AND " : " WHERE ").Append(clause);
            command.Parameters.AddWithValue(name, value);
            // Stryker disable once Boolean : equivalent for every caller, list passes only afterId and stats only afterMarket
            filtered = true;
        }

        if (afterId is { } after) Clause("id > $after", "$after", after);
        if (afterMarket is { } marketAfter) Clause("market > $afterMarket", "$afterMarket", marketAfter);
    }
}
