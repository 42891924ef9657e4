using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.Storage.Postgres;

/// <summary>
/// The PostgreSQL store refuses to serve once its <c>orders</c> table was dropped, or dropped and created again, under
/// it (issue 22, item 7), as the SQLite store refuses a replaced file: writes and reads answer 503, health says why,
/// and no id is handed out a second time (a table created anew starts its sequence at 1).
/// </summary>
[RequiresPostgres]
public sealed class PostgresTableReplacedTests : IAsyncLifetime
{
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.PostgresAsync(await PostgresTestServer.SharedAsync());

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [StoreTheory(Timeout = TestTimeouts.Server)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Store_refuses_writes_and_reads_and_health_says_why_when_the_table_is_dropped(bool createdAgain)
    {
        // Arrange: an order stored (id 1), then the table dropped under the running app, and perhaps created again.
        await using var app = new StandaloneApplication(_store.Settings);
        using var client = app.CreateClient();
        var stored = await PostAsync(client, TestOrders.Json(clientOrderId: "before"));
        await using (var connection = await _store.OpenAsync())
        // Created again: as by a fresh migration (its record of versions goes with the table).
        await using (var drop = new NpgsqlCommand(createdAgain ? "DROP TABLE orders, orders_schema_versions" : "DROP TABLE orders", connection))
        {
            await drop.ExecuteNonQueryAsync();
        }
        if (createdAgain) await _store.CreateSchemaAsync();

        // Act: two writes (the second after the writer has reconnected), a read, and health.
        var writes = new[] { await PostAsync(client, TestOrders.Json()), await PostAsync(client, TestOrders.Json()) };
        using var read = await client.GetAsync("/API/orders/1");
        using var health = await client.GetAsync("/API/health");
        var healthProblem = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement;

        // Assert
        Assert.Equal(HttpStatusCode.Created, stored.Status);
        Assert.All(writes, write => Assert.Equal(HttpStatusCode.ServiceUnavailable, write.Status));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var expected = createdAgain
            ? "the orders table was replaced after the service started (ids would start again); " +
                "it takes and serves no orders until an operator restores it"
            : "the orders table was dropped after the service started; it takes and serves no orders until an operator restores it";
        Assert.Equal($"The order store cannot take orders now: {expected}.", healthProblem.GetProperty("detail").GetString());
        Assert.All(writes, write => Assert.Contains(expected, write.Body.GetProperty("detail").GetString()));
        if (createdAgain) Assert.Equal(0, await _store.CountRowsAsync());
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient client, string body)
    {
        using var response = await client.PostAsync("/API/orders", new StringContent(body, Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}
