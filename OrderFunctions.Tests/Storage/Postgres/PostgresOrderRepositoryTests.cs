using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Postgres;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;

using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Sqlite;
namespace OrderFunctions.Tests.Storage.Postgres;

/// <summary>The repository contract on PostgreSQL, and what only the PostgreSQL engine does (its column types, its schema race).</summary>
[RequiresPostgres]
public sealed class PostgresOrderRepositoryTests() : OrderRepositoryContract(StoreEngine.Postgres)
{
    private TestStore Postgres => Store;

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task StartAsync_creates_numeric_timestamptz_and_identity_columns()
    {
        var repository = Repository();
        await repository.StartAsync(default);
        await repository.AddAsync(TestOrders.Order());

        // Catalog queries are scoped to this test's table before any catalog function runs: pg_indexes computes
        // pg_get_indexdef for every index in the database, and an index of another test's schema, dropped meanwhile,
        // failed this test with "could not open relation with OID" (CI, 2026-12-08).
        Assert.Equal("numeric(18,8) numeric(18,8) timestamp with time zone",
            await Postgres.ScalarAsync<string>("""
                SELECT string_agg(format_type(atttypid, atttypmod), ' ' ORDER BY attname)
                FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname IN ('price', 'size', 'timestamp')
                """));
        Assert.Equal("d", await Postgres.ScalarAsync<string>(
            "SELECT attidentity::text FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'id'"));
        Assert.Equal(1L, await Postgres.ScalarAsync<long>(
            "WITH mine AS MATERIALIZED (SELECT indexrelid FROM pg_index WHERE indrelid = 'orders'::regclass) " +
            "SELECT COUNT(*) FROM mine WHERE pg_get_indexdef(indexrelid) LIKE 'CREATE UNIQUE INDEX%(username, client_order_id)%'"));
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task AddManyAsync_stores_orders_without_a_client_order_id_through_unnest_when_configured()
    {
        var services = Services(("OrderStorage:PostgresBulkInsert", nameof(PostgresBulkInsert.Unnest)));
        Assert.Equal(PostgresBulkInsert.Unnest, services.GetRequiredService<IOptions<PostgresOrderStoreOptions>>().Value.BulkInsert);

        var saved = await services.GetRequiredService<IOrderRepository>().AddManyAsync(
            [TestOrders.Order(), TestOrders.Order(username: "bob"), TestOrders.Order(clientOrderId: "keyed")]);
        var listed = await services.GetRequiredService<IOrderQueries>().ListAsync(new OrderFilter(), 0, 10);

        Assert.All(saved, s => Assert.Equal(SaveOutcome.Created, s.Outcome));
        Assert.Equal(saved.Select(s => s.Order), listed);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Writer_refuses_an_id_sequence_that_caches_values_saying_how_to_restore_it()
    {
        // Arrange: ids drawn in blocks per session would not grow in the order they are drawn.
        await Postgres.CreateSchemaAsync();
        var sequence = await Postgres.ScalarAsync<string>(PostgresOrderSchema.SequenceSql);
        await using (var connection = await Postgres.OpenAsync())
        await using (var alter = new Npgsql.NpgsqlCommand($"ALTER SEQUENCE {sequence} CACHE 20", connection))
        {
            await alter.ExecuteNonQueryAsync();
        }

        // Act
        var refused = await Record.ExceptionAsync(async () => await Repository().AddAsync(TestOrders.Order()));

        // Assert
        Assert.NotNull(refused);
        Assert.Contains($"the id sequence {sequence} caches 20 values per session: ids would not grow in the order they are drawn " +
            $"and listings could skip orders; an operator restores it with ALTER SEQUENCE {sequence} CACHE 1", refused.ToString());
        Assert.Equal(0L, await Postgres.CountRowsAsync());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task StartAsync_creates_the_username_index_only_when_configured()
    {
        var indexes = "SELECT COUNT(*) FROM pg_class WHERE relkind = 'i' AND relname = 'ix_orders_username_id' " +
            "AND relnamespace = current_schema()::regnamespace";
        await Services().GetRequiredService<IOrderRepository>().AddAsync(TestOrders.Order());
        var without = await Postgres.ScalarAsync<long>(indexes);

        await Services(("OrderStorage:IndexUsername", "true")).GetRequiredService<IOrderRepository>().AddAsync(TestOrders.Order());

        Assert.Equal((0L, 1L), (without, await Postgres.ScalarAsync<long>(indexes)));
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task IsStoredAsync_can_answer_from_the_unique_index_alone()
    {
        await Repository().StartAsync(default);
        await using var connection = await Postgres.OpenAsync();
        // The test table is small, so the planner would rightly scan it; with scans priced out it shows the index serves.
        await using (var noScan = new Npgsql.NpgsqlCommand("SET enable_seqscan = off", connection)) await noScan.ExecuteNonQueryAsync();
        await using var explain = new Npgsql.NpgsqlCommand("EXPLAIN (COSTS OFF) " + PostgresOrderQueries.IsStoredSql, connection);
        explain.Parameters.AddWithValue("username", "alice");
        explain.Parameters.AddWithValue("clientOrderId", "k-1");

        var plan = new List<string>();
        await using (var row = await explain.ExecuteReaderAsync())
        {
            while (await row.ReadAsync()) plan.Add(row.GetString(0).Trim());
        }

        Assert.Contains(plan, line => line.Contains("Scan using ix_orders_username_client_order_id on orders", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("Seq Scan", StringComparison.Ordinal));
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task EnsureCreated_creates_the_schema_once_when_many_instances_start_at_once()
    {
        // Eight sessions creating the schema at the same moment, as eight instances starting together would.
        var connections = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Postgres.OpenAsync()));
        using var start = new Barrier(connections.Length);

        await Task.WhenAll(connections.Select(connection => Task.Run(() =>
        {
            start.SignalAndWait();
            PostgresOrderSchema.EnsureCreated(connection, indexUsername: false);
        })));

        foreach (var connection in connections) await connection.DisposeAsync();
        Assert.Equal(0L, await Store.CountRowsAsync());
        Assert.Equal(3L, await Postgres.ScalarAsync<long>(
            "SELECT COUNT(*) FROM pg_index WHERE indrelid = 'orders'::regclass"));
    }
}
