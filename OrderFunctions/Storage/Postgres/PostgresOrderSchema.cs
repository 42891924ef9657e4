using Npgsql;

namespace OrderFunctions.Storage.Postgres;

/// <summary>The <c>orders</c> table on PostgreSQL and how its columns hold an order (its versions: <see cref="PostgresOrderMigrations"/>).</summary>
internal static class PostgresOrderSchema
{
    /// <summary>Every column, in the order <see cref="PostgresOrderReader"/> reads them.</summary>
    public const string Columns =
        "id, timestamp, timestamp_ticks, username, market, side, size, price, client_order_id, received_at, stored_by";

    internal const string UsernameIndexSql = "CREATE INDEX IF NOT EXISTS ix_orders_username_id ON orders (username, id);";

    /// <summary>The identity column's sequence, from which the writer draws ids.</summary>
    public const string SequenceSql = "SELECT pg_get_serial_sequence('orders', 'id')";

    /// <summary>
    /// How many values the sequence hands a session at once. Above 1 each session draws from a block of its own, so ids
    /// no longer grow with the order in which they were drawn, and no reader can tell which ids are still to come
    /// (<see cref="PostgresCommitFence"/>): the writer refuses such a sequence.
    /// </summary>
    public const string SequenceCacheSql = "SELECT seqcache FROM pg_sequence WHERE seqrelid = @sequence::regclass";

    /// <summary>
    /// Creates the table in a new database or upgrades one an older release wrote (<see cref="PostgresOrderMigrations"/>);
    /// safe when several instances start at once. Returns how many steps this call applied.
    /// </summary>
    public static int EnsureCreated(NpgsqlConnection connection, bool indexUsername) =>
        PostgresOrderMigrations.Migrate(connection, indexUsername);

    /// <summary>The timestamp as stored: the instant to the microsecond (UTC) and the remaining 100 ns ticks (0-9).</summary>
    public static (DateTime Micros, short Ticks) Split(DateTime utc)
    {
        var ticks = utc.Ticks % 10;
        return (new DateTime(utc.Ticks - ticks, DateTimeKind.Utc), (short)ticks);
    }

    public static DateTime Join(DateTime micros, short ticks) =>
        new(micros.ToUniversalTime().Ticks + ticks, DateTimeKind.Utc);
}
