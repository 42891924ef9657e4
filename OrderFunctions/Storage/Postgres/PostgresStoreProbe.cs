using Npgsql;

namespace OrderFunctions.Storage.Postgres;

/// <summary>
/// Health of the PostgreSQL server: a read of <c>orders</c> on the probe's own short-timeout pool; to prove a write, a
/// delete matching no row inside a transaction that is rolled back (refused on a read-only server or standby).
/// </summary>
// Stryker disable Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context (every Boolean literal of this file is ConfigureAwait's)
public sealed class PostgresStoreProbe(PostgresConnections connections) : IOrderStoreProbe
{
    public async Task<string?> ProbeAsync(bool proveWrite, CancellationToken cancellationToken = default)
    {
        try
        {
            if (connections.TableLost is { } lost) return lost;
            await using var connection = await connections.ProbeSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT to_regclass('orders')::oid", connection, transaction);
            if (connections.TableOid is { } recorded && await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is var oid
                && oid as uint? != recorded)
            {
                return connections.TableChanged(oid as uint?).Cause;
            }
            command.CommandText = "SELECT COUNT(*) FROM (SELECT 1 FROM orders LIMIT 1) AS probe";
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            if (proveWrite)
            {
                // An insert of no row: refused on a read-only server or standby, allowed to a role that may only insert.
                command.CommandText = "INSERT INTO orders SELECT * FROM orders WHERE false";
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            // Stryker disable once Statement : equivalent, disposing the transaction rolls it back
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (PostgresFaults.Describe(ex) is { } reason && ex is not OperationCanceledException)
        {
            return reason;
        }
    }
}
