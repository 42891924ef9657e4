using System.Net;
using System.Text;
using Npgsql;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.Storage.Postgres;

/// <summary>
/// The service runs with a role that may only read and insert (issue 22, item 3): the schema is migrated beforehand by
/// another role (here the server's superuser, as docs/postgres.md's migrating role), and the service role, granted
/// SELECT and INSERT on <c>orders</c>, SELECT on the record of versions and USAGE on the id sequence, stores orders
/// (each way the writer inserts), reads them, and is healthy.
/// </summary>
[RequiresPostgres]
public sealed class PostgresServiceRoleTests : IAsyncLifetime
{
    private readonly string _role = $"orders_service_{Guid.NewGuid():N}";
    private TestStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await TestStore.PostgresAsync(await PostgresTestServer.SharedAsync());
        await _store.CreateSchemaAsync();
        var schema = new NpgsqlConnectionStringBuilder(_store.ConnectionString).SearchPath;
        await ExecuteAsync($"""
            CREATE ROLE "{_role}" LOGIN PASSWORD 'service';
            GRANT USAGE ON SCHEMA "{schema}" TO "{_role}";
            GRANT SELECT, INSERT ON orders TO "{_role}";
            GRANT SELECT ON orders_schema_versions TO "{_role}";
            GRANT USAGE ON SEQUENCE orders_id_seq TO "{_role}";
            """);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await ExecuteAsync($"DROP OWNED BY \"{_role}\"; DROP ROLE \"{_role}\"");
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Service_stores_reads_and_is_healthy_when_its_role_may_only_select_and_insert()
    {
        // Arrange
        var settings = _store.Settings;
        settings["ConnectionStrings:Orders"] = new NpgsqlConnectionStringBuilder(_store.ConnectionString)
        {
            Username = _role,
            Password = "service",
        }.ToString();
        await using var app = new StandaloneApplication(settings);
        using var client = app.CreateClient();

        // Act: COPY (no client order id), INSERT ... unnest (with one), a batch of both, a replay; then reads and health.
        var posts = new[]
        {
            await PostAsync(client, TestOrders.Json()),
            await PostAsync(client, TestOrders.Json(clientOrderId: "keyed")),
            await PostAsync(client, $"[{TestOrders.Json()},{TestOrders.Json(clientOrderId: "keyed-in-batch")}]"),
            await PostAsync(client, TestOrders.Json(clientOrderId: "keyed")),
        };
        using var read = await client.GetAsync("/API/orders/1");
        using var list = await client.GetAsync("/API/orders");
        using var health = await client.GetAsync("/API/health");

        // Assert
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.OK], posts);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(4, await _store.CountRowsAsync());
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await _store.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, string body)
    {
        using var response = await client.PostAsync("/API/orders", new StringContent(body, Encoding.UTF8, "application/json"));
        return response.StatusCode;
    }
}
