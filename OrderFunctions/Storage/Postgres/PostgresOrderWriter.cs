using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using OrderFunctions.Orders;

namespace OrderFunctions.Storage.Postgres;

/// <summary>
/// Writes a batch of requests to PostgreSQL in one transaction for <see cref="OrderWriteQueue"/>. A commit's ids are
/// drawn from the identity sequence up front; orders without a client order id (nothing can conflict) go in by binary
/// COPY, the others by one <c>INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING</c>, which waits for another
/// instance's transaction holding the same (username, client order id) and skips the row once that one commits, so
/// idempotency holds across processes. The writer thread owns one connection and uses Npgsql's synchronous API: real
/// blocking I/O on a dedicated thread, never a thread-pool thread.
/// </summary>
public sealed class PostgresOrderWriter(PostgresConnections connections, IOptions<PostgresOrderStoreOptions> options,
    ILogger<PostgresOrderWriter>? logger = null) : IOrderBatchWriter<OrderWrite>
{
    private const string CopySql =
        $"COPY orders ({PostgresOrderSchema.Columns}) FROM STDIN (FORMAT BINARY)";

    private const string UnnestSelect = $"""
        INSERT INTO orders ({PostgresOrderSchema.Columns})
        SELECT * FROM unnest(@id, @timestamp, @ticks, @username, @market, @side, @size, @price, @client_order_id,
            @received_at, @stored_by)
            AS t(id, timestamp, ticks, username, market, side, size, price, client_order_id, received_at, stored_by)
        """;

    // Sorted by the unique key: two instances inserting overlapping keys take the index's locks in the same order and
    // cannot deadlock; ties (one key twice in a commit) keep input order, so the first one sent is the one stored.
    private const string InsertKeyedSql = UnnestSelect + """

        ORDER BY username, client_order_id, id
        ON CONFLICT DO NOTHING
        RETURNING id
        """;

    private const string FindSql = $"""
        SELECT {PostgresOrderSchema.Columns} FROM orders o
        JOIN unnest(@username, @client_order_id) AS k(username, client_order_id)
            USING (username, client_order_id)
        """;

    // Every transaction's first statements: the table's lock under the full lock_timeout (a table locked by another
    // session makes the commit fail in about BusyTimeoutSeconds), then the short wait for keys held by other sessions
    // for the rest of the transaction, the commit's fence (PostgresCommitFence: a shared advisory lock keyed by the
    // sequence's next value, taken before any id is drawn and released once the commit is visible, so that listings
    // tail safely across instances), the ids, and the table's oid, which must be the one this process started with.
    // One round trip: the MATERIALIZED row is computed before the first nextval, which needs it.
    private const string IdsSql = $"""
        LOCK TABLE orders IN ROW EXCLUSIVE MODE;
        WITH t AS MATERIALIZED (SELECT 'orders'::regclass::oid AS oid, set_config('lock_timeout', @key_wait, true),
            {PostgresCommitFence.LockExpression})
        SELECT nextval(@sequence::regclass), t.oid FROM t, generate_series(1, @count)
        """;

    // The same inside a request's savepoint (WriteOneByOne): the transaction took its fence before its first savepoint,
    // as a lock taken in a savepoint that is rolled back is released with it, and one fence per transaction keeps the
    // lock table small however many requests the commit carries.
    private const string IdsUnfencedSql = """
        LOCK TABLE orders IN ROW EXCLUSIVE MODE;
        WITH t AS MATERIALIZED (SELECT 'orders'::regclass::oid AS oid, set_config('lock_timeout', @key_wait, true))
        SELECT nextval(@sequence::regclass), t.oid FROM t, generate_series(1, @count)
        """;

    private const string FenceSql = $"SELECT {PostgresCommitFence.LockExpression}";

    private const string SessionSql =
        "SELECT set_config('lock_timeout', @lock_timeout, false), set_config('statement_timeout', @statement_timeout, false)";

    private const string TableOidSql = "SELECT to_regclass('orders')::oid";

    private const string BackendAliveSql = "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = @pid)";

    private const string RowExistsSql = "SELECT EXISTS (SELECT 1 FROM orders WHERE id = @id)";

    private const string TerminateSql = "SELECT pg_terminate_backend(@pid)";

    private const string KeyBusyReason =
        "another request with the same clientOrderId is being written and has not committed yet; nothing of this request was written, " +
        "retry: the resend is answered with the stored order once that write commits";

    private readonly PostgresOrderStoreOptions _options = options.Value;
    private readonly string _keyWait = $"{options.Value.KeyWaitMilliseconds}ms";

    // Owned by the writer thread only.
    private NpgsqlConnection? _connection;
    private int _writing; // 1 while the writer thread is inside Write (Dispose then leaves the connection be)
    private string? _sequence; // set, with the schema brought up to date, by the first open that succeeds

    /// <summary>How orders without a client order id are inserted (COPY by default; unnest kept for measurement).</summary>
    internal PostgresBulkInsert BulkInsert { get; init; } = options.Value.BulkInsert;

    public string SystemName => "postgresql";

    // Faults leave this class scrubbed (PostgresStoreException): the queue logs them and puts them in its 503s.
    public void Open()
    {
        try
        {
            EnsureConnection();
        }
        catch (Exception ex) when (PostgresFaults.Describe(ex) is not null)
        {
            throw PostgresFaults.Scrubbed(ex);
        }
    }

    /// <summary>Nothing to compute ahead: the orders go to Npgsql as they are.</summary>
    public OrderWrite Prepare(OrderWrite write) => write;

    public void Release(OrderWrite prepared)
    {
    }

    public IReadOnlyList<WriteResult> Write(IReadOnlyList<OrderWrite> batch)
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

    private IReadOnlyList<WriteResult> WriteBatch(IReadOnlyList<OrderWrite> batch)
    {
        try
        {
            return WriteWithRetry(batch);
        }
        catch (Exception ex) when (PostgresFaults.Describe(ex) is not null)
        {
            throw PostgresFaults.Scrubbed(ex);
        }
    }

    private IReadOnlyList<WriteResult> WriteWithRetry(IReadOnlyList<OrderWrite> batch)
    {
        var connection = EnsureConnection();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                try
                {
                    // Stryker disable once NullCoalescing : equivalent in every answer, request by request answers a commit as together does (the slower path)
                    return TryWriteTogether(connection, batch) ?? WriteOneByOne(connection, batch);
                }
                catch (KeyBusyException)
                {
                    // A key held by another session's open transaction: the commit is rolled back (disposed), and
                    // written again request by request, so only the request with that key waits, and is set aside.
                    return WriteOneByOne(connection, batch);
                }
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DeadlockDetected
                                                   or PostgresErrorCodes.SerializationFailure && attempt < 3)
            {
                // The transaction was rolled back whole; writing the batch again is safe.
            }
        }
    }

    public string? DescribeFault(Exception exception) => PostgresFaults.Describe(exception);

    // The usual case: every order of the commit in one COPY and one INSERT. When a request of many orders meets a
    // conflict, it must land not at all while the rest of the commit lands: roll back and go request by request.
    // Null when a request of many met a conflict: the transaction is then rolled back (disposed uncommitted).
    private WriteResult[]? TryWriteTogether(NpgsqlConnection connection, IReadOnlyList<OrderWrite> batch)
    {
        var orders = new List<Order>(batch.Count);
        foreach (var write in batch)
        {
            if (write.Single is { } order) orders.Add(order);
            else orders.AddRange(write.Many!);
        }

        using var transaction = connection.BeginTransaction();
        var results = Insert(connection, orders);
        var written = new WriteResult[batch.Count];
        var offset = 0;
        for (var r = 0; r < batch.Count; r++)
        {
            if (batch[r].Single is not null)
            {
                written[r] = WriteResult.One(results[offset++]);
                continue;
            }
            var many = new SaveResult[batch[r].Count];
            Array.Copy(results, offset, many, 0, many.Length);
            offset += many.Length;
            if (Array.Exists(many, s => s.Outcome == SaveOutcome.Conflict)) return null;
            written[r] = WriteResult.All(many);
        }
        Commit(connection, transaction, written);
        return written;
    }

    // Each request in a savepoint of its own: a request of many that meets a conflict is rolled back alone, and so is
    // a request whose key another session holds (set aside: answered 503 while the rest commits).
    private WriteResult[] WriteOneByOne(NpgsqlConnection connection, IReadOnlyList<OrderWrite> batch)
    {
        using var transaction = connection.BeginTransaction();
        using (var fence = new NpgsqlCommand(FenceSql, connection))
        {
            fence.Parameters.AddWithValue("sequence", _sequence!);
            try
            {
                fence.ExecuteNonQuery();
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                throw connections.TableChanged(null); // the sequence went with its table
            }
        }
        var written = new WriteResult[batch.Count];
        for (var r = 0; r < batch.Count; r++)
        {
            transaction.Save("request");
            try
            {
                if (batch[r].Single is { } order)
                {
                    // Stryker disable once Boolean : equivalent, the draw's own fence is a second fence of this transaction, with a higher bound: readers take the lowest
                    written[r] = WriteResult.One(Insert(connection, [order], fenced: true)[0]);
                }
                else
                {
                    // Stryker disable once Boolean : equivalent, the draw's own fence is a second fence of this transaction, with a higher bound: readers take the lowest
                    var results = Insert(connection, batch[r].Many!, fenced: true);
                    if (Array.Exists(results, s => s.Outcome == SaveOutcome.Conflict)) transaction.Rollback("request");
                    written[r] = WriteResult.All(results);
                }
            }
            catch (KeyBusyException)
            {
                transaction.Rollback("request");
                written[r] = WriteResult.NotWritten(KeyBusyReason);
            }
            // Stryker disable once Statement : equivalent, COMMIT releases every savepoint, and a rollback to a name goes to its latest savepoint
            transaction.Release("request");
        }
        Commit(connection, transaction, written);
        return written;
    }

    // COMMIT, and when its answer is lost (the connection failed during or after it), find out whether it landed
    // instead of guessing: returns when it did, throws the fault when it proved it did not, and throws
    // OrderCommitUnknownException when it could not tell within BusyTimeoutSeconds.
    private void Commit(NpgsqlConnection connection, NpgsqlTransaction transaction, WriteResult[] written)
    {
        var backend = connection.ProcessID;
        try
        {
            transaction.Commit();
        }
        catch (Exception ex) when (ex is not PostgresException && PostgresFaults.Describe(ex) is not null)
        {
            Reset();
            if (StoredId(written) is not { } id) return; // nothing of it was to be written: the answers hold either way
            switch (CommitLanded(backend, id))
            {
                case true:
                    return;
                case false:
                    throw;
                default:
                    throw new OrderCommitUnknownException(
                        "the connection to the database failed during the commit, and the database could not be asked in time whether it landed",
                        PostgresFaults.Scrubbed(ex));
            }
        }
    }

    // An id this commit was to write (a created order of a request that was not rolled back), or null when none.
    private static long? StoredId(WriteResult[] written)
    {
        foreach (var result in written)
        {
            if (result.Refused is not null) continue;
            if (result.Many is null)
            {
                if (result.Single.Outcome == SaveOutcome.Created) return result.Single.Order.Id;
                continue;
            }
            if (Array.Exists(result.Many, s => s.Outcome == SaveOutcome.Conflict)) continue;
            foreach (var saved in result.Many)
            {
                if (saved.Outcome == SaveOutcome.Created) return saved.Order.Id;
            }
        }
        return null;
    }

    // On a new connection: once the backend that ran the commit is gone, its transaction is over (committed or rolled
    // back, and visible to any later snapshot), so one of its ids is there exactly when it landed. A backend that lives
    // on (its client's connection gone unnoticed) is terminated halfway through the budget. Null: no answer in time.
    private bool? CommitLanded(int backend, long id)
    {
        var budget = TimeSpan.FromSeconds(Math.Max(1, _options.BusyTimeoutSeconds));
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var terminated = false;
        while (System.Diagnostics.Stopwatch.GetElapsedTime(started) < budget)
        {
            try
            {
                using var connection = connections.DataSource.OpenConnection();
                using var alive = new NpgsqlCommand(BackendAliveSql, connection);
                alive.Parameters.AddWithValue("pid", backend);
                if (!(bool)alive.ExecuteScalar()!)
                {
                    using var landed = new NpgsqlCommand(RowExistsSql, connection);
                    landed.Parameters.AddWithValue("id", id);
                    return (bool)landed.ExecuteScalar()!;
                }
                if (!terminated && System.Diagnostics.Stopwatch.GetElapsedTime(started) > budget / 2)
                {
                    using var terminate = new NpgsqlCommand(TerminateSql, connection);
                    terminate.Parameters.AddWithValue("pid", backend);
                    terminate.ExecuteScalar();
                    terminated = true;
                }
            }
            catch (Exception ex) when (PostgresFaults.Describe(ex) is not null)
            {
                // Not reachable yet: ask again until the budget is spent.
            }
            // Stryker disable once Statement : equivalent in outcome, the loop asks again at once instead of after 100 ms
            Thread.Sleep(100);
        }
        return null;
    }

    // fenced: the transaction holds its commit fence already (PostgresCommitFence); else the draw takes it.
    private SaveResult[] Insert(NpgsqlConnection connection, IReadOnlyList<Order> orders, bool fenced = false)
    {
        var ids = AllocateIds(connection, orders.Count, fenced);
        var results = new SaveResult[orders.Count];
        var plain = new List<int>(orders.Count);
        var keyed = new List<int>();
        for (var i = 0; i < orders.Count; i++) (orders[i].ClientOrderId is null ? plain : keyed).Add(i);

        // Stryker disable once Equality : equivalent, a COPY of no rows inserts nothing
        if (plain.Count > 0)
        {
            if (BulkInsert == PostgresBulkInsert.Copy) Copy(connection, orders, ids, plain);
            else InsertUnnest(connection, orders, ids, plain, UnnestSelect);
            foreach (var i in plain) results[i] = new SaveResult(SaveOutcome.Created, StoredOrder.From(ids[i], orders[i]));
        }
        // Stryker disable once Equality : equivalent, an insert of no keyed rows inserts nothing and finds none missing
        if (keyed.Count > 0) InsertKeyed(connection, orders, ids, keyed, results);
        return results;
    }

    private void InsertKeyed(NpgsqlConnection connection, IReadOnlyList<Order> orders, long[] ids, List<int> keyed, SaveResult[] results)
    {
        HashSet<long> inserted;
        try
        {
            inserted = InsertUnnest(connection, orders, ids, keyed, InsertKeyedSql);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            throw new KeyBusyException(ex); // the table's lock is held already: this was a key another session holds
        }
        var missing = new List<int>();
        foreach (var i in keyed)
        {
            if (inserted.Contains(ids[i])) results[i] = new SaveResult(SaveOutcome.Created, StoredOrder.From(ids[i], orders[i]));
            else missing.Add(i);
        }
        // Stryker disable once Statement : equivalent, the lookup of no keys finds nothing and answers none
        if (missing.Count == 0) return;

        // Already stored under this (username, client order id): by an earlier commit, another instance, or an
        // earlier order of this very commit. This statement sees all of them (read committed).
        using var find = new NpgsqlCommand(FindSql, connection);
        find.Parameters.AddWithValue("username", missing.Select(i => orders[i].Username).ToArray());
        find.Parameters.AddWithValue("client_order_id", missing.Select(i => orders[i].ClientOrderId!).ToArray());
        var stored = new Dictionary<(string, string), StoredOrder>();
        using (var row = find.ExecuteReader())
        {
            while (row.Read())
            {
                var order = PostgresOrderReader.ReadOrder(row);
                stored[(order.Username, order.ClientOrderId!)] = order;
            }
        }
        foreach (var i in missing)
        {
            var existing = stored[(orders[i].Username, orders[i].ClientOrderId!)];
            results[i] = new SaveResult(orders[i].HasSameContentAs(existing) ? SaveOutcome.Replayed : SaveOutcome.Conflict, existing);
        }
    }

    private static HashSet<long> InsertUnnest(NpgsqlConnection connection, IReadOnlyList<Order> orders, long[] ids, List<int> rows, string sql)
    {
        var n = rows.Count;
        var id = new long[n];
        var timestamp = new DateTime[n];
        var ticks = new short[n];
        var username = new string[n];
        var market = new string[n];
        var side = new string[n];
        var size = new decimal[n];
        var price = new decimal[n];
        var clientOrderId = new string?[n];
        var receivedAt = new DateTime?[n];
        var storedBy = new string?[n];
        for (var r = 0; r < n; r++)
        {
            var i = rows[r];
            var order = orders[i];
            id[r] = ids[i];
            (timestamp[r], ticks[r]) = PostgresOrderSchema.Split(order.Timestamp);
            username[r] = order.Username;
            market[r] = order.Market;
            side[r] = order.Side;
            size[r] = order.Size;
            price[r] = order.Price;
            clientOrderId[r] = order.ClientOrderId;
            receivedAt[r] = order.ReceivedAt;
            storedBy[r] = order.StoredBy;
        }

        using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<long[]>("id", id));
        command.Parameters.Add(
            new NpgsqlParameter<DateTime[]>("timestamp", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = timestamp });
        command.Parameters.Add(new NpgsqlParameter<short[]>("ticks", ticks));
        command.Parameters.Add(new NpgsqlParameter<string[]>("username", username));
        command.Parameters.Add(new NpgsqlParameter<string[]>("market", market));
        command.Parameters.Add(new NpgsqlParameter<string[]>("side", side));
        command.Parameters.Add(new NpgsqlParameter<decimal[]>("size", size));
        command.Parameters.Add(new NpgsqlParameter<decimal[]>("price", price));
        command.Parameters.Add(
            new NpgsqlParameter<string?[]>("client_order_id", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = clientOrderId });
        command.Parameters.Add(
            new NpgsqlParameter<DateTime?[]>("received_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = receivedAt });
        command.Parameters.Add(new NpgsqlParameter<string?[]>("stored_by", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = storedBy });

        var inserted = new HashSet<long>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) inserted.Add(reader.GetInt64(0));
        return inserted;
    }

    private static void Copy(NpgsqlConnection connection, IReadOnlyList<Order> orders, long[] ids, List<int> rows)
    {
        using var importer = connection.BeginBinaryImport(CopySql);
        foreach (var i in rows)
        {
            var order = orders[i];
            var (timestamp, ticks) = PostgresOrderSchema.Split(order.Timestamp);
            importer.StartRow();
            importer.Write(ids[i], NpgsqlDbType.Bigint);
            importer.Write(timestamp, NpgsqlDbType.TimestampTz);
            importer.Write(ticks, NpgsqlDbType.Smallint);
            importer.Write(order.Username, NpgsqlDbType.Text);
            importer.Write(order.Market, NpgsqlDbType.Text);
            importer.Write(order.Side, NpgsqlDbType.Text);
            importer.Write(order.Size, NpgsqlDbType.Numeric);
            importer.Write(order.Price, NpgsqlDbType.Numeric);
            importer.WriteNull();
            if (order.ReceivedAt is { } receivedAt) importer.Write(receivedAt, NpgsqlDbType.TimestampTz);
            else importer.WriteNull();
            if (order.StoredBy is { } storedBy) importer.Write(storedBy, NpgsqlDbType.Text);
            else importer.WriteNull();
        }
        importer.Complete();
    }

    private long[] AllocateIds(NpgsqlConnection connection, int count, bool fenced)
    {
        using var command = new NpgsqlCommand(fenced ? IdsUnfencedSql : IdsSql, connection);
        command.Parameters.AddWithValue("sequence", _sequence!);
        command.Parameters.AddWithValue("count", count);
        command.Parameters.AddWithValue("key_wait", _keyWait);
        var ids = new long[count];
        try
        {
            using var reader = command.ExecuteReader();
            for (var i = 0; reader.Read(); i++)
            {
                ids[i] = reader.GetInt64(0);
                if (i == 0 && reader.GetFieldValue<uint>(1) is var oid && oid != connections.TableOid) throw connections.TableChanged(oid);
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            throw connections.TableChanged(null);
        }
        return ids;
    }

    private NpgsqlConnection EnsureConnection()
    {
        if (_connection is not null) return _connection;

        if (connections.TableLost is { } lost) throw new PostgresStoreException(lost);
        var connection = connections.DataSource.OpenConnection();
        try
        {
            // The schema at start only: a reconnect after a fault (the server restarted, failed over) runs no DDL and
            // takes no lock; it finds the table this process brought up to date, or refuses (issue 22): a table
            // created anew under the same name would hand out ids again.
            if (connections.TableOid is null)
            {
                var applied = PostgresOrderSchema.EnsureCreated(connection, _options.IndexUsername);
                OrderSchemaLog.Upgraded(logger, "PostgreSQL", PostgresOrderMigrations.Latest - applied, PostgresOrderMigrations.Latest);
                using var sequence = new NpgsqlCommand(PostgresOrderSchema.SequenceSql, connection);
                _sequence = (string)sequence.ExecuteScalar()!;
                using var cache = new NpgsqlCommand(PostgresOrderSchema.SequenceCacheSql, connection);
                cache.Parameters.AddWithValue("sequence", _sequence);
                if (cache.ExecuteScalar() is long cached and > 1)
                {
                    throw new PostgresStoreException(
                        $"the id sequence {_sequence} caches {cached} values per session: ids would not grow in the order they are drawn " +
                        $"and listings could skip orders; an operator restores it with ALTER SEQUENCE {_sequence} CACHE 1");
                }
                connections.TableOid = TableOid(connection);
            }
            else if (TableOid(connection) is var oid && oid != connections.TableOid)
            {
                throw connections.TableChanged(oid);
            }
            using var session = new NpgsqlCommand(SessionSql, connection);
            session.Parameters.AddWithValue("lock_timeout", $"{_options.BusyTimeoutSeconds}s");
            session.Parameters.AddWithValue("statement_timeout", $"{_options.StatementTimeoutSeconds}s");
            session.ExecuteNonQuery();
            _connection = connection;
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static uint? TableOid(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand(TableOidSql, connection);
        return command.ExecuteScalar() is uint oid ? oid : null;
    }

    public void Reset()
    {
        _connection?.Dispose();
        _connection = null;
    }

    // After a stop that gave up on a stalled writer, the process exits with the writer still inside a write: its
    // connection is left to the process's exit (the server rolls the transaction back), never closed under it.
    public void Dispose()
    {
        if (Volatile.Read(ref _writing) == 0) Reset();
    }
}
