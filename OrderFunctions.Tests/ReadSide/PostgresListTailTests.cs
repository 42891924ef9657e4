using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using OrderFunctions.Http;
using OrderFunctions.Orders;
using OrderFunctions.Storage.Postgres;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.ReadSide;

/// <summary>
/// A listing is safe to tail with several instances on one PostgreSQL database (issue 22, item 2): ids are drawn when
/// a commit starts and visible when it ends, so commits land out of id order, and a page must never move a reader's
/// cursor past an id whose commit is still in flight (docs/read-api.md, "Tailing").
/// </summary>
[RequiresPostgres]
public sealed class PostgresListTailTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private TestStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await TestStore.PostgresAsync(await PostgresTestServer.SharedAsync());
        await _store.CreateSchemaAsync();
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task List_holds_back_later_orders_until_a_commit_in_flight_with_a_smaller_id_is_visible()
    {
        // Arrange: one order stored; then another session does what a writer does mid-commit (its fence, an id, its row)
        // and holds its transaction open, while the app stores two more orders, which get greater ids and commit first.
        await using var app = StandaloneApplication.ForStore(_store);
        var first = (await app.AddAsync(TestOrders.Order("first")))[0];
        await using var writer = await _store.OpenAsync();
        await using var transaction = await writer.BeginTransactionAsync();
        var held = await DrawIdInFlightAsync(writer, transaction);
        var later = await app.AddAsync(TestOrders.Order("later"), TestOrders.Order("later"));
        Assert.All(later, o => Assert.True(o.Id > held));

        // Act: a tailing reader's page after the first order, and the same from the start.
        var tail = await app.ListAsync($"after={PageCursor.Encode(first.Id)}");
        var fromStart = await app.ListAsync("");

        // Assert: nothing past the id in flight; next keeps the cursor below it, so the reader asks again.
        Assert.Equal(200, tail.Status);
        Assert.Empty(tail.ItemIds);
        Assert.Equal(PageCursor.Encode(held - 1), tail.Next);
        Assert.Equal([first.Id], fromStart.ItemIds);
        Assert.Equal(PageCursor.Encode(held - 1), fromStart.Next);

        // Act: the commit lands; the reader follows next.
        await transaction.CommitAsync();
        var after = await app.ListAsync($"after={tail.Next}");

        // Assert: the order that was in flight comes first, then the later ones, and the listing is settled.
        Assert.Equal(200, after.Status);
        Assert.Equal(new[] { held }.Concat(later.Select(o => o.Id)), after.ItemIds);
        Assert.Null(after.Next);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task List_tailed_with_after_returns_every_order_once_when_two_instances_write_concurrently()
    {
        // Arrange: two instances on one database, one storing arrays, the other single orders from several clients,
        // and a reader tailing the first instance's listing.
        await using var batches = StandaloneApplication.ForStore(_store);
        await using var singles = StandaloneApplication.ForStore(_store);
        _ = batches.Repository;
        _ = singles.Repository;
        using var writing = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var stored = new System.Collections.Concurrent.ConcurrentBag<long>();
        var writers = new List<Task>
        {
            Task.Run(async () =>
            {
                while (!writing.IsCancellationRequested)
                {
                    var orders = Enumerable.Range(0, 250).Select(i => TestOrders.Order($"batch{i % 7}")).ToArray();
                    foreach (var result in await batches.Repository.AddManyAsync(orders)) stored.Add(result.Order.Id);
                }
            }),
        };
        for (var client = 0; client < 8; client++)
        {
            var name = $"single{client}";
            writers.Add(Task.Run(async () =>
            {
                while (!writing.IsCancellationRequested) stored.Add((await singles.Repository.AddAsync(TestOrders.Order(name))).Order.Id);
            }));
        }

        // Act: tail while they write, and until every stored order was seen once the writers are done.
        var seen = new List<long>();
        string? cursor = null;
        var allWritten = Task.WhenAll(writers);
        var clock = Stopwatch.StartNew();
        while (!allWritten.IsCompleted || seen.Count < stored.Count)
        {
            Assert.True(clock.Elapsed < Deadline, $"the tail saw {seen.Count} of {stored.Count} orders within {Deadline}");
            var page = await batches.ListAsync("limit=1000" + (cursor is null ? "" : $"&after={cursor}"));
            Assert.Equal(200, page.Status);
            seen.AddRange(page.ItemIds);
            cursor = page.Next ?? (page.ItemIds.Length > 0 ? PageCursor.Encode(page.ItemIds[^1]) : cursor);
            if (page.Next is null) await Task.Delay(5); // caught up: poll again shortly
        }
        await allWritten;

        // Assert: 0 missed, 0 duplicated.
        Assert.True(stored.Count > 1_000, $"only {stored.Count} orders were written");
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(stored.Order(), seen.Order());
        Assert.Equal(stored.Count, await _store.CountRowsAsync());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Export_names_a_newest_id_below_a_commit_in_flight_so_a_listing_can_tail_on_from_it()
    {
        // Arrange: as above, an id in flight below two committed orders.
        await using var app = StandaloneApplication.ForStore(_store);
        var first = (await app.AddAsync(TestOrders.Order("first")))[0];
        await using var writer = await _store.OpenAsync();
        await using var transaction = await writer.BeginTransactionAsync();
        var held = await DrawIdInFlightAsync(writer, transaction);
        var later = await app.AddAsync(TestOrders.Order("later"), TestOrders.Order("later"));

        // Act
        var export = await app.ExportAsync("format=ndjson");
        await transaction.CommitAsync();
        var newest = long.Parse(export.Headers[ExportFormat.SnapshotHeader], CultureInfo.InvariantCulture);
        var tail = await app.ListAsync($"after={PageCursor.Encode(newest)}");

        // Assert: the export stops below the id in flight; the listing from its newest id returns the rest, once each.
        Assert.Equal(200, export.Status);
        Assert.Equal(first.Id.ToString(CultureInfo.InvariantCulture), export.Headers[ExportFormat.SnapshotHeader]);
        Assert.Equal([first.Id], export.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("id").GetInt64()));
        Assert.Equal(new[] { held }.Concat(later.Select(o => o.Id)), tail.ItemIds);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Writer_refuses_a_sequence_that_caches_ids_per_session_when_it_opens()
    {
        await using (var connection = await _store.OpenAsync())
        await using (var alter = new NpgsqlCommand("ALTER SEQUENCE orders_id_seq CACHE 20", connection))
        {
            await alter.ExecuteNonQueryAsync();
        }
        await using var app = StandaloneApplication.ForStore(_store);

        var answer = await app.PostAsync(TestOrders.Json());

        Assert.Equal(503, answer.Status);
        Assert.Contains("caches 20 values per session", app.Output, StringComparison.Ordinal);
        Assert.Equal(0, await _store.CountRowsAsync());
    }

    // What PostgresOrderWriter does before its rows: the fence (the writer's own expression), then one id.
    private static async Task<long> DrawIdInFlightAsync(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        await using var draw = new NpgsqlCommand(
            $"WITH t AS MATERIALIZED (SELECT {PostgresCommitFence.LockExpression}) SELECT nextval(@sequence::regclass) FROM t",
            connection, transaction);
        draw.Parameters.AddWithValue("sequence", "orders_id_seq");
        var id = (long)(await draw.ExecuteScalarAsync())!;
        var order = TestOrders.Order("in-flight");
        var (timestamp, ticks) = PostgresOrderSchema.Split(order.Timestamp);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO orders (id, timestamp, timestamp_ticks, username, market, side, size, price)"
            + " VALUES (@id, @t, @ticks, @u, @m, @s, @size, @price)",
            connection, transaction);
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("t", timestamp);
        insert.Parameters.AddWithValue("ticks", ticks);
        insert.Parameters.AddWithValue("u", order.Username);
        insert.Parameters.AddWithValue("m", order.Market);
        insert.Parameters.AddWithValue("s", order.Side);
        insert.Parameters.AddWithValue("size", order.Size);
        insert.Parameters.AddWithValue("price", order.Price);
        await insert.ExecuteNonQueryAsync();
        return id;
    }
}
