using System.Text;
using Npgsql;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.Storage.Postgres;

/// <summary>
/// What the PostgreSQL store's commits run with, read inside the writer's own transactions (issue 24, item 1): a
/// statement trigger on <c>orders</c> records the settings in force in the session and transaction that inserts, so a
/// weakening anywhere (connection string options, a SET on the writer's connection, a SET LOCAL in its transaction, a
/// role or database default) shows. The SQLite counterpart is <c>SqliteOrderWriterTests</c>.
/// </summary>
[RequiresPostgres]
public sealed class PostgresDurabilityTests : IAsyncLifetime
{
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.PostgresAsync(await PostgresTestServer.SharedAsync());

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Writer_commits_with_synchronous_commit_on_to_a_logged_table_when_the_app_stores_orders()
    {
        // Arrange: the app's own schema, and the trigger that reports every insert statement's settings.
        await _store.CreateSchemaAsync();
        await using (var connection = await _store.OpenAsync())
        {
            await using var trigger = new NpgsqlCommand("""
                CREATE TABLE commit_settings (synchronous_commit text, fsync text, full_page_writes text, via text);
                CREATE FUNCTION record_commit_settings() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO commit_settings VALUES (current_setting('synchronous_commit'), current_setting('fsync'),
                        current_setting('full_page_writes'), current_query());
                    RETURN NULL;
                END $$;
                CREATE TRIGGER record_commit_settings AFTER INSERT ON orders
                    FOR EACH STATEMENT EXECUTE FUNCTION record_commit_settings();
                """, connection);
            await trigger.ExecuteNonQueryAsync();
        }
        await using var app = new StandaloneApplication(_store.Settings);
        using var client = app.CreateClient();

        // Act: each way the writer inserts: COPY (no client order id), INSERT ... unnest (with one), a batch of both.
        var statuses = new List<int>
        {
            await PostAsync(client, TestOrders.Json()),
            await PostAsync(client, TestOrders.Json(clientOrderId: "keyed")),
            await PostAsync(client, $"[{TestOrders.Json()},{TestOrders.Json(clientOrderId: "keyed-in-batch")}]"),
        };
        var seen = await SettingsSeenAsync();

        // Assert
        Assert.Equal([201, 201, 201], statuses);
        Assert.Contains(seen, s => s.Via.StartsWith("COPY", StringComparison.Ordinal));
        Assert.Contains(seen, s => s.Via.Contains("unnest", StringComparison.Ordinal));
        Assert.All(seen, s => Assert.Equal("on", s.SynchronousCommit));
        Assert.Equal("p", await _store.ScalarAsync<string>("SELECT relpersistence::text FROM pg_class WHERE oid = 'orders'::regclass"));
        if (_store.Server.IsOwned)
        {
            // Server settings no session can change; on the cluster the tests start, they are PostgreSQL's defaults.
            Assert.All(seen, s => Assert.Equal(("on", "on"), (s.Fsync, s.FullPageWrites)));
        }
    }

    private async Task<List<(string SynchronousCommit, string Fsync, string FullPageWrites, string Via)>> SettingsSeenAsync()
    {
        await using var connection = await _store.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT synchronous_commit, fsync, full_page_writes, via FROM commit_settings", connection);
        await using var row = await command.ExecuteReaderAsync();
        var seen = new List<(string, string, string, string)>();
        while (await row.ReadAsync()) seen.Add((row.GetString(0), row.GetString(1), row.GetString(2), row.GetString(3).TrimStart()));
        return seen;
    }

    private static async Task<int> PostAsync(HttpClient client, string body)
    {
        using var response = await client.PostAsync("/API/orders", new StringContent(body, Encoding.UTF8, "application/json"));
        return (int)response.StatusCode;
    }
}
