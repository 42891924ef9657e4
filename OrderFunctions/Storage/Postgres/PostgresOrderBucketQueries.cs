using System.Text;
using Npgsql;
using OrderFunctions.Orders;

namespace OrderFunctions.Storage.Postgres;

/// <summary>
/// <see cref="IOrderBucketQueries"/> on PostgreSQL: the bucket is the order's exact instant in 100 ns ticks since
/// 0001-01-01 divided by the width (whole minutes, hours and days divide the ticks from there to the Unix epoch, so the
/// buckets are the same UTC-aligned ones as SQLite's), sums in numeric read as text, first and last price by ordered
/// aggregates. The arithmetic is <see cref="StatsBucket.FromUnits"/>'s, as on SQLite.
/// </summary>
// Stryker disable Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context (every Boolean literal of this file is ConfigureAwait's)
public sealed class PostgresOrderBucketQueries(PostgresReads reads) : IOrderBucketQueries
{
    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;

    private static readonly string BucketSql = $"(({PostgresOrderQueries.Ticks}) + {UnixEpochTicks}) / @width";

    public Task<IReadOnlyList<StatsBucket>> BucketsAsync(OrderFilter filter, TimeSpan width, BucketKey? after, int count,
        CancellationToken cancellationToken = default) =>
        reads.ReadAsync<IReadOnlyList<StatsBucket>>(async connection =>
        {
            await using var command = new NpgsqlCommand { Connection = connection };
            var sql = new StringBuilder($"""
                SELECT market, {BucketSql} AS bucket, COUNT(*),
                       COALESCE(SUM(size) FILTER (WHERE side = 'buy'), 0)::text,
                       COALESCE(SUM(size) FILTER (WHERE side = 'sell'), 0)::text,
                       SUM(size * price)::text,
                       (array_agg(price ORDER BY timestamp, timestamp_ticks, id))[1],
                       (array_agg(price ORDER BY timestamp DESC, timestamp_ticks DESC, id DESC))[1],
                       MIN(price), MAX(price)
                FROM orders
                """);
            command.Parameters.AddWithValue("width", width.Ticks);
            var filtered = PostgresReads.Where(sql, command, filter);
            if (after is not null)
            {
                sql.Append(filtered ? " AND " : " WHERE ").Append(
                    "market COLLATE \"C\" >= @after_market AND (market COLLATE \"C\" > @after_market OR (timestamp, timestamp_ticks) >= " +
                    "(@after_end, @after_end_ticks))");
                command.Parameters.AddWithValue("after_market", after.Market);
                PostgresReads.AddTimestamp(command, "after_end", after.Start + width);
            }
            // Byte order of markets, as SQLite's BINARY collation, whatever the database's default collation.
            sql.Append(" GROUP BY market, bucket ORDER BY market COLLATE \"C\", bucket LIMIT @count");
            command.Parameters.AddWithValue("count", count);
            command.CommandText = sql.ToString();

            // Stryker disable once Linq : equivalent, the list's initial capacity
            var buckets = new List<StatsBucket>(Math.Min(count, 1024));
            await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                buckets.Add(StatsBucket.FromUnits(
                    row.GetString(0),
                    new DateTime(row.GetInt64(1) * width.Ticks, DateTimeKind.Utc),
                    row.GetInt64(2),
                    PostgresNumeric.ToUnits(row.GetString(3), OrderDecimal.Scale),
                    PostgresNumeric.ToUnits(row.GetString(4), OrderDecimal.Scale),
                    PostgresNumeric.ToUnits(row.GetString(5), 2 * OrderDecimal.Scale),
                    OrderDecimal.Normalize(row.GetDecimal(6)),
                    OrderDecimal.Normalize(row.GetDecimal(7)),
                    OrderDecimal.Normalize(row.GetDecimal(8)),
                    OrderDecimal.Normalize(row.GetDecimal(9))));
            }
            return buckets;
        }, cancellationToken);
}
