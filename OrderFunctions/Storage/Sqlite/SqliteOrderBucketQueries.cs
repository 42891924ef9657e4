using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using OrderFunctions.Orders;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>
/// <see cref="IOrderBucketQueries"/> on SQLite: one grouped query per page, the bucket taken from the fixed-width
/// timestamp text (a prefix for 1m, 1h and 1d; the minute rounded down to a multiple of 5 for 5m), the sums by
/// <c>order_totals</c> (exact), the first and last price by <c>price_edges</c>. Plans: docs/read-api.md.
/// </summary>
public sealed class SqliteOrderBucketQueries(SqliteReads reads) : IOrderBucketQueries
{
    // The bucket's start as text, chosen from this table only (no value ever enters the SQL), and how to read it back.
    private static readonly Dictionary<TimeSpan, (string Sql, string Format)> Buckets = new()
    {
        [TimeSpan.FromMinutes(1)] = ("substr(timestamp, 1, 16)", "yyyy-MM-dd'T'HH:mm"),
        [TimeSpan.FromMinutes(5)] = ("substr(timestamp, 1, 14) || printf('%02d', CAST(substr(timestamp, 15, 2) AS INTEGER) / 5 * 5)",
            "yyyy-MM-dd'T'HH:mm"),
        [TimeSpan.FromHours(1)] = ("substr(timestamp, 1, 13)", "yyyy-MM-dd'T'HH"),
        [TimeSpan.FromDays(1)] = ("substr(timestamp, 1, 10)", "yyyy-MM-dd"),
    };

    public Task<IReadOnlyList<StatsBucket>> BucketsAsync(OrderFilter filter, TimeSpan width, BucketKey? after, int count,
        CancellationToken cancellationToken = default)
    {
        if (!Buckets.TryGetValue(width, out var bucket)) throw new ArgumentOutOfRangeException(nameof(width), width,
            "not an interval of StatsInterval");
        return reads.ReadAsync<IReadOnlyList<StatsBucket>>(connection =>
        {
            SqliteExactAggregates.Register(connection);
            SqliteBucketAggregates.Register(connection);
            using var command = reads.Command(connection);
            var sql = new StringBuilder($"""
                SELECT market, {bucket.Sql} AS bucket, COUNT(*), {SqliteExactAggregates.OrderTotals}(side = 'buy', size, price),
                       {SqliteBucketAggregates.PriceEdges}(timestamp, id, price), MIN(price), MAX(price)
                FROM Orders
                """);
            var filtered = SqliteReads.Where(sql, command, filter);
            if (after is not null)
            {
                // After the cursor's bucket: a later market, or the same market from the next bucket's start on.
                sql.Append(filtered ? " AND " : " WHERE ")
                    .Append("market >= $afterMarket AND (market > $afterMarket OR timestamp >= $afterEnd)");
                command.Parameters.AddWithValue("$afterMarket", after.Market);
                command.Parameters.AddWithValue("$afterEnd", SqliteOrderSchema.FormatTimestamp(after.Start + width));
            }
            sql.Append(" GROUP BY market, bucket ORDER BY market, bucket LIMIT $count");
            command.Parameters.AddWithValue("$count", count);
            command.CommandText = sql.ToString();

            // Stryker disable once Linq : equivalent, the list's initial capacity
            var buckets = new List<StatsBucket>(Math.Min(count, 1024));
            using var row = command.ExecuteReader();
            while (row.Read()) buckets.Add(Read(row, bucket.Format));
            return buckets;
        }, cancellationToken);
    }

    private static StatsBucket Read(SqliteDataReader row, string format)
    {
        var (buy, sell, notional) = SqliteExactAggregates.Parse(row.GetString(3));
        var (first, last) = SqliteBucketAggregates.Parse(row.GetString(4));
        // Stryker disable once Bitwise : equivalent, the text has no zone, so no style changes its ticks, and StatsBucket.FromUnits makes the kind UTC
        var start = DateTime.ParseExact(row.GetString(1), format, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        return StatsBucket.FromUnits(
            row.GetString(0),
            start,
            row.GetInt64(2),
            buy,
            sell,
            notional,
            OrderDecimal.FromUnits(first),
            OrderDecimal.FromUnits(last),
            OrderDecimal.FromUnits(row.GetInt64(5)),
            OrderDecimal.FromUnits(row.GetInt64(6)));
    }
}
