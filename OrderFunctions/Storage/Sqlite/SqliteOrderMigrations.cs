using System.Globalization;
using Microsoft.Data.Sqlite;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>
/// The versions of the SQLite schema and the steps between them. The file records its version in
/// <c>PRAGMA user_version</c> (0 in a new file and in every file the releases before versioning wrote); at start the
/// writer applies each missing step, all of them and the new version in one transaction, so a crash mid-upgrade
/// leaves the file as it was. A file whose version is above <see cref="Latest"/> is refused, untouched.
/// </summary>
internal static class SqliteOrderMigrations
{
    // Append only: a released step never changes, since files out there already carry its version.
    private static readonly string[] Steps =
    [
        // 1: the schema of the releases before versioning, which wrote user_version 0. IF NOT EXISTS makes it a no-op
        // on their files and creates the table in a new one. Size and price are whole numbers of 10^-8 (OrderDecimal);
        // the optional client order id makes retries idempotent.
        """
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
        CREATE UNIQUE INDEX IF NOT EXISTS IX_Orders_client_order_id_username
            ON Orders (client_order_id, username) WHERE client_order_id IS NOT NULL;
        -- Read side (docs/read-api.md): statistics and listings by market and time range.
        CREATE INDEX IF NOT EXISTS IX_Orders_market_timestamp ON Orders (market, timestamp);
        """,
        // 2: the audit trail. received_at: the server's UTC clock when it accepted the request, in the timestamp's
        // fixed-width format; stored_by: the caller's name. NULL in rows stored before (and stored_by NULL while the
        // API is open). Adding a nullable column rewrites no row.
        """
        ALTER TABLE Orders ADD COLUMN received_at TEXT;
        ALTER TABLE Orders ADD COLUMN stored_by TEXT;
        """,
    ];

    /// <summary>The version this release writes and the highest it opens.</summary>
    public static int Latest => Steps.Length;

    /// <summary>The file's recorded version (<c>PRAGMA user_version</c>).</summary>
    public static int Version(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Brings the file to <see cref="Latest"/> and returns how many steps it applied (0 when it was current). Throws
    /// <see cref="OrderSchemaVersionException"/>, having changed nothing, when the file is newer than this release.
    /// </summary>
    public static int Migrate(SqliteConnection connection, bool indexUsername)
    {
        ThrowIfNewer(Version(connection));
        Execute(connection, null, "PRAGMA journal_mode = 'wal'"); // not allowed inside a transaction

        // BEGIN IMMEDIATE: the write lock first, so two processes opening one file at once apply each step once.
        using var transaction = connection.BeginTransaction(deferred: false);
        var version = Version(connection, transaction);
        ThrowIfNewer(version);
        for (var step = version; step < Latest; step++) Execute(connection, transaction, Steps[step]);
        // Stryker disable once Equality : equivalent, at version == Latest it writes the version the file already has
        if (version < Latest)
        {
            Execute(connection, transaction, string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {Latest}"));
        }
        // Opt-in (OrderStorage:IndexUsername), not a versioned step: see SqliteOrderSchema.
        if (indexUsername) Execute(connection, transaction, SqliteOrderSchema.UsernameIndexSql);
        transaction.Commit();
        return Latest - version;
    }

    private static void ThrowIfNewer(int version)
    {
        if (version > Latest) throw new OrderSchemaVersionException("SQLite", version, Latest);
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
