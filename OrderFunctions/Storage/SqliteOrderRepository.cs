using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderFunctions.Orders;

namespace OrderFunctions.Storage;

/// <summary>
/// Writes orders to SQLite with group commit: requests queue up, one writer thread takes everything waiting, writes it
/// in one transaction (WAL, synchronous=FULL) and only then completes each request. An idle writer commits a lone
/// order at once; under load batches grow by themselves. A failed transaction fails exactly the requests in it.
/// </summary>
public sealed partial class SqliteOrderRepository : IOrderRepository, IOrderStoreHealth, IHostedService, IDisposable
{
    private const string InsertSql = """
        INSERT INTO Orders (timestamp, username, market, side, size, price, client_order_id)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
        ON CONFLICT DO NOTHING
        RETURNING id
        """;

    private const string FindSql =
        $"SELECT {SqliteOrderReader.Columns} FROM Orders WHERE client_order_id = $clientOrderId AND username = $username";

    private readonly OrderStorageOptions _options;
    private readonly ILogger<SqliteOrderRepository> _logger;
    private readonly Channel<PendingWrite> _queue;
    private readonly Lazy<Thread> _writer;
    private readonly TaskCompletionSource _writerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeSpan _retryAfter;

    // Why the writer's last transaction (or its first connection) failed; null once a transaction commits.
    private volatile string? _lastWriteFailure;

    // Owned by the writer thread only.
    private SqliteConnection? _connection;
    private SqliteRawStatement? _insert;
    private SqliteCommand? _find; // the conflict path only: not hot, so the provider's reader and row mapping serve

    public SqliteOrderRepository(IOptions<OrderStorageOptions> options, ILogger<SqliteOrderRepository> logger)
    {
        _options = options.Value;
        _logger = logger;
        _retryAfter = TimeSpan.FromSeconds(_options.RetryAfterSeconds);
        _queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: the caller answers 503
        });
        _writer = new Lazy<Thread>(StartWriter, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Requests waiting for the writer now (for health and diagnostics).</summary>
    public int QueueLength => _queue.Reader.Count;

    public async Task<SaveResult> AddAsync(Order order, CancellationToken cancellationToken = default)
    {
        var pending = PendingWrite.Rent(order, null);
        await EnqueueAndWait(pending).ConfigureAwait(false);
        var result = pending.SingleResult;
        pending.Return();
        return result;
    }

    public async Task<IReadOnlyList<SaveResult>> AddManyAsync(IReadOnlyList<Order> orders, CancellationToken cancellationToken = default)
    {
        if (orders.Count == 0) return [];
        var pending = PendingWrite.Rent(null, orders);
        await EnqueueAndWait(pending).ConfigureAwait(false);
        var results = pending.ManyResults!;
        pending.Return();
        return results;
    }

    // Once queued, a write is not cancelled: the order may reach the disk whether or not the caller still listens,
    // and the caller's retry with the same client order id finds it.
    private ValueTask EnqueueAndWait(PendingWrite pending)
    {
        _ = _writer.Value;
        if (!_queue.Writer.TryWrite(pending))
        {
            pending.Return();
            var reason = _queue.Reader.Completion.IsCompleted || _writerStopped.Task.IsCompleted
                ? "the service is shutting down"
                : "too many orders are waiting to be written";
            throw new OrderStoreUnavailableException(reason, _retryAfter);
        }
        return pending.Task;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = _writer.Value;
        return Task.CompletedTask;
    }

    /// <summary>Stops taking orders, then waits until every order already accepted has been committed.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_writer.IsValueCreated)
        {
            await _writerStopped.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        if (_writer.IsValueCreated) _writer.Value.Join();
    }

    private Thread StartWriter()
    {
        try
        {
            EnsureConnection();
        }
        catch (SqliteException ex)
        {
            // Not fatal: the writer retries on the next batch, so the service recovers once the fault clears.
            _lastWriteFailure = Describe(ex);
            LogStoreUnavailable(ex, _lastWriteFailure);
            ResetConnection();
        }
        var thread = new Thread(WriterLoop) { IsBackground = true, Name = "order-writer" };
        thread.Start();
        return thread;
    }

    private void WriterLoop()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingWrite>();
        try
        {
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                var orders = 0;
                while (orders < _options.MaxOrdersPerTransaction && reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                    orders += pending.Count;
                }
                CommitBatch(batch);
                batch.Clear();
            }
        }
        finally
        {
            ResetConnection();
            _writerStopped.TrySetResult();
        }
    }

    private void CommitBatch(List<PendingWrite> batch)
    {
        try
        {
            var connection = EnsureConnection();
            using (var transaction = connection.BeginTransaction())
            {
                _find!.Transaction = transaction;
                foreach (var pending in batch)
                {
                    if (pending.Single is { } order) pending.SingleResult = InsertOrFind(order);
                    else pending.ManyResults = InsertAllOrNone(connection, pending.Many!);
                }
                transaction.Commit();
            }
            _lastWriteFailure = null;
            PendingWrite.CompleteAll(batch, null);
        }
        catch (SqliteException ex)
        {
            var reason = Describe(ex);
            _lastWriteFailure = reason;
            LogWriteFailed(ex, batch.Count, reason);
            ResetConnection();
            var error = new OrderStoreUnavailableException(reason, _retryAfter, ex);
            PendingWrite.CompleteAll(batch, error);
        }
        catch (Exception ex)
        {
            _lastWriteFailure = ex.GetType().Name;
            LogWriteFailed(ex, batch.Count, ex.GetType().Name);
            ResetConnection();
            PendingWrite.CompleteAll(batch, ex);
        }
    }

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
        Span<byte> timestamp = stackalloc byte[OrderSchema.TimestampLength];
        OrderSchema.FormatTimestamp(order.Timestamp, timestamp);
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

    /// <summary>
    /// Healthy when a read on a pooled connection answers and the writer's last transaction did not fail. After a
    /// failure, a write probe decides (take the write lock, run a write that changes no row, roll back), so health
    /// recovers with the store even when no order arrives to prove it.
    /// </summary>
    public Task<StoreHealth> CheckAsync(CancellationToken cancellationToken = default)
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
            if (_lastWriteFailure is { } failure)
            {
                // BEGIN IMMEDIATE alone succeeds on a read-only file; a write statement, even one matching no row, does not.
                using var transaction = connection.BeginTransaction();
                command.Transaction = transaction;
                command.CommandText = "DELETE FROM Orders WHERE 0";
                command.ExecuteNonQuery();
                transaction.Rollback();
                Interlocked.CompareExchange(ref _lastWriteFailure, null, failure);
            }
            return Task.FromResult(new StoreHealth(null, _retryAfter));
        }
        catch (SqliteException ex)
        {
            return Task.FromResult(new StoreHealth(Describe(ex), _retryAfter));
        }
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
            OrderSchema.EnsureCreated(connection, _options.IndexUsername);
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

    private void ResetConnection()
    {
        _insert?.Dispose();
        _find?.Dispose();
        _connection?.Dispose();
        (_insert, _find, _connection) = (null, null, null);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>The cause in words a client may read: no SQL, no path, no stack.</summary>
    internal static string Describe(SqliteException ex) => (ex.SqliteErrorCode & 0xFF) switch
    {
        SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED => "the database is locked by another writer",
        SQLitePCL.raw.SQLITE_READONLY => "the database file is read-only",
        SQLitePCL.raw.SQLITE_FULL => "the disk is full",
        SQLitePCL.raw.SQLITE_IOERR => "the database file could not be written",
        SQLitePCL.raw.SQLITE_CANTOPEN => "the database file cannot be opened",
        SQLitePCL.raw.SQLITE_CORRUPT or SQLitePCL.raw.SQLITE_NOTADB => "the database file is damaged",
        _ => "the database refused the write",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Order store unavailable: {Reason}")]
    private partial void LogStoreUnavailable(Exception ex, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A transaction of {Requests} requests failed and was answered 503: {Reason}")]
    private partial void LogWriteFailed(Exception ex, int requests, string reason);
}
