using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderFunctions.Orders;
using Npgsql;

namespace OrderFunctions.Storage.Postgres;

/// <summary>
/// What every read shares on PostgreSQL (find, list, stats, statistics over time, the export): a connection from the shared pool, failures
/// turned into <see cref="OrderStoreUnavailableException"/>, and the filter clauses (constant text, values as parameters).
/// </summary>
public sealed partial class PostgresReads(PostgresConnections connections, IOptions<OrderStorageOptions> options, ILogger<PostgresReads> logger)
{
    private readonly TimeSpan _retryAfter = TimeSpan.FromSeconds(options.Value.RetryAfterSeconds);

    public NpgsqlDataSource DataSource => connections.DataSource;

    /// <summary>Runs <paramref name="query"/> on a pooled connection.</summary>
    public async Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> query, CancellationToken cancellationToken)
    {
        try
        {
            if (connections.TableLost is { } lost) throw new PostgresStoreException(lost);
            // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
            await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
            return await query(connection).ConfigureAwait(false);
        }
        catch (Exception ex) when (Unavailable(ex) is { } unavailable)
        {
            throw unavailable;
        }
    }

    /// <summary>The exception to throw for a store failure, logged; null for anything else (cancellation, bugs).</summary>
    public OrderStoreUnavailableException? Unavailable(Exception ex)
    {
        if (ex is OperationCanceledException || PostgresFaults.Describe(ex) is not { } reason) return null;
        // The driver's message names the host, port or login: Warning and above carry the scrubbed cause only, the
        // driver's own exception goes to Debug for an operator who turns it on.
        var scrubbed = PostgresFaults.Scrubbed(ex);
        LogReadFailed(reason, StoreFailureLog.Cause(scrubbed));
        StoreFailureLog.Stack(logger, ex);
        return new OrderStoreUnavailableException("the order store cannot be read now", _retryAfter, scrubbed);
    }

    /// <summary>Appends <c>WHERE</c>/<c>AND</c> and a clause per given filter; returns whether any was appended.</summary>
    public static bool Where(StringBuilder sql, NpgsqlCommand command, OrderFilter filter)
    {
        var first = true;
        void Clause(string clause)
        {
            sql.Append(first ? " WHERE " : " AND ").Append(clause);
            first = false;
        }

        if (filter.Username is { } username)
        {
            Clause("username = @username");
            command.Parameters.AddWithValue("username", username);
        }
        if (filter.Market is { } market)
        {
            Clause("market = @market");
            command.Parameters.AddWithValue("market", market);
        }
        if (filter.Side is { } side)
        {
            Clause("side = @side");
            command.Parameters.AddWithValue("side", side);
        }
        if (filter.Scope is { IsAll: false } scope)
        {
            // The caller's usernames: exact names, and prefixes (starts_with compares exactly, case included).
            Clause("(username = ANY(@scope_names)"
                + " OR EXISTS (SELECT 1 FROM unnest(@scope_prefixes) AS p(prefix) WHERE starts_with(username, p.prefix)))");
            command.Parameters.AddWithValue("scope_names", scope.Exact.ToArray());
            command.Parameters.AddWithValue("scope_prefixes", scope.Prefixes.ToArray());
        }
        if (filter.StoredBy is { } storedBy)
        {
            Clause("stored_by = @stored_by");
            command.Parameters.AddWithValue("stored_by", storedBy);
        }
        if (filter.From is { } from)
        {
            Clause("(timestamp, timestamp_ticks) >= (@from, @from_ticks)");
            AddTimestamp(command, "from", from);
        }
        if (filter.To is { } to)
        {
            Clause("(timestamp, timestamp_ticks) < (@to, @to_ticks)");
            AddTimestamp(command, "to", to);
        }
        return !first;
    }

    /// <summary>A timestamp as the two parameters <c>@name</c> (microseconds) and <c>@name_ticks</c> (the last 100 ns digit).</summary>
    public static void AddTimestamp(NpgsqlCommand command, string name, DateTime utc)
    {
        var (micros, ticks) = PostgresOrderSchema.Split(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
        command.Parameters.Add(new NpgsqlParameter<DateTime>(name, NpgsqlTypes.NpgsqlDbType.TimestampTz) { TypedValue = micros });
        command.Parameters.Add(new NpgsqlParameter<short>(name + "_ticks", ticks));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading the order store failed: {Reason} ({Cause})")]
    private partial void LogReadFailed(string reason, string cause);
}
