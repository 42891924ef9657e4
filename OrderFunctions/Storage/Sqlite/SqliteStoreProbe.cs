using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>
/// Health of the SQLite file, without side effects: first whether the path still names the file the writer opened
/// (<see cref="SqliteDatabaseFile"/>), then a read on a connection of its own that may not create the file; to prove a
/// write, take the write lock, run a write that changes no row and roll back. The connection is not pooled, so health
/// keeps nothing open between checks.
/// </summary>
public sealed class SqliteStoreProbe(IOptions<SqliteOrderStoreOptions> options, SqliteDatabaseFile? file = null) : IOrderStoreProbe
{
    private readonly SqliteOrderStoreOptions _options = options.Value;
    private readonly SqliteDatabaseFile _file = file ?? new SqliteDatabaseFile(options);

    public Task<string?> ProbeAsync(bool proveWrite, CancellationToken cancellationToken = default)
    {
        if (_file.Check() is { } lost) return Task.FromResult<string?>(lost);
        try
        {
            // A load balancer wants an answer, not a wait for the busy timeout. ReadWrite, not ReadWriteCreate: a missing
            // file is reported, never created empty by health.
            var builder = new SqliteConnectionStringBuilder(_options.ConnectionString) { DefaultTimeout = 1, Pooling = false };
            if (builder.Mode == SqliteOpenMode.ReadWriteCreate) builder.Mode = SqliteOpenMode.ReadWrite;
            using var connection = new SqliteConnection(builder.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM (SELECT 1 FROM Orders LIMIT 1)";
            command.ExecuteScalar();
            if (proveWrite)
            {
                // BEGIN IMMEDIATE alone succeeds on a read-only file; a write statement, even one matching no row, does not.
                using var transaction = connection.BeginTransaction();
                command.Transaction = transaction;
                command.CommandText = "DELETE FROM Orders WHERE 0";
                command.ExecuteNonQuery();
                transaction.Rollback();
            }
            return Task.FromResult<string?>(null);
        }
        catch (SqliteException ex)
        {
            return Task.FromResult<string?>(SqliteFaults.Describe(ex));
        }
    }
}
