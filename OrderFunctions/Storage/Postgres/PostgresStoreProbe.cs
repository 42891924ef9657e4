using Npgsql;

namespace OrderFunctions.Storage.Postgres;

/// <summary>
/// Health of the PostgreSQL server: a read of <c>orders</c> on the probe's own short-timeout pool; to prove a write, a
/// delete matching no row inside a transaction that is rolled back (refused on a read-only server or standby).
/// </summary>
public sealed class PostgresStoreProbe(PostgresConnections connections) : IOrderStoreProbe
{
    public async Task<string?> ProbeAsync(bool proveWrite, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await connections.ProbeSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM (SELECT 1 FROM orders LIMIT 1) AS probe", connection, transaction);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            if (proveWrite)
            {
                command.CommandText = "DELETE FROM orders WHERE false";
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (PostgresFaults.Describe(ex) is { } reason && ex is not OperationCanceledException)
        {
            return reason;
        }
    }
}
