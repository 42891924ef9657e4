using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;

using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
namespace OrderFunctions.Tests.Storage;

/// <summary>
/// What every engine's repository must do, written once: each engine's subclass runs these tests on a real store
/// (a SQLite file; a PostgreSQL schema), with the services <c>AddOrderServices</c> registers for that engine.
/// </summary>
public abstract class OrderRepositoryContract(StoreEngine engine) : IAsyncLifetime
{
    private readonly List<StandaloneApplication> _apps = [];

    protected TestStore Store { get; private set; } = null!;

    public async Task InitializeAsync() => Store = await TestStore.CreateAsync(engine);

    public async Task DisposeAsync()
    {
        foreach (var app in _apps) await app.DisposeAsync();
        await Store.DisposeAsync();
    }

    /// <summary>The write queue and engine as the host composes them, with extra <c>OrderStorage</c> settings.</summary>
    protected OrderWriteQueue Repository(params (string Key, string Value)[] settings) =>
        Services(settings).GetRequiredService<OrderWriteQueue>();

    /// <summary>The services of a new app on <see cref="Store"/>, with extra settings; the app goes on dispose.</summary>
    protected IServiceProvider Services(params (string Key, string Value)[] settings)
    {
        var app = StandaloneApplication.ForStore(Store, settings.ToDictionary(s => s.Key, s => (string?)s.Value));
        _apps.Add(app);
        return app.Services;
    }

    [StoreTheory(Timeout = TestTimeouts.Server)]
    [InlineData("0.1", "43000.12345678")]
    [InlineData("0.00000001", "9999999999.99999999")]
    [InlineData("123456789.12345678", "0.3")]
    public async Task AddAsync_round_trips_size_and_price_exactly(string size, string price)
    {
        var services = Services();
        var order = TestOrders.Order(size: Parse(size), price: Parse(price));

        var result = await services.GetRequiredService<IOrderRepository>().AddAsync(order);
        var stored = await services.GetRequiredService<IOrderQueries>().FindAsync(result.Order.Id);

        Assert.Equal(SaveOutcome.Created, result.Outcome);
        Assert.NotNull(stored);
        Assert.Equal(size, stored.Size.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(price, stored.Price.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(order.Timestamp, stored.Timestamp);
    }

    [StoreTheory(Timeout = TestTimeouts.Server)]
    [InlineData("2026-11-27T10:15:30.1234567Z")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59.9999999Z")]
    [InlineData("1969-12-31T23:59:59.9999999Z")]
    public async Task AddAsync_round_trips_timestamp_to_the_100_nanoseconds(string timestamp)
    {
        var services = Services();
        Assert.True(OrderValidator.TryParseTimestamp(timestamp, out var utc));
        var order = TestOrders.Order() with { Timestamp = utc, ClientOrderId = "t-1" };

        var result = await services.GetRequiredService<IOrderRepository>().AddAsync(order);
        var again = await services.GetRequiredService<IOrderRepository>().AddAsync(order);
        var stored = await services.GetRequiredService<IOrderQueries>().FindAsync(result.Order.Id);

        Assert.Equal(utc, stored!.Timestamp);
        Assert.Equal(DateTimeKind.Utc, stored.Timestamp.Kind);
        Assert.Equal(SaveOutcome.Replayed, again.Outcome);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_lands_every_order_when_called_concurrently()
    {
        var repository = Repository();

        var results = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i =>
            Task.Run(() => repository.AddAsync(TestOrders.Order(username: $"user{i % 37}", size: i + 1)))));

        Assert.Equal(2000, await Store.CountRowsAsync());
        Assert.Equal(2000, results.Select(r => r.Order.Id).Distinct().Count());
        Assert.All(results, r => Assert.Equal(SaveOutcome.Created, r.Outcome));
        Assert.Equal(Enumerable.Range(1, 2000).Select(i => (decimal)i).Order(), results.Select(r => r.Order.Size).Order());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task AddManyAsync_returns_ids_in_input_order()
    {
        var repository = Repository();
        var orders = Enumerable.Range(1, 50).Select(i => TestOrders.Order(size: i)).ToList();

        var results = await repository.AddManyAsync(orders);

        Assert.Equal(orders.Select(o => o.Size), results.Select(r => r.Order.Size));
        Assert.Equal(results.Select(r => r.Order.Id).Order(), results.Select(r => r.Order.Id));
        Assert.Equal(50, await Store.CountRowsAsync());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_replays_and_writes_nothing_when_client_order_id_repeats_with_same_content()
    {
        var repository = Repository();
        var first = await repository.AddAsync(TestOrders.Order(clientOrderId: "c-1"));

        var again = await repository.AddAsync(TestOrders.Order(clientOrderId: "c-1"));
        var otherUser = await repository.AddAsync(TestOrders.Order(username: "bob", clientOrderId: "c-1"));

        Assert.Equal(SaveOutcome.Replayed, again.Outcome);
        Assert.Equal(first.Order.Id, again.Order.Id);
        Assert.Equal(SaveOutcome.Created, otherUser.Outcome);
        Assert.Equal(2, await Store.CountRowsAsync());
    }

    // The conflict look-up must match the username too: alice's row under the same id is not bob's order.
    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_replays_each_users_own_order_when_two_users_share_a_client_order_id()
    {
        var repository = Repository();
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
        Assert.Equal(2, await Store.CountRowsAsync());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_reports_conflict_when_client_order_id_repeats_with_other_content()
    {
        var repository = Repository();
        var first = await repository.AddAsync(TestOrders.Order(clientOrderId: "c-1"));

        var other = await repository.AddAsync(TestOrders.Order(clientOrderId: "c-1", size: 5));

        Assert.Equal(SaveOutcome.Conflict, other.Outcome);
        Assert.Equal(first.Order, other.Order);
        Assert.Equal(1, await Store.CountRowsAsync());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_stores_one_row_per_client_order_id_when_the_same_id_races_in_one_commit()
    {
        var repository = Repository();

        // Queued together, so the writer takes them in one transaction: the first is created, the rest compare to it.
        var results = await Task.WhenAll(
            repository.AddAsync(TestOrders.Order(clientOrderId: "same")),
            repository.AddAsync(TestOrders.Order(clientOrderId: "same")),
            repository.AddAsync(TestOrders.Order(clientOrderId: "same", size: 7)));

        Assert.Single(results, r => r.Outcome == SaveOutcome.Created);
        var created = results.Single(r => r.Outcome == SaveOutcome.Created).Order;
        Assert.All(results, r => Assert.Equal(created.Id, r.Order.Id));
        Assert.Equal(1, await Store.CountRowsAsync());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task AddManyAsync_writes_nothing_of_the_batch_when_one_element_conflicts()
    {
        var repository = Repository();
        await repository.AddAsync(TestOrders.Order(clientOrderId: "taken"));

        var results = await repository.AddManyAsync([
            TestOrders.Order(clientOrderId: "new-1"),
            TestOrders.Order(clientOrderId: "taken", size: 9),
            TestOrders.Order(clientOrderId: "new-2"),
        ]);

        Assert.Equal([SaveOutcome.Created, SaveOutcome.Conflict, SaveOutcome.Created], results.Select(r => r.Outcome));
        Assert.Equal(1, await Store.CountRowsAsync());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task AddManyAsync_writes_nothing_of_the_batch_when_two_elements_conflict()
    {
        // Two conflicts in one request: a flag that toggled per conflict instead of staying set would let it land.
        var repository = Repository();
        await repository.AddManyAsync([TestOrders.Order(clientOrderId: "taken-1"), TestOrders.Order(clientOrderId: "taken-2")]);

        var results = await repository.AddManyAsync([
            TestOrders.Order(clientOrderId: "taken-1", size: 9),
            TestOrders.Order(clientOrderId: "new-1"),
            TestOrders.Order(clientOrderId: "taken-2", size: 9),
        ]);

        Assert.Equal([SaveOutcome.Conflict, SaveOutcome.Created, SaveOutcome.Conflict], results.Select(r => r.Outcome));
        Assert.Equal(2, await Store.CountRowsAsync());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task AddManyAsync_stores_no_audit_trail_for_an_order_that_has_none_after_one_that_has()
    {
        var services = Services();
        var repository = services.GetRequiredService<IOrderRepository>();
        var receivedAt = new DateTime(2026, 12, 7, 16, 0, 0, DateTimeKind.Utc);

        var stored = await repository.AddManyAsync([
            TestOrders.Order() with { ReceivedAt = receivedAt, StoredBy = "desk1" },
            TestOrders.Order(size: 2),
        ]);
        var second = await services.GetRequiredService<IOrderQueries>().FindAsync(stored[1].Order.Id);

        Assert.NotNull(second);
        Assert.Equal((null, null), (second.ReceivedAt, second.StoredBy)); // nothing carried over from the row before
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task AddManyAsync_lands_the_other_requests_of_a_commit_when_one_batch_conflicts()
    {
        var repository = Repository();
        await repository.AddAsync(TestOrders.Order(clientOrderId: "taken"));

        // Queued together: one commit holding a conflicting batch, a good batch and a single order.
        var bad = repository.AddManyAsync([TestOrders.Order(clientOrderId: "bad-1"), TestOrders.Order(clientOrderId: "taken", size: 9)]);
        var good = repository.AddManyAsync([TestOrders.Order(clientOrderId: "good-1"), TestOrders.Order()]);
        var single = repository.AddAsync(TestOrders.Order(clientOrderId: "bad-1"));

        Assert.Equal([SaveOutcome.Created, SaveOutcome.Conflict], (await bad).Select(r => r.Outcome));
        Assert.Equal([SaveOutcome.Created, SaveOutcome.Created], (await good).Select(r => r.Outcome));
        Assert.Equal(SaveOutcome.Created, (await single).Outcome);
        Assert.Equal(4, await Store.CountRowsAsync());
        Assert.Equal(1, (await Store.ClientOrderIdCountsAsync())["bad-1"]);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_throws_unavailable_when_queue_is_closed_by_stop()
    {
        var repository = Repository();
        await repository.StartAsync(default);
        await repository.StopAsync(default);

        var error = await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => repository.AddAsync(TestOrders.Order()));

        Assert.Contains("shutting down", error.Message);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_round_trips_the_audit_trail_and_lists_by_storedBy()
    {
        // Arrange: received at whole microseconds (what the server's clock gives), by two callers and with the API open.
        var services = Services();
        var repository = services.GetRequiredService<IOrderRepository>();
        var receivedAt = new DateTime(2026, 12, 6, 19, 56, 52, DateTimeKind.Utc).AddTicks(1234560);
        var byDesk1 = TestOrders.Order() with { ReceivedAt = receivedAt, StoredBy = "desk1" };
        var byDesk2 = TestOrders.Order(clientOrderId: "a-1") with { ReceivedAt = receivedAt.AddTicks(10), StoredBy = "desk2" };
        var open = TestOrders.Order() with { ReceivedAt = receivedAt.AddTicks(20) };

        // Act
        var stored = new List<SaveResult> { await repository.AddAsync(byDesk1) };
        stored.AddRange(await repository.AddManyAsync([byDesk2, open]));
        var queries = services.GetRequiredService<IOrderQueries>();
        var found = await queries.FindAsync(stored[0].Order.Id);
        var byDesk2Only = await queries.ListAsync(new OrderFilter(StoredBy: "desk2"), 0, 10);
        var all = await queries.ListAsync(new OrderFilter(), 0, 10);

        // Assert
        Assert.Equal(StoredOrder.From(stored[0].Order.Id, byDesk1), found);
        Assert.Equal([StoredOrder.From(stored[1].Order.Id, byDesk2)], byDesk2Only);
        Assert.Equal(stored.Select(s => s.Order), all);
        Assert.Equal((receivedAt.AddTicks(20), null), (all[2].ReceivedAt, all[2].StoredBy));
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_answers_each_request_of_one_commit_with_its_own_orders_when_a_request_of_many_comes_first()
    {
        // Arrange: the writer held in a first commit, while a request of two orders and then one of one queue behind it.
        var services = Services();
        var repository = services.GetRequiredService<IOrderRepository>();
        using var hold = new WriterHold();
        var held = repository.AddAsync(TestOrders.Order(username: "held"));
        await hold.Held.WaitAsync(TimeSpan.FromSeconds(60));
        var many = repository.AddManyAsync([TestOrders.Order(username: "many-1"), TestOrders.Order(username: "many-2")]);
        await WriterHold.WaitForQueuedAsync(services, 1);
        var single = repository.AddAsync(TestOrders.Order(username: "single"));
        await WriterHold.WaitForQueuedAsync(services, 2);

        // Act: both go in the next commit, the request of many first.
        hold.Release();
        var answers = (await many).Append(await single).Prepend(await held).ToArray();
        var listed = await services.GetRequiredService<IOrderQueries>().ListAsync(new OrderFilter(), 0, 10);

        // Assert
        Assert.Equal(["held", "many-1", "many-2", "single"], answers.Select(a => a.Order.Username));
        Assert.All(answers, a => Assert.Equal(SaveOutcome.Created, a.Outcome));
        Assert.Equal(answers.Select(a => a.Order), listed);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task IsStoredAsync_is_true_only_for_a_stored_username_and_clientOrderId_pair()
    {
        var services = Services();
        var queries = services.GetRequiredService<IOrderQueries>();
        var before = await queries.IsStoredAsync("alice", "k-1");

        await services.GetRequiredService<IOrderRepository>().AddManyAsync(
            [TestOrders.Order(clientOrderId: "k-1"), TestOrders.Order(username: "Zoë/bob", clientOrderId: "k/2"), TestOrders.Order()]);

        Assert.False(before);
        Assert.True(await queries.IsStoredAsync("alice", "k-1"));
        Assert.True(await queries.IsStoredAsync("Zoë/bob", "k/2"));
        Assert.False(await queries.IsStoredAsync("Zoë/bob", "k-1")); // another user's clientOrderId
        Assert.False(await queries.IsStoredAsync("alice", "k/2"));
        Assert.False(await queries.IsStoredAsync("alice", "K-1")); // case matters, as in the unique index
        Assert.False(await queries.IsStoredAsync("ALICE", "k-1"));
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_replays_the_first_audit_trail_when_another_caller_retries()
    {
        var repository = Repository();
        var first = TestOrders.Order(clientOrderId: "r-1") with
        {
            ReceivedAt = new DateTime(2026, 12, 6, 0, 0, 0, DateTimeKind.Utc),
            StoredBy = "desk1"
        };

        var created = await repository.AddAsync(first);
        var replayed = await repository.AddAsync(first with { ReceivedAt = first.ReceivedAt!.Value.AddSeconds(1), StoredBy = "desk1-backup" });

        Assert.Equal(SaveOutcome.Replayed, replayed.Outcome);
        Assert.Equal(created.Order, replayed.Order);
    }

    private static decimal Parse(string value) => decimal.Parse(value, CultureInfo.InvariantCulture);
}
