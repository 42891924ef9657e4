using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderFunctions.Orders;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>
/// What every read shares (find, list, stats, statistics over time, the export): a pooled read-only connection per
/// read, run inside a slot of the <see cref="SqliteReadGate"/>, SQLite errors turned into
/// <see cref="OrderStoreUnavailableException"/>, and the filter clauses (constant text, every value a parameter).
/// </summary>
public sealed partial class SqliteReads
{
    private readonly string _connectionString;
    private readonly int _timeoutSeconds;
    private readonly TimeSpan _retryAfter;
    private readonly SqliteReadGate _gate;
    private readonly ILogger<SqliteReads> _logger;

    public SqliteReads(IOptions<SqliteOrderStoreOptions> options, IOptions<OrderStorageOptions> storageOptions, SqliteReadGate gate,
        ILogger<SqliteReads> logger)
    {
        var storage = options.Value;
        _connectionString = new SqliteConnectionStringBuilder(storage.ConnectionString)
        {
            Mode = SqliteOpenMode.ReadOnly,
            DefaultTimeout = storage.BusyTimeoutSeconds,
        }.ToString();
        _timeoutSeconds = storage.BusyTimeoutSeconds;
        _retryAfter = TimeSpan.FromSeconds(storageOptions.Value.RetryAfterSeconds);
        _gate = gate;
        _logger = logger;
    }

    /// <summary>Runs <paramref name="query"/> on its own connection inside a gate slot, released when it returns.</summary>
    public async Task<T> ReadAsync<T>(Func<SqliteConnection, T> query, CancellationToken cancellationToken)
    {
        // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            return query(connection);
        }
        catch (SqliteException ex)
        {
            // One line at Error; the provider's exception (its stack) at Debug, as for every store fault.
            LogReadFailed(ex.SqliteErrorCode, StoreFailureLog.Cause(ex));
            StoreFailureLog.Stack(_logger, ex);
            throw new OrderStoreUnavailableException("the order store cannot be read now", _retryAfter, ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    public SqliteCommand Command(SqliteConnection connection, string? sql = null)
    {
        var command = connection.CreateCommand();
        command.CommandTimeout = _timeoutSeconds;
        if (sql is not null) command.CommandText = sql;
        return command;
    }

    /// <summary>Appends <c>WHERE</c>/<c>AND</c> and a clause per given filter; returns whether any was appended.</summary>
    public static bool Where(StringBuilder sql, SqliteCommand command, OrderFilter filter)
    {
        var first = true;
        void Clause(string clause, string name, object value)
        {
            sql.Append(first ? " WHERE " : " AND ").Append(clause);
            command.Parameters.AddWithValue(name, value);
            first = false;
        }

        if (filter.Username is { } username) Clause("username = $username", "$username", username);
        if (filter.Market is { } market) Clause("market = $market", "$market", market);
        if (filter.Side is { } side) Clause("side = $side", "$side", side);
        if (filter.StoredBy is { } storedBy) Clause("stored_by = $storedBy", "$storedBy", storedBy);
        if (filter.Scope is { IsAll: false } scope)
        {
            // The caller's usernames: exact names, and prefixes compared by substr (LIKE ignores ASCII case in SQLite).
            var terms = new List<string>();
            var n = 0;
            foreach (var name in scope.Exact)
            {
                terms.Add($"username = $scope{n}");
                command.Parameters.AddWithValue($"$scope{n++}", name);
            }
            foreach (var prefix in scope.Prefixes)
            {
                terms.Add($"substr(username, 1, length($scope{n})) = $scope{n}");
                command.Parameters.AddWithValue($"$scope{n++}", prefix);
            }
            sql.Append(first ? " WHERE " : " AND ").Append('(').Append(string.Join(" OR ", terms)).Append(')');
            first = false;
        }
        // Timestamps are stored in one fixed-width UTC format, so comparing the text compares the instants.
        if (filter.From is { } from) Clause("timestamp >= $from", "$from", SqliteOrderSchema.FormatTimestamp(from));
        if (filter.To is { } to) Clause("timestamp < $to", "$to", SqliteOrderSchema.FormatTimestamp(to));
        return !first;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading the order store failed (SQLite error {ErrorCode}): {Cause}")]
    private partial void LogReadFailed(int errorCode, string cause);
}
