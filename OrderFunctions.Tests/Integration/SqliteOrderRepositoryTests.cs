using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Sqlite;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Integration;

public sealed class SqliteOrderRepositoryTests : IDisposable
{
    private readonly TempDatabase _database = new();

    private OrderWriteQueue Repository(Action<OrderStorageOptions>? configure = null)
    {
        var options = new OrderStorageOptions { ConnectionString = _database.ConnectionString };
        configure?.Invoke(options);
        return new OrderWriteQueue(new SqliteOrderWriter(Options.Create(options)), Options.Create(options),
            NullLogger<OrderWriteQueue>.Instance);
    }

    public void Dispose() => _database.Dispose();

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task StartAsync_creates_schema_without_harm_when_run_twice()
    {
        using (var first = Repository())
        {
            await first.StartAsync(default);
            await first.AddAsync(TestOrders.Order());
            await first.StopAsync(default);
        }
        using (var second = Repository())
        {
            await second.StartAsync(default);
            await second.StopAsync(default);
        }

        Assert.Equal(1, _database.CountRows());
        Assert.Equal("wal", _database.Scalar<string>("PRAGMA journal_mode"));
        Assert.Equal(
            ["client_order_id", "id", "market", "price", "side", "size", "timestamp", "username"],
            Columns().Order());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StartAsync_creates_username_index_only_when_configured(bool indexUsername)
    {
        using var repository = Repository(o => o.IndexUsername = indexUsername);

        await repository.StartAsync(default);
        await repository.StopAsync(default);

        Assert.Equal(indexUsername ? 1L : 0L,
            _database.Scalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'IX_Orders_username'"));
        Assert.Equal(1L, _database.Scalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'IX_Orders_market_timestamp'"));
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("0.1", "43000.12345678")]
    [InlineData("0.00000001", "9999999999.99999999")]
    [InlineData("123456789.12345678", "0.3")]
    public async Task AddAsync_round_trips_size_and_price_exactly(string size, string price)
    {
        using var repository = Repository();
        var order = TestOrders.Order(size: Parse(size), price: Parse(price));

        var result = await repository.AddAsync(order);

        Assert.Equal(SaveOutcome.Created, result.Outcome);
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SqliteOrderReader.Columns} FROM Orders WHERE id = $id";
        command.Parameters.AddWithValue("$id", result.Order.Id);
        using var row = command.ExecuteReader();
        Assert.True(row.Read());
        var stored = SqliteOrderReader.ReadOrder(row);
        Assert.Equal(size, stored.Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(price, stored.Price.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(order.Timestamp, stored.Timestamp);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_stores_numbers_sql_can_compare_and_sum()
    {
        using var repository = Repository();
        await repository.AddAsync(TestOrders.Order(price: 9m, size: 0.1m));
        await repository.AddAsync(TestOrders.Order(price: 10m, size: 0.2m));

        // As TEXT, '10' < '9'; as REAL, 0.1 + 0.2 != 0.3. Integer units get both right.
        Assert.Equal(10_00000000L, _database.Scalar<long>("SELECT MAX(price) FROM Orders"));
        Assert.Equal(0_30000000L, _database.Scalar<long>("SELECT SUM(size) FROM Orders"));
        Assert.Equal("integer", _database.Scalar<string>("SELECT typeof(price) FROM Orders LIMIT 1"));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_lands_every_order_when_called_concurrently()
    {
        using var repository = Repository();

        var results = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i =>
            Task.Run(() => repository.AddAsync(TestOrders.Order(username: $"user{i % 37}", size: i + 1)))));

        Assert.Equal(2000, _database.CountRows());
        Assert.Equal(2000, results.Select(r => r.Order.Id).Distinct().Count());
        Assert.All(results, r => Assert.Equal(SaveOutcome.Created, r.Outcome));
        Assert.Equal(Enumerable.Range(1, 2000).Sum(i => (long)i) * 100_000_000L, _database.Scalar<long>("SELECT SUM(size) FROM Orders"));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddManyAsync_returns_ids_in_input_order()
    {
        using var repository = Repository();
        var orders = Enumerable.Range(1, 50).Select(i => TestOrders.Order(size: i)).ToList();

        var results = await repository.AddManyAsync(orders);

        Assert.Equal(orders.Select(o => o.Size), results.Select(r => r.Order.Size));
        Assert.Equal(results.Select(r => r.Order.Id).Order(), results.Select(r => r.Order.Id));
        Assert.Equal(50, _database.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_replays_and_writes_nothing_when_client_order_id_repeats_with_same_content()
    {
        using var repository = Repository();
        var first = await repository.AddAsync(TestOrders.Order(clientOrderId: "c-1"));

        var again = await repository.AddAsync(TestOrders.Order(clientOrderId: "c-1"));
        var otherUser = await repository.AddAsync(TestOrders.Order(username: "bob", clientOrderId: "c-1"));

        Assert.Equal(SaveOutcome.Replayed, again.Outcome);
        Assert.Equal(first.Order.Id, again.Order.Id);
        Assert.Equal(SaveOutcome.Created, otherUser.Outcome);
        Assert.Equal(2, _database.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_replays_each_users_own_order_when_two_users_share_a_client_order_id()
    {
        using var repository = Repository();
        var alice = await repository.AddAsync(TestOrders.Order(username: "alice", clientOrderId: "shared", price: 100m));
        var bob = await repository.AddAsync(TestOrders.Order(username: "bob", clientOrderId: "shared", price: 200m));

        var bobAgain = await repository.AddAsync(TestOrders.Order(username: "bob", clientOrderId: "shared", price: 200m));
        var aliceAgain = await repository.AddAsync(TestOrders.Order(username: "alice", clientOrderId: "shared", price: 100m));
        var bobChanged = await repository.AddAsync(TestOrders.Order(username: "bob", clientOrderId: "shared", price: 300m));

        Assert.Equal(SaveOutcome.Replayed, bobAgain.Outcome);
        Assert.Equal(bob.Order, bobAgain.Order);
        Assert.Equal(SaveOutcome.Replayed, aliceAgain.Outcome);
        Assert.Equal(alice.Order, aliceAgain.Order);
        Assert.Equal(SaveOutcome.Conflict, bobChanged.Outcome);
        Assert.Equal(bob.Order, bobChanged.Order);
        Assert.Equal(2, _database.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_reports_conflict_when_client_order_id_repeats_with_other_content()
    {
        using var repository = Repository();
        var first = await repository.AddAsync(TestOrders.Order(clientOrderId: "c-1"));

        var other = await repository.AddAsync(TestOrders.Order(clientOrderId: "c-1", size: 5));

        Assert.Equal(SaveOutcome.Conflict, other.Outcome);
        Assert.Equal(first.Order, other.Order);
        Assert.Equal(1, _database.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddManyAsync_writes_nothing_of_the_batch_when_one_element_conflicts()
    {
        using var repository = Repository();
        await repository.AddAsync(TestOrders.Order(clientOrderId: "taken"));

        var results = await repository.AddManyAsync([
            TestOrders.Order(clientOrderId: "new-1"),
            TestOrders.Order(clientOrderId: "taken", size: 9),
            TestOrders.Order(clientOrderId: "new-2"),
        ]);

        Assert.Equal([SaveOutcome.Created, SaveOutcome.Conflict, SaveOutcome.Created], results.Select(r => r.Outcome));
        Assert.Equal(1, _database.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_throws_unavailable_and_recovers_when_database_is_locked()
    {
        using var repository = Repository(o => o.BusyTimeoutSeconds = 1);
        await repository.AddAsync(TestOrders.Order());
        using (var locker = _database.Open())
        {
            using var begin = locker.CreateCommand();
            begin.CommandText = "BEGIN EXCLUSIVE";
            begin.ExecuteNonQuery();

            var error = await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => repository.AddAsync(TestOrders.Order()));
            Assert.Contains("locked", error.Message);
        }

        var after = await repository.AddAsync(TestOrders.Order());

        Assert.Equal(SaveOutcome.Created, after.Outcome);
        Assert.Equal(2, _database.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_throws_unavailable_at_once_when_queue_is_full()
    {
        using var repository = Repository(o => { o.QueueCapacity = 1; o.BusyTimeoutSeconds = 10; });
        await repository.AddAsync(TestOrders.Order());
        using var locker = _database.Open();
        using (var begin = locker.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE";
            begin.ExecuteNonQuery();
        }

        var heldByWriter = repository.AddAsync(TestOrders.Order(size: 1));   // the writer waits on the lock with it
        while (repository.QueueLength > 0) await Task.Delay(10);
        await Task.Delay(200); // let the writer leave its read loop and block on the lock
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
        Assert.Equal(3, _database.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_throws_unavailable_when_queue_is_closed_by_stop()
    {
        using var repository = Repository();
        await repository.StartAsync(default);
        await repository.StopAsync(default);

        var error = await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => repository.AddAsync(TestOrders.Order()));

        Assert.Contains("shutting down", error.Message);
    }

    private List<string> Columns()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM pragma_table_info('Orders')";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    }

    private static decimal Parse(string value) => decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
}
