using Microsoft.Data.Sqlite;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>What an online backup wrote: the file, its orders, and SQLite's verdict on it.</summary>
public sealed record SqliteBackupResult(string Path, long Orders, string IntegrityCheck);

/// <summary>
/// An online backup of the embedded store while the service keeps writing: SQLite's backup API in one step, on a
/// connection of its own. In WAL mode that step is one read transaction, so the copy is the database as it was when
/// the step began (every order committed, that is every 201 already answered, is in it) and the writer is never
/// blocked (WAL readers do not block writers). The copy is written beside the destination as <c>.partial</c>, switched
/// to a single self-contained file (journal_mode DELETE), checked with <c>PRAGMA integrity_check</c>, and only then
/// renamed to the destination, so a file at the destination is always a complete, checked backup.
/// </summary>
public static class SqliteBackup
{
    public static SqliteBackupResult Run(string connectionString, string destination)
    {
        var target = Path.GetFullPath(destination);
        if (File.Exists(target)) throw new IOException($"{target} already exists; a backup never overwrites a file.");
        var partial = target + ".partial";
        File.Delete(partial);

        // ReadWrite, not ReadWriteCreate: a wrong path must fail, not back up a new empty database.
        var source = new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadWrite, Pooling = false };
        var copy = new SqliteConnectionStringBuilder { DataSource = partial, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false };
        try
        {
            using (var from = new SqliteConnection(source.ToString()))
            using (var to = new SqliteConnection(copy.ToString()))
            {
                from.Open();
                Execute(from, "PRAGMA busy_timeout = 10000");
                to.Open();
                from.BackupDatabase(to);
                Execute(to, "PRAGMA journal_mode = DELETE");
            }
            string check;
            long orders;
            using (var verify = new SqliteConnection(copy.ToString()))
            {
                verify.Open();
                check = Scalar<string>(verify, "PRAGMA integrity_check");
                orders = Scalar<long>(verify, "SELECT COUNT(*) FROM Orders");
            }
            if (check != "ok") throw new InvalidOperationException($"The copy failed PRAGMA integrity_check: {check}");
            File.Move(partial, target);
            return new SqliteBackupResult(target, orders, check);
        }
        finally
        {
            File.Delete(partial);
            File.Delete(partial + "-journal");
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static T Scalar<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }
}
