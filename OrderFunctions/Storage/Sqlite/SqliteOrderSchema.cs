using System.Globalization;
using Microsoft.Data.Sqlite;
using OrderFunctions.Orders;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>The <c>Orders</c> table and how its columns hold an order (its versions: <see cref="SqliteOrderMigrations"/>).</summary>
internal static class SqliteOrderSchema
{
    /// <summary>Timestamps are stored in UTC in this one fixed-width format, so text order is time order.</summary>
    public const string TimestampFormat = TimestampText.Format;

    /// <summary>Bytes of a timestamp in <see cref="TimestampFormat"/>.</summary>
    public const int TimestampLength = TimestampText.Length;

    // Why no index leads with username: with many users, every commit inserts into pages all over such an index, and
    // WAL rewrites each touched page per commit. Measured on this machine (1,000-row transactions, 1,000 users):
    // an index on (username) cut inserts from about 110,000 to 48,000 rows/s. The idempotency index therefore leads
    // with client_order_id, which the client makes time-ordered (UUIDv7), so its inserts append; a lookup gives both
    // columns. Listings by username alone scan by id instead (docs/read-api.md), unless IndexUsername is set.

    // Opt-in (OrderStorage:IndexUsername): fast listings by username, paid for on every write (see above).
    // (username, rowid) gives a user's orders in id order. Turning the option off later does not drop it.
    internal const string UsernameIndexSql = "CREATE INDEX IF NOT EXISTS IX_Orders_username ON Orders (username);";

    /// <summary>
    /// Switches the file to WAL and brings its schema to the latest version (<see cref="SqliteOrderMigrations"/>):
    /// creates the table in a new file, upgrades one an older release wrote. Returns how many steps it applied.
    /// </summary>
    public static int EnsureCreated(SqliteConnection connection, bool indexUsername = false) =>
        SqliteOrderMigrations.Migrate(connection, indexUsername);

    public static string FormatTimestamp(DateTime utc) => utc.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <summary>Writes the timestamp as UTF-8 into <paramref name="destination"/> (<see cref="TimestampLength"/> bytes).</summary>
    /// <remarks>The same text as <see cref="TimestampFormat"/>, written by <see cref="TimestampText"/> (the hot path: each
    /// order's timestamp and receivedAt are written here on the request's thread).</remarks>
    public static void FormatTimestamp(DateTime utc, Span<byte> destination) => TimestampText.Write(utc, destination);

    public static DateTime ParseTimestamp(string text) =>
        DateTime.ParseExact(text, TimestampFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
