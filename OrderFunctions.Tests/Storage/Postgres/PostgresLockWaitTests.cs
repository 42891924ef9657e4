using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrderFunctions.Storage;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;
using Xunit.Abstractions;

namespace OrderFunctions.Tests.Storage.Postgres;

/// <summary>
/// Lock waits on PostgreSQL are bounded (issue 22, item 4): a table locked by another session makes a write answer 503
/// with Retry-After once <c>BusyTimeoutSeconds</c> has passed (the writer's <c>lock_timeout</c>), and a client order
/// id that another session is inserting, uncommitted, holds up only the request that carries it: the other requests
/// of its commit are stored while the key is still held.
/// </summary>
[RequiresPostgres]
public sealed class PostgresLockWaitTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await TestStore.PostgresAsync(await PostgresTestServer.SharedAsync());
        await _store.CreateSchemaAsync();
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_503_table_locked_with_retry_after_when_another_session_locks_the_table()
    {
        // Arrange: the app connected, then another session takes the table's strongest lock and keeps it.
        await using var app = App();
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(client, TestOrders.Json())).Status);
        await using var locker = await _store.OpenAsync();
        await using var transaction = await locker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE", locker, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        // Act
        var waited = Stopwatch.StartNew();
        var answer = await PostAsync(client, TestOrders.Json(clientOrderId: "while-locked"));
        waited.Stop();
        await transaction.RollbackAsync();
        output.WriteLine($"table locked, BusyTimeoutSeconds 2: answer {(int)answer.Status} after {waited.Elapsed.TotalSeconds:F2} s");

        // Assert: the writer gave up on the lock (its lock_timeout), not on the driver's 30 s command timeout.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status);
        Assert.NotNull(answer.RetryAfter);
        Assert.Equal("The order was not stored: the orders table is locked by another session. Nothing was written; retry later.",
            answer.Problem.GetProperty("detail").GetString());
        Assert.Equal(1, await _store.CountRowsAsync());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Post_stores_the_other_requests_of_a_commit_while_another_session_holds_one_key_uncommitted()
    {
        // Arrange: another session has inserted alice's "held" and not committed; the writer is held in a commit while
        // the request for "held" and eight others queue behind it, so they share the next commit.
        await using var app = App();
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(client, TestOrders.Json())).Status);
        await using var holder = await _store.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO orders (timestamp, username, market, side, size, price, client_order_id)
            VALUES ('2026-11-27T10:15:30.123Z', 'alice', 'BTC-USD', 'buy', 0.1, 43000.12345678, 'held')
            """, holder, transaction))
        {
            await insert.ExecuteNonQueryAsync();
        }
        var repository = app.Services.GetRequiredService<IOrderRepository>();
        using var hold = new WriterHold();
        var first = repository.AddAsync(TestOrders.Order(clientOrderId: "first"));
        await hold.Held.WaitAsync(TimeSpan.FromSeconds(60));
        var held = repository.AddAsync(TestOrders.Order(clientOrderId: "held"));
        var others = Enumerable.Range(0, 8).Select(i => repository.AddAsync(TestOrders.Order(clientOrderId: $"other-{i}"))).ToArray();
        await WriterHold.WaitForQueuedAsync(app.Services, 9);

        // Act: the writer goes on while the key stays held.
        var released = Stopwatch.StartNew();
        hold.Release();
        var othersAnswered = await Task.WhenAll(others);
        var bystanders = released.Elapsed;
        var heldRefused = await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => held);
        output.WriteLine($"one key held by another session: the 8 bystanders answered {bystanders.TotalMilliseconds:F0} ms after the writer " +
            $"went on, the held key's request refused after {released.Elapsed.TotalMilliseconds:F0} ms");
        await transaction.CommitAsync();
        var resend = await PostAsync(client, TestOrders.Json(clientOrderId: "held"));

        // Assert: the eight stored, the held key's request set aside (503, nothing written), its resend a replay.
        Assert.Equal(SaveOutcome.Created, (await first).Outcome);
        Assert.All(othersAnswered, answer => Assert.Equal(SaveOutcome.Created, answer.Outcome));
        Assert.False(heldRefused.OutcomeUnknown);
        Assert.Equal(HttpStatusCode.OK, resend.Status);
        Assert.Equal(1 + 1 + 8 + 1, await _store.CountRowsAsync());
    }

    private StandaloneApplication App()
    {
        var settings = _store.Settings;
        settings["OrderStorage:BusyTimeoutSeconds"] = "2";
        return new StandaloneApplication(settings);
    }

    private static async Task<(HttpStatusCode Status, TimeSpan? RetryAfter, JsonElement Problem)> PostAsync(HttpClient client, string body)
    {
        using var response = await client.PostAsync("/API/orders", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        var problem = response.StatusCode == HttpStatusCode.ServiceUnavailable ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return (response.StatusCode, response.Headers.RetryAfter?.Delta, problem);
    }
}
