using System.Globalization;
using Microsoft.Data.Sqlite;

namespace OrderFunctions.Storage;

/// <summary>The <c>Orders</c> table and how its columns hold an order.</summary>
internal static class OrderSchema
{
    /// <summary>Timestamps are stored in UTC in this one fixed-width format, so text order is time order.</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    // The seed's six columns, with size and price as whole numbers of 10^-8 (see OrderDecimal), plus an integer key
    // and the optional client order id that makes retries idempotent. Every statement is idempotent.
    private const string CreateSql = """
        CREATE TABLE IF NOT EXISTS Orders (
            id INTEGER PRIMARY KEY,
            timestamp TEXT NOT NULL,
            username TEXT NOT NULL,
            market TEXT NOT NULL,
            side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
            size INTEGER NOT NULL CHECK (size > 0),
            price INTEGER NOT NULL CHECK (price > 0),
            client_order_id TEXT
        );
        CREATE UNIQUE INDEX IF NOT EXISTS IX_Orders_username_client_order_id
            ON Orders (username, client_order_id) WHERE client_order_id IS NOT NULL;
        -- Read side (docs/read-api.md): statistics and listings by market and time range.
        CREATE INDEX IF NOT EXISTS IX_Orders_market_timestamp ON Orders (market, timestamp);
        -- Read side: listings and statistics by username; (username, rowid) gives a user's orders in id order.
        CREATE INDEX IF NOT EXISTS IX_Orders_username ON Orders (username);
        """;

    /// <summary>Switches the file to WAL and creates the table and its indexes if they are missing.</summary>
    public static void EnsureCreated(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = 'wal';" + CreateSql;
        command.ExecuteNonQuery();
    }

    public static string FormatTimestamp(DateTime utc) => utc.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    public static DateTime ParseTimestamp(string text) =>
        DateTime.ParseExact(text, TimestampFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
