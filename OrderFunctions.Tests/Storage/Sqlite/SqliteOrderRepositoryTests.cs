using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Sqlite;
using OrderFunctions.Tests.Support;

using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
namespace OrderFunctions.Tests.Storage.Sqlite;

/// <summary>The repository contract on a SQLite file, and what only the SQLite engine does (WAL, integer units, file locks).</summary>
public sealed class SqliteOrderRepositoryTests() : OrderRepositoryContract(StoreEngine.Sqlite)
{
    [Fact(Timeout = TestTimeouts.Server)]
    public async Task StartAsync_creates_schema_without_harm_when_run_twice()
    {
        var first = Repository();
        await first.StartAsync(default);
        await first.AddAsync(TestOrders.Order());
        await first.StopAsync(default);
        var second = Repository();
        await second.StartAsync(default);
        await second.StopAsync(default);

        Assert.Equal(1, Store.CountRows());
        Assert.Equal("wal", Store.Scalar<string>("PRAGMA journal_mode"));
        Assert.Equal(
            ["client_order_id", "id", "market", "price", "received_at", "side", "size", "stored_by", "timestamp", "username"],
            Columns().Order());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StartAsync_creates_username_index_only_when_configured(bool indexUsername)
    {
        var repository = Repository(("OrderStorage:IndexUsername", indexUsername.ToString()));

        await repository.StartAsync(default);
        await repository.StopAsync(default);

        Assert.Equal(indexUsername ? 1L : 0L,
            Store.Scalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'IX_Orders_username'"));
        Assert.Equal(1L, Store.Scalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'IX_Orders_market_timestamp'"));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_stores_numbers_sql_can_compare_and_sum()
    {
        var repository = Repository();
        await repository.AddAsync(TestOrders.Order(price: 9m, size: 0.1m));
        await repository.AddAsync(TestOrders.Order(price: 10m, size: 0.2m));

        // As TEXT, '10' < '9'; as REAL, 0.1 + 0.2 != 0.3. Integer units get both right.
        Assert.Equal(10_00000000L, Store.Scalar<long>("SELECT MAX(price) FROM Orders"));
        Assert.Equal(0_30000000L, Store.Scalar<long>("SELECT SUM(size) FROM Orders"));
        Assert.Equal("integer", Store.Scalar<string>("SELECT typeof(price) FROM Orders LIMIT 1"));
    }

    // The SQLite writer takes a new row's id from last_insert_rowid() when changes() says the row went in (no RETURNING).
    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddManyAsync_returns_the_id_each_row_is_stored_under_when_a_replay_sits_between_new_rows()
    {
        var repository = Repository();
        var first = await repository.AddAsync(TestOrders.Order(clientOrderId: "c-1"));

        // The replay inserts nothing: the id reported for the rows around it must still be their own.
        var results = await repository.AddManyAsync([
            TestOrders.Order(size: 1),
            TestOrders.Order(clientOrderId: "c-1"),
            TestOrders.Order(size: 2),
            TestOrders.Order(clientOrderId: "c-2", size: 3),
        ]);

        Assert.Equal([SaveOutcome.Created, SaveOutcome.Replayed, SaveOutcome.Created, SaveOutcome.Created],
            results.Select(r => r.Outcome));
        Assert.Equal(first.Order.Id, results[1].Order.Id);
        Assert.Equal(4, results.Select(r => r.Order.Id).Distinct().Count());
        foreach (var result in results)
        {
            Assert.Equal(OrderDecimal.ToUnits(result.Order.Size),
                Store.Scalar<long>($"SELECT size FROM Orders WHERE id = {result.Order.Id}"));
        }
        Assert.Equal(4, Store.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_returns_the_id_each_order_is_stored_under_when_called_concurrently()
    {
        var repository = Repository();

        var results = await Task.WhenAll(Enumerable.Range(1, 500).Select(i =>
            Task.Run(() => repository.AddAsync(TestOrders.Order(username: $"user{i % 7}", size: i)))));

        foreach (var result in results)
        {
            Assert.Equal(OrderDecimal.ToUnits(result.Order.Size),
                Store.Scalar<long>($"SELECT size FROM Orders WHERE id = {result.Order.Id}"));
        }
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_throws_unavailable_and_recovers_when_database_is_locked()
    {
        var repository = Repository(("OrderStorage:BusyTimeoutSeconds", "1"));
        await repository.AddAsync(TestOrders.Order());
        using (var locker = Store.Open())
        {
            using var begin = locker.CreateCommand();
            begin.CommandText = "BEGIN EXCLUSIVE";
            begin.ExecuteNonQuery();

            var error = await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => repository.AddAsync(TestOrders.Order()));
            Assert.Contains("locked", error.Message);
        }

        var after = await repository.AddAsync(TestOrders.Order());

        Assert.Equal(SaveOutcome.Created, after.Outcome);
        Assert.Equal(2, Store.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_throws_unavailable_at_once_when_queue_is_full()
    {
        // The engine signals when the writer thread hands it the second batch: the writer has left its read loop.
        var services = Services(("OrderStorage:QueueCapacity", "1"), ("OrderStorage:BusyTimeoutSeconds", "10"));
        var writing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writes = 0;
        var engine = new SignallingWriter<SqlitePreparedWrite>((SqliteOrderWriter)services.GetRequiredService<IOrderBatchWriter>(),
            () => { if (Interlocked.Increment(ref writes) == 2) writing.TrySetResult(); });
        using var repository = new OrderWriteQueue<SqlitePreparedWrite>(engine, services.GetRequiredService<IOptions<OrderStorageOptions>>(),
            NullLogger<OrderWriteQueue>.Instance);
        await repository.AddAsync(TestOrders.Order());
        using var locker = Store.Open();
        using (var begin = locker.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE";
            begin.ExecuteNonQuery();
        }

        var heldByWriter = repository.AddAsync(TestOrders.Order(size: 1));   // the writer waits on the lock with it
        await writing.Task.WaitAsync(TimeSpan.FromSeconds(30));              // taken out of the queue: in Write, on the lock
        var queued = repository.AddAsync(TestOrders.Order(size: 2));         // fills the one place in the queue
        var error = await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => repository.AddAsync(TestOrders.Order(size: 3)));
        using (var commit = locker.CreateCommand())
        {
            commit.CommandText = "COMMIT";
            commit.ExecuteNonQuery();
        }

        Assert.Contains("too many orders are waiting", error.Message);
        Assert.Equal(SaveOutcome.Created, (await heldByWriter).Outcome);
        Assert.Equal(SaveOutcome.Created, (await queued).Outcome);
        Assert.Equal(3, Store.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task IsStoredAsync_searches_the_idempotency_index_alone()
    {
        await Repository().StartAsync(default);
        using var connection = Store.Open();
        using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + SqliteOrderQueries.IsStoredSql;
        explain.Parameters.AddWithValue("$clientOrderId", "k-1");
        explain.Parameters.AddWithValue("$username", "alice");

        using var plan = explain.ExecuteReader();
        Assert.True(plan.Read());
        Assert.Equal("SEARCH Orders USING COVERING INDEX IX_Orders_client_order_id_username (client_order_id=? AND username=?)",
            plan.GetString(3));
        Assert.False(plan.Read());
    }

    private List<string> Columns()
    {
        using var connection = Store.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM pragma_table_info('Orders')";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    }

    private static decimal Parse(string value) => decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
}
