using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>
/// Health of the SQLite file: a read on a pooled connection; to prove a write, take the write lock, run a write that
/// changes no row and roll back.
/// </summary>
public sealed class SqliteStoreProbe(IOptions<OrderStorageOptions> options) : IOrderStoreProbe
{
    private readonly OrderStorageOptions _options = options.Value;

    public Task<string?> ProbeAsync(bool proveWrite, CancellationToken cancellationToken = default)
    {
        try
        {
            // A load balancer wants an answer, not a wait for the busy timeout.
            var builder = new SqliteConnectionStringBuilder(_options.ConnectionString) { DefaultTimeout = 1 };
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
