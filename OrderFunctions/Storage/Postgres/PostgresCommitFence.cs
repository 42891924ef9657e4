using Npgsql;

namespace OrderFunctions.Storage.Postgres;

/// <summary>
/// What makes a listing safe to tail on PostgreSQL with many instances (docs/read-api.md, "Tailing"). Ids are drawn
/// when a commit starts and become visible when it ends, so commits of several sessions land out of id order. Every
/// commit therefore takes, before it draws an id, a transaction-level shared advisory lock whose key holds a lower
/// bound of the ids it will draw (the sequence's next value); PostgreSQL releases it only after the commit is visible.
/// A listing reads the sequence's head first and the locks second, and returns no id above
/// <see cref="SettledThrough"/>: below it no id can become visible later.
/// </summary>
// Stryker disable Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context (every Boolean literal of this file is ConfigureAwait's)
internal static class PostgresCommitFence
{
    // A key: 15 bits of the sequence's oid (the table's own key space: schemas or tables sharing a database do not
    // hold each other back, save for an oid collision, which only delays), then the low 48 bits of the bound. The
    // bound's high bits come back from the head (Bound), so ids are not limited to 48 bits.
    private const int BoundBits = 48;
    private const long BoundMask = (1L << BoundBits) - 1;
    private const long HalfRange = 1L << (BoundBits - 1);

    /// <summary>
    /// The writer's lock, an expression of <c>@sequence</c> (the identity sequence's name): the next value the sequence
    /// hands out is at least this bound (CACHE 1: the head is shared by every session), and every id drawn after it is too.
    /// </summary>
    public const string LockExpression =
        "pg_advisory_xact_lock_shared(((@sequence::regclass::oid::bigint & 32767) << 48)"
        + " | ((coalesce(pg_sequence_last_value(@sequence::regclass), 0) + 1) & 281474976710655))";

    private const string Sequence = "pg_get_serial_sequence('orders', 'id')::regclass";

    /// <summary>
    /// A reader's first two statements, in this order and each on its own snapshot: the newest id drawn by anyone (0 for
    /// none), then the keys of every commit in flight on this table. An id at or below the head was drawn before the head
    /// was read, so its lock was taken before that: the second statement sees the lock unless the commit is visible.
    /// The migration's lock (<see cref="PostgresOrderMigrations"/>) is left out by its key.
    /// </summary>
    public static readonly string ReadSql = $"""
        SELECT coalesce(pg_sequence_last_value({Sequence}), 0);
        SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks
        WHERE locktype = 'advisory' AND objsubid = 1
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND (classid::bigint >> 16) = ({Sequence}::oid::bigint & 32767)
          AND (classid::bigint << 32) | objid::bigint <> {PostgresOrderMigrations.SchemaLockKey};
        """;

    /// <summary>
    /// Reads the answers of <see cref="ReadSql"/>'s two statements from <paramref name="row"/> (positioned before the
    /// first) and returns <see cref="SettledThrough"/>; the reader is left at the end of the second result.
    /// </summary>
    public static async Task<long> ReadSettledThroughAsync(NpgsqlDataReader row, CancellationToken cancellationToken)
    {
        await row.ReadAsync(cancellationToken).ConfigureAwait(false);
        var head = row.GetInt64(0);
        await row.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var keys = new List<long>();
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false)) keys.Add(row.GetInt64(0));
        return SettledThrough(head, keys);
    }

    /// <summary>
    /// The highest id at or below which every id that will ever be visible is visible to a snapshot taken after the
    /// locks were read: the head, or one below the lowest bound of a commit in flight.
    /// </summary>
    public static long SettledThrough(long head, IEnumerable<long> keys)
    {
        var settled = head;
        foreach (var key in keys) settled = Math.Min(settled, Bound(head, key) - 1);
        return settled;
    }

    // The bound whose low 48 bits the key holds, nearest to the head's next value (a commit in flight lags the head by
    // far less than 2^47 ids). A bound above the head belongs to a commit that drew nothing at or below it.
    private static long Bound(long head, long key)
    {
        // Stryker disable once Arithmetic : equivalent, the bound is the key's value nearest the reference point, and any reference within 2^47 of the head gives the same one
        var next = head + 1;
        var difference = ((key & BoundMask) - (next & BoundMask)) & BoundMask;
        // Stryker disable once Equality : equivalent, a difference of exactly 2^47 ids would need a commit that far behind the head
        if (difference >= HalfRange) difference -= 1L << BoundBits;
        return next + difference;
    }
}
