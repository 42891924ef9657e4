using Microsoft.Data.Sqlite;
using OrderFunctions.Orders;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>Maps rows of <c>Orders</c> back to orders; selects must list the columns in <see cref="Columns"/> order.</summary>
internal static class SqliteOrderReader
{
    public const string Columns = "id, timestamp, username, market, side, size, price, client_order_id, received_at, stored_by";

    public static StoredOrder ReadOrder(SqliteDataReader row) => new(
        row.GetInt64(0),
        SqliteOrderSchema.ParseTimestamp(row.GetString(1)),
        row.GetString(2),
        row.GetString(3),
        row.GetString(4),
        OrderDecimal.FromUnits(row.GetInt64(5)),
        OrderDecimal.FromUnits(row.GetInt64(6)),
        row.IsDBNull(7) ? null : row.GetString(7),
        row.IsDBNull(8) ? null : SqliteOrderSchema.ParseTimestamp(row.GetString(8)),
        row.IsDBNull(9) ? null : row.GetString(9));
}
