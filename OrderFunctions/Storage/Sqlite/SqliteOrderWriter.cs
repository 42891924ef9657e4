using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using OrderFunctions.Orders;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>
/// Writes a batch of requests to the SQLite file in one transaction (WAL, synchronous=FULL) for
/// <see cref="OrderWriteQueue"/>: one connection owned by the writer thread, the insert stepped through SQLitePCL.
/// </summary>
public sealed class SqliteOrderWriter(IOptions<OrderStorageOptions> options) : IOrderBatchWriter
{
    private const string InsertSql = """
        INSERT INTO Orders (timestamp, username, market, side, size, price, client_order_id)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
        ON CONFLICT DO NOTHING
        RETURNING id
        """;

    private const string FindSql =
        $"SELECT {SqliteOrderReader.Columns} FROM Orders WHERE client_order_id = $clientOrderId AND username = $username";

    private readonly OrderStorageOptions _options = options.Value;

    // Owned by the writer thread only.
    private SqliteConnection? _connection;
    private SqliteRawStatement? _insert;
    private SqliteCommand? _find; // the conflict path only: not hot, so the provider's reader and row mapping serve

    public void Open() => EnsureConnection();

    /// <summary>
    /// The writer's own connection, null until it is opened: tests read the settings every commit runs with through it
    /// (synchronous=FULL), and only while no write is in flight, since the writer thread owns it.
    /// </summary>
    internal SqliteConnection? Connection => _connection;

    public void Write(IReadOnlyList<PendingWrite> batch)
    {
        var connection = EnsureConnection();
        using var transaction = connection.BeginTransaction();
        _find!.Transaction = transaction;
        foreach (var pending in batch)
        {
            if (pending.Single is { } order) pending.SingleResult = InsertOrFind(order);
            else pending.ManyResults = InsertAllOrNone(connection, pending.Many!);
        }
        transaction.Commit();
    }

    public string? DescribeFault(Exception exception) => exception is SqliteException sqlite ? SqliteFaults.Describe(sqlite) : null;

    // A request of many orders lands whole or not at all: a savepoint undoes it alone if one of its client order ids
    // conflicts, leaving the other requests in the same transaction untouched. Without client order ids nothing can
    // conflict, and the savepoint (which journals every page the request touches) is skipped.
    private SaveResult[] InsertAllOrNone(SqliteConnection connection, IReadOnlyList<Order> orders)
    {
        var results = new SaveResult[orders.Count];
        var idempotent = false;
        for (var i = 0; i < orders.Count && !idempotent; i++) idempotent = orders[i].ClientOrderId is not null;
        if (idempotent) Execute(connection, "SAVEPOINT request");
        var conflict = false;
        for (var i = 0; i < orders.Count; i++)
        {
            results[i] = InsertOrFind(orders[i]);
            conflict |= results[i].Outcome == SaveOutcome.Conflict;
        }
        if (conflict) Execute(connection, "ROLLBACK TO request");
        if (idempotent) Execute(connection, "RELEASE request");
        return results;
    }

    private SaveResult InsertOrFind(Order order)
    {
        var insert = _insert!;
        Span<byte> timestamp = stackalloc byte[SqliteOrderSchema.TimestampLength];
        SqliteOrderSchema.FormatTimestamp(order.Timestamp, timestamp);
        insert.Bind(1, timestamp);
        insert.Bind(2, order.Username);
        insert.Bind(3, order.Market);
        insert.Bind(4, order.Side);
        insert.Bind(5, OrderDecimal.ToUnits(order.Size));
        insert.Bind(6, OrderDecimal.ToUnits(order.Price));
        insert.BindNullable(7, order.ClientOrderId);
        try
        {
            if (insert.Step())
            {
                return new SaveResult(SaveOutcome.Created, StoredOrder.From(insert.Int64(0), order));
            }
        }
        finally
        {
            insert.Reset();
        }

        // ON CONFLICT DO NOTHING wrote nothing: this username already used this client order id.
        _find!.Parameters[0].Value = order.ClientOrderId;
        _find.Parameters[1].Value = order.Username;
        using var row = _find.ExecuteReader();
        row.Read();
        var stored = SqliteOrderReader.ReadOrder(row);
        return new SaveResult(order.HasSameContentAs(stored) ? SaveOutcome.Replayed : SaveOutcome.Conflict, stored);
    }

    private SqliteConnection EnsureConnection()
    {
        if (_connection is not null) return _connection;

        var builder = new SqliteConnectionStringBuilder(_options.ConnectionString)
        {
            DefaultTimeout = _options.BusyTimeoutSeconds,
            Pooling = false, // the writer keeps its one connection; a faulted one is closed, not pooled
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            SqliteOrderSchema.EnsureCreated(connection, _options.IndexUsername);
            // FULL: a commit reaches the disk before any 201 it covers is sent (WAL's default, NORMAL, may lose the
            // last commits on power loss).
            Execute(connection, "PRAGMA synchronous = FULL");
            if (_options.MaxPageCount > 0) Execute(connection, $"PRAGMA max_page_count = {_options.MaxPageCount}");

            Execute(connection, "PRAGMA temp_store = MEMORY"); // savepoints journal in memory, not a temp file
            _insert = new SqliteRawStatement(connection, InsertSql);
            _find = connection.CreateCommand();
            _find.CommandText = FindSql;
            _find.CommandTimeout = _options.BusyTimeoutSeconds;
            _find.Parameters.Add(new SqliteParameter("$clientOrderId", null));
            _find.Parameters.Add(new SqliteParameter("$username", null));
            _find.Prepare();
            _connection = connection;
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Reset()
    {
        _insert?.Dispose();
        _find?.Dispose();
        _connection?.Dispose();
        (_insert, _find, _connection) = (null, null, null);
    }

    public void Dispose() => Reset();

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
