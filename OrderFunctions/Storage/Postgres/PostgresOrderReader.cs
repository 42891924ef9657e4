using Npgsql;
using OrderFunctions.Orders;

namespace OrderFunctions.Storage.Postgres;

/// <summary>Maps rows of <c>orders</c> back to orders; selects must list <see cref="PostgresOrderSchema.Columns"/>.</summary>
internal static class PostgresOrderReader
{
    public static StoredOrder ReadOrder(NpgsqlDataReader row) => new(
        row.GetInt64(0),
        PostgresOrderSchema.Join(row.GetFieldValue<DateTime>(1), row.GetInt16(2)),
        row.GetString(3),
        row.GetString(4),
        row.GetString(5),
        OrderDecimal.Normalize(row.GetDecimal(6)),
        OrderDecimal.Normalize(row.GetDecimal(7)),
        row.IsDBNull(8) ? null : row.GetString(8),
        row.IsDBNull(9) ? null : row.GetFieldValue<DateTime>(9).ToUniversalTime(),
        row.IsDBNull(10) ? null : row.GetString(10));
}
