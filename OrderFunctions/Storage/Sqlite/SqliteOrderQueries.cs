using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderFunctions.Orders;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>
/// <see cref="IOrderQueries"/> on the SQLite file the repository writes: a pooled read-only connection per call, so
/// reads run beside the writer (WAL) and can change nothing. SQL text is assembled only from the constant clauses
/// below, one per given filter, so each query shape gets its own plan and every value is a parameter.
/// Indexes and the plan of each shape: docs/read-api.md.
/// </summary>
public sealed partial class SqliteOrderQueries : IOrderQueries
{
    private const string FindSql = $"SELECT {SqliteOrderReader.Columns} FROM Orders WHERE id = $id";

    private const string StatsSelect = $"""
        SELECT market, COUNT(*), {SqliteExactAggregates.OrderTotals}(side = 'buy', size, price),
               MIN(price), MAX(price), MIN(timestamp), MAX(timestamp)
        FROM Orders
        """;

    private readonly string _connectionString;
    private readonly int _timeoutSeconds;
    private readonly TimeSpan _retryAfter;
    private readonly ILogger<SqliteOrderQueries> _logger;

    private readonly SqliteReadGate _gate;

    public SqliteOrderQueries(IOptions<SqliteOrderStoreOptions> options, IOptions<OrderStorageOptions> storageOptions, SqliteReadGate gate,
        ILogger<SqliteOrderQueries> logger)
    {
        _gate = gate;
        var storage = options.Value;
        _connectionString = new SqliteConnectionStringBuilder(storage.ConnectionString)
        {
            Mode = SqliteOpenMode.ReadOnly,
            DefaultTimeout = storage.BusyTimeoutSeconds,
        }.ToString();
        _timeoutSeconds = storage.BusyTimeoutSeconds;
        _retryAfter = TimeSpan.FromSeconds(storageOptions.Value.RetryAfterSeconds);
        _logger = logger;
    }

    public Task<StoredOrder?> FindAsync(long id, CancellationToken cancellationToken = default) =>
        ReadAsync(connection =>
        {
            using var command = Command(connection, FindSql);
            command.Parameters.AddWithValue("$id", id);
            using var row = command.ExecuteReader();
            return row.Read() ? SqliteOrderReader.ReadOrder(row) : null;
        }, cancellationToken);

    public Task<IReadOnlyList<StoredOrder>> ListAsync(OrderFilter filter, long afterId, int count, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<StoredOrder>>(connection =>
        {
            using var command = Command(connection);
            var sql = new StringBuilder($"SELECT {SqliteOrderReader.Columns} FROM Orders");
            Where(sql, command, filter, afterId, afterMarket: null);
            sql.Append(" ORDER BY id LIMIT $count");
            command.Parameters.AddWithValue("$count", count);
            command.CommandText = sql.ToString();

            var orders = new List<StoredOrder>(Math.Min(count, 1024));
            using var row = command.ExecuteReader();
            while (row.Read()) orders.Add(SqliteOrderReader.ReadOrder(row));
            return orders;
        }, cancellationToken);

    public Task<IReadOnlyList<MarketStats>> StatsAsync(OrderFilter filter, string? afterMarket, int count,
        CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<MarketStats>>(connection =>
        {
            SqliteExactAggregates.Register(connection);
            using var command = Command(connection);
            var sql = new StringBuilder(StatsSelect);
            Where(sql, command, filter, afterId: null, afterMarket);
            // Groups come in index order (market, timestamp), so SQLite stops after the page's last market.
            sql.Append(" GROUP BY market ORDER BY market LIMIT $count");
            command.Parameters.AddWithValue("$count", count);
            command.CommandText = sql.ToString();

            var markets = new List<MarketStats>(Math.Min(count, 1024));
            using var row = command.ExecuteReader();
            while (row.Read()) markets.Add(ReadStats(row));
            return markets;
        }, cancellationToken);

    private static MarketStats ReadStats(SqliteDataReader row)
    {
        var (buy, sell, notional) = SqliteExactAggregates.Parse(row.GetString(2));
        return MarketStats.FromUnits(
            row.GetString(0),
            row.GetInt64(1),
            buy,
            sell,
            notional,
            OrderDecimal.FromUnits(row.GetInt64(3)),
            OrderDecimal.FromUnits(row.GetInt64(4)),
            SqliteOrderSchema.ParseTimestamp(row.GetString(5)),
            SqliteOrderSchema.ParseTimestamp(row.GetString(6)));
    }

    // The filter clauses are the ones stats over time and the export use (SqliteReads.Where); list and stats add their cursor.
    private static void Where(StringBuilder sql, SqliteCommand command, OrderFilter filter, long? afterId, string? afterMarket)
    {
        var filtered = SqliteReads.Where(sql, command, filter);
        void Clause(string clause, string name, object value)
        {
            sql.Append(filtered ? " AND " : " WHERE ").Append(clause);
            command.Parameters.AddWithValue(name, value);
            filtered = true;
        }

        if (afterId is { } after) Clause("id > $after", "$after", after);
        if (afterMarket is { } marketAfter) Clause("market > $afterMarket", "$afterMarket", marketAfter);
    }

    private SqliteCommand Command(SqliteConnection connection, string? sql = null)
    {
        var command = connection.CreateCommand();
        command.CommandTimeout = _timeoutSeconds;
        if (sql is not null) command.CommandText = sql;
        return command;
    }

    // The provider's async methods run synchronously anyway; one synchronous body per call keeps that honest. It runs
    // only inside a slot of the gate, waited for asynchronously, so reads never hold more than a few pool threads.
    private async Task<T> ReadAsync<T>(Func<SqliteConnection, T> query, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Read(query);
        }
        finally
        {
            _gate.Release();
        }
    }

    private T Read<T>(Func<SqliteConnection, T> query)
    {
        try
        {
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            return query(connection);
        }
        catch (SqliteException ex)
        {
            LogReadFailed(ex.SqliteErrorCode, StoreFailureLog.Cause(ex));
            StoreFailureLog.Stack(_logger, ex);
            throw new OrderStoreUnavailableException("the order store cannot be read now", _retryAfter, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading the order store failed (SQLite error {ErrorCode}): {Cause}")]
    private partial void LogReadFailed(int errorCode, string cause);
}
