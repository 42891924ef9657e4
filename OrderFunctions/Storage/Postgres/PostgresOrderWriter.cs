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

    private const string IdsSql = "SELECT nextval(@sequence::regclass) FROM generate_series(1, @count)";

    private readonly PostgresOrderStoreOptions _options = options.Value;

    // Owned by the writer thread only.
    private NpgsqlConnection? _connection;
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
                return TryWriteTogether(connection, batch) ?? WriteOneByOne(connection, batch);
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
        transaction.Commit();
        return written;
    }

    private WriteResult[] WriteOneByOne(NpgsqlConnection connection, IReadOnlyList<OrderWrite> batch)
    {
        using var transaction = connection.BeginTransaction();
        var written = new WriteResult[batch.Count];
        for (var r = 0; r < batch.Count; r++)
        {
            if (batch[r].Single is { } order)
            {
                written[r] = WriteResult.One(Insert(connection, [order])[0]);
                continue;
            }
            transaction.Save("request");
            var results = Insert(connection, batch[r].Many!);
            if (Array.Exists(results, s => s.Outcome == SaveOutcome.Conflict)) transaction.Rollback("request");
            transaction.Release("request");
            written[r] = WriteResult.All(results);
        }
        transaction.Commit();
        return written;
    }

    private SaveResult[] Insert(NpgsqlConnection connection, IReadOnlyList<Order> orders)
    {
        var ids = AllocateIds(connection, orders.Count);
        var results = new SaveResult[orders.Count];
        var plain = new List<int>(orders.Count);
        var keyed = new List<int>();
        for (var i = 0; i < orders.Count; i++) (orders[i].ClientOrderId is null ? plain : keyed).Add(i);

        if (plain.Count > 0)
        {
            if (BulkInsert == PostgresBulkInsert.Copy) Copy(connection, orders, ids, plain);
            else InsertUnnest(connection, orders, ids, plain, UnnestSelect);
            foreach (var i in plain) results[i] = new SaveResult(SaveOutcome.Created, StoredOrder.From(ids[i], orders[i]));
        }
        if (keyed.Count > 0) InsertKeyed(connection, orders, ids, keyed, results);
        return results;
    }

    private void InsertKeyed(NpgsqlConnection connection, IReadOnlyList<Order> orders, long[] ids, List<int> keyed, SaveResult[] results)
    {
        var inserted = InsertUnnest(connection, orders, ids, keyed, InsertKeyedSql);
        var missing = new List<int>();
        foreach (var i in keyed)
        {
            if (inserted.Contains(ids[i])) results[i] = new SaveResult(SaveOutcome.Created, StoredOrder.From(ids[i], orders[i]));
            else missing.Add(i);
        }
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

    private long[] AllocateIds(NpgsqlConnection connection, int count)
    {
        using var command = new NpgsqlCommand(IdsSql, connection);
        command.Parameters.AddWithValue("sequence", _sequence!);
        command.Parameters.AddWithValue("count", count);
        var ids = new long[count];
        using var reader = command.ExecuteReader();
        for (var i = 0; reader.Read(); i++) ids[i] = reader.GetInt64(0);
        return ids;
    }

    private NpgsqlConnection EnsureConnection()
    {
        if (_connection is not null) return _connection;

        var connection = connections.DataSource.OpenConnection();
        try
        {
            // The schema at start only: a reconnect after a fault (the server restarted, failed over) runs no DDL and
            // takes no lock; it finds the schema this process brought up to date.
            if (_sequence is null)
            {
                var applied = PostgresOrderSchema.EnsureCreated(connection, _options.IndexUsername);
                OrderSchemaLog.Upgraded(logger, "PostgreSQL", PostgresOrderMigrations.Latest - applied, PostgresOrderMigrations.Latest);
                using var sequence = new NpgsqlCommand(PostgresOrderSchema.SequenceSql, connection);
                _sequence = (string)sequence.ExecuteScalar()!;
            }
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
        _connection?.Dispose();
        _connection = null;
    }

    public void Dispose() => Reset();
}
