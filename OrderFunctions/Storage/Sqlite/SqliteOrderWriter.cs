using System.Buffers;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderFunctions.Orders;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>
/// Writes a batch of requests to the SQLite file in one transaction (WAL, synchronous=FULL) for
/// <see cref="OrderWriteQueue"/>: one connection owned by the writer thread, the insert stepped through SQLitePCL. The
/// values that need computing (timestamp text, units) are computed on the request's thread by <see cref="Prepare"/>.
/// </summary>
public sealed class SqliteOrderWriter(IOptions<SqliteOrderStoreOptions> options, IFileSystemProbe? fileSystem = null,
    SqliteDatabaseFile? file = null, ILogger<SqliteOrderWriter>? logger = null) : IOrderBatchWriter<SqlitePreparedWrite>
{
    // No RETURNING: it costs about 2 us a row (docs/benchmarks.md). The one writer is the only one inserting while its
    // transaction lasts, so a row that went in (changes() = 1) has last_insert_rowid() as its id; a row that did not
    // met the idempotency index.
    private const string InsertSql = """
        INSERT INTO Orders (timestamp, username, market, side, size, price, client_order_id, received_at, stored_by)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
        ON CONFLICT DO NOTHING
        """;

    private const string FindSql =
        $"SELECT {SqliteOrderReader.Columns} FROM Orders WHERE client_order_id = $clientOrderId AND username = $username";

    private readonly SqliteOrderStoreOptions _options = options.Value;
    private readonly SqliteDatabaseFile _file = file ?? new SqliteDatabaseFile(options);
    private readonly bool _ownsFile = file is null; // else the container disposes the shared one
    private bool _faulted; // the connection was dropped after a fault: clear the pools before the next open
    private bool _migrated; // the schema is brought up to date by the first open that succeeds, never by a reconnect

    // Owned by the writer thread only.
    private readonly List<WriteResult> _results = [];
    private SqliteConnection? _connection;
    private int _writing; // 1 while the writer thread is inside Write (Dispose then leaves the connection be)
    private SqliteRawStatement? _insert;
    private SqliteCommand? _find; // the conflict path only: not hot, so the provider's reader and row mapping serve

    public string SystemName => "sqlite";

    public void Open() => EnsureConnection();

    /// <summary>
    /// The writer's own connection, null until it is opened: tests read the settings every commit runs with through it
    /// (synchronous=FULL), and only while no write is in flight, since the writer thread owns it.
    /// </summary>
    internal SqliteConnection? Connection => _connection;

    /// <summary>Computes each order's <see cref="SqliteRow"/> into a pooled array that <see cref="Release"/> gives back.</summary>
    public SqlitePreparedWrite Prepare(OrderWrite write)
    {
        var rows = ArrayPool<SqliteRow>.Shared.Rent(write.Count);
        if (write.Single is { } order)
        {
            rows[0] = SqliteRow.From(order);
        }
        else
        {
            var many = write.Many!;
            for (var i = 0; i < many.Count; i++) rows[i] = SqliteRow.From(many[i]);
        }
        return new SqlitePreparedWrite(write, rows);
    }

    public void Release(SqlitePreparedWrite prepared) => ArrayPool<SqliteRow>.Shared.Return(prepared.Rows);

    public IReadOnlyList<WriteResult> Write(IReadOnlyList<SqlitePreparedWrite> batch)
    {
        Volatile.Write(ref _writing, 1);
        try
        {
            return WriteBatch(batch);
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    private IReadOnlyList<WriteResult> WriteBatch(IReadOnlyList<SqlitePreparedWrite> batch)
    {
        _results.Clear();
        var connection = EnsureConnection();
        using var transaction = connection.BeginTransaction();
        _find!.Transaction = transaction;
        foreach (var prepared in batch)
        {
            var write = prepared.Orders;
            _results.Add(write.Single is { } order
                ? WriteResult.One(InsertOrFind(order, in prepared.Rows[0]))
                : WriteResult.All(InsertAllOrNone(connection, write.Many!, prepared.Rows)));
        }
        transaction.Commit();
        // After the commit, before any 201: a file deleted or replaced before this point took the batch into an
        // inode no path reaches (lost at exit), so the batch is refused; past this point the orders were on disk.
        _file.ThrowIfLost();
        return _results;
    }

    public string? DescribeFault(Exception exception) => exception switch
    {
        SqliteException sqlite => SqliteFaults.Describe(sqlite),
        SqliteFileLostException lost => lost.Message,
        _ => null,
    };

    // A request of many orders lands whole or not at all: a savepoint undoes it alone if one of its client order ids
    // conflicts, leaving the other requests in the same transaction untouched. Without client order ids nothing can
    // conflict, and the savepoint (which journals every page the request touches) is skipped.
    private SaveResult[] InsertAllOrNone(SqliteConnection connection, IReadOnlyList<Order> orders, SqliteRow[] rows)
    {
        var results = new SaveResult[orders.Count];
        // Stryker disable once Boolean : equivalent, a request without client order ids only skips the savepoint, which changes nothing it writes
        var idempotent = false;
        for (var i = 0; i < orders.Count && !idempotent; i++) idempotent = orders[i].ClientOrderId is not null;
        if (idempotent) Execute(connection, "SAVEPOINT request");
        var conflict = false;
        for (var i = 0; i < orders.Count; i++)
        {
            results[i] = InsertOrFind(orders[i], in rows[i]);
            conflict |= results[i].Outcome == SaveOutcome.Conflict;
        }
        if (conflict) Execute(connection, "ROLLBACK TO request");
        // Stryker disable once Statement,String : equivalent, the commit releases every savepoint; a request's own savepoint left open is rolled back to by name, innermost first
        if (idempotent) Execute(connection, "RELEASE request");
        return results;
    }

    private SaveResult InsertOrFind(Order order, in SqliteRow values)
    {
        var insert = _insert!;
        insert.Bind(1, values.Timestamp);
        insert.Bind(2, order.Username);
        insert.Bind(3, order.Market);
        insert.Bind(4, order.Side);
        insert.Bind(5, values.SizeUnits);
        insert.Bind(6, values.PriceUnits);
        insert.BindNullable(7, order.ClientOrderId);
        if (order.ReceivedAt is null) insert.BindNullable(8, null);
        else insert.Bind(8, values.ReceivedAt);
        insert.BindNullable(9, order.StoredBy);
        insert.Execute();
        if (insert.Changes() == 1)
        {
            return new SaveResult(SaveOutcome.Created, StoredOrder.From(insert.LastInsertRowId(), order));
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
        _file.ThrowIfLost(); // never reopen (and so recreate) a path that no longer names the file first opened
        if (_faulted)
        {
            // SQLite shares one wal-index (-shm) mapping per file among all connections of a process. Opened while the
            // file was read-only, the mapping stays read-only for as long as any pooled connection (reads, health)
            // keeps it alive, and every new writer connection inherits it: the store stayed read-only until a restart.
            // Closing the idle pooled connections lets the next open map the file afresh. One file per process here.
            SqliteConnection.ClearAllPools();
            // Stryker disable once Boolean : equivalent, clearing the pools again on every open only costs the pooled read connections
            _faulted = false;
        }

        var builder = new SqliteConnectionStringBuilder(_options.ConnectionString)
        {
            DefaultTimeout = _options.BusyTimeoutSeconds,
            // Stryker disable once Boolean : equivalent, the writer disposes its connection only on a reset (which clears the pools before the next open) or at the end
            Pooling = false, // the writer keeps its one connection; a faulted one is closed, not pooled
        };
        RefuseNetworkFileSystem(builder);
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            if (!_migrated)
            {
                var applied = SqliteOrderSchema.EnsureCreated(connection, _options.IndexUsername);
                OrderSchemaLog.Upgraded(logger, "SQLite", SqliteOrderMigrations.Latest - applied, SqliteOrderMigrations.Latest);
                _migrated = true;
            }
            // FULL: a commit reaches the disk before any 201 it covers is sent (WAL's default, NORMAL, may lose the
            // last commits on power loss).
            // Stryker disable once Statement,String : equivalent with the bundled e_sqlite3, compiled with FULL as its default (SqliteOrderWriterTests reads FULL either way); kept for a SQLite built with another default
            Execute(connection, "PRAGMA synchronous = FULL");
            // Stryker disable once Equality : equivalent, SQLite ignores max_page_count = 0
            if (_options.MaxPageCount > 0) Execute(connection, $"PRAGMA max_page_count = {_options.MaxPageCount}");

            // Stryker disable once Statement,String : equivalent, where a savepoint journals changes nothing it writes
            Execute(connection, "PRAGMA temp_store = MEMORY"); // savepoints journal in memory, not a temp file
            _insert = new SqliteRawStatement(connection, InsertSql);
            _find = connection.CreateCommand();
            _find.CommandText = FindSql;
            _find.CommandTimeout = _options.BusyTimeoutSeconds;
            _find.Parameters.Add(new SqliteParameter("$clientOrderId", null));
            _find.Parameters.Add(new SqliteParameter("$username", null));
            // Stryker disable once Statement : equivalent, the command is prepared on its first execution otherwise
            _find.Prepare();
            // SQLite opens a file it may not write read-only, without an error: refuse it here, so the writer never
            // keeps a read-only connection (nor the read-only mapping that comes with it) and retries on the next batch.
            if (SQLitePCL.raw.sqlite3_db_readonly(connection.Handle, "main") == 1)
            {
                throw new SqliteException("attempt to write a readonly database", SQLitePCL.raw.SQLITE_READONLY);
            }
            _file.Opened();
            _connection = connection;
            return connection;
        }
        catch
        {
            _insert?.Dispose();
            _find?.Dispose();
            (_insert, _find) = (null, null);
            connection.Dispose();
            throw;
        }
    }

    public void Reset()
    {
        _faulted = true;
        _insert?.Dispose();
        _find?.Dispose();
        _connection?.Dispose();
        (_insert, _find, _connection) = (null, null, null);
    }

    // After a stop that gave up on a stalled writer, the process exits with the writer still inside a write: its
    // connection is left to the process's exit (the uncommitted transaction rolls back), never closed under it.
    public void Dispose()
    {
        if (Volatile.Read(ref _writing) == 1) return;
        Reset();
        if (_ownsFile) _file.Dispose();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    // SMB/CIFS and NFS (Azure Files, /home on App Service and Functions among them) cannot give WAL its shared memory
    // or reliable locks: several instances would lock or corrupt the file. Refuse at start, saying what to use.
    private static readonly string[] NetworkFileSystems = ["cifs", "smb3", "smbfs", "nfs", "nfs4", "afs", "9p", "fuse.sshfs"];

    private void RefuseNetworkFileSystem(SqliteConnectionStringBuilder builder)
    {
        if (builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:") return;
        var type = (fileSystem ?? new MountInfoFileSystemProbe()).FileSystemType(builder.DataSource);
        if (type is null || !NetworkFileSystems.Contains(type, StringComparer.OrdinalIgnoreCase)) return;
        throw new InvalidOperationException(
            $"The SQLite file {builder.DataSource} lies on a network filesystem ({type}), where SQLite's WAL mode is not safe: " +
            "put it on a local disk, or set OrderStorage:Provider=Postgres and point ConnectionStrings:Orders at a PostgreSQL server.");
    }
}
