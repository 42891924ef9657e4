using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Sqlite;
using OrderFunctions.Tests.Client;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Support;


using OrderFunctions.Tests.Ingestion;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
namespace OrderFunctions.Tests.Storage;

/// <summary>
/// A store that cannot write (read-only, locked, full) answers 503 with Retry-After and a clean problem, writes
/// nothing, logs the cause, and serves again by itself once the fault clears.
/// </summary>
public sealed class StorageFaultTests
{
    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_503_then_recovers_when_database_file_is_read_only_until_it_is_not()
    {
        // Arrange: a file with one order, opened the way SQLite opens a file it may not write. Tests run as root in CI,
        // where chmod 0444 stops nothing; Mode=ReadOnly gives the same state (SQLITE_READONLY on every write).
        var path = StandaloneApplication.NewDatabasePath();
        using (var seed = TestStore.Sqlite(path).Open())
        {
            SqliteOrderSchema.EnsureCreated(seed);
            using var insert = seed.CreateCommand();
            insert.CommandText = "INSERT INTO Orders (timestamp, username, market, side, size, price, client_order_id) " +
                "VALUES ('2026-11-27T10:15:30.0000000Z', 'alice', 'BTC-USD', 'buy', 50000000, 100000000, 'before')";
            insert.ExecuteNonQuery();
        }
        await using var api = new StandaloneApplication(
            new Dictionary<string, string?> { ["ConnectionStrings:Orders"] = $"Data Source={path};Mode=ReadOnly" }, databasePath: path);

        // Act
        var refused = await api.PostAsync(TestOrders.Json(clientOrderId: "during"));
        var batchRefused = await api.PostAsync($"[{TestOrders.Json(clientOrderId: "during-1")},{TestOrders.Json(clientOrderId: "during-2")}]");
        var healthDuring = await api.GetHealthAsync();
        api.Services.GetRequiredService<IOptions<SqliteOrderStoreOptions>>().Value.ConnectionString = $"Data Source={path}"; // the fault clears
        var healthAfter = await api.GetHealthAsync();
        var accepted = await api.PostAsync(TestOrders.Json(clientOrderId: "after"));

        // Assert
        AssertUnavailable(refused, "read-only");
        AssertUnavailable(batchRefused, "read-only");
        AssertUnavailable(healthDuring, "read-only");
        Assert.Contains(api.Logs.Entries,
            e => e.StartsWith("Error", StringComparison.Ordinal) && e.Contains("read-only") && e.Contains("SqliteException"));
        Assert.Equal(200, healthAfter.Status);
        Assert.Equal(201, accepted.Status);
        Assert.Equal(["after", "before"], TestStore.Sqlite(path).ClientOrderIdCounts().Keys.Order());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Unavailable_store_logs_one_line_per_failure_with_the_cause_and_no_stack_when_requests_get_503()
    {
        // Arrange: a store every write fails on (read-only), as in the test above.
        var path = StandaloneApplication.NewDatabasePath();
        using (var seed = TestStore.Sqlite(path).Open()) SqliteOrderSchema.EnsureCreated(seed);
        await using var api = new StandaloneApplication(
            new Dictionary<string, string?> { ["ConnectionStrings:Orders"] = $"Data Source={path};Mode=ReadOnly" }, databasePath: path);

        // Act
        var refused = new List<ApiResponse>();
        for (var i = 0; i < 3; i++) refused.Add(await api.PostAsync(TestOrders.Json(clientOrderId: $"during-{i}")));

        // Assert: each 503 leaves lines naming the cause; none at Information or above carries an exception (a stack).
        Assert.All(refused, r => Assert.Equal(503, r.Status));
        var logged = api.Logs.Records.Where(r => r.Level >= LogLevel.Information).ToList();
        Assert.All(logged, r => Assert.Null(r.Exception));
        Assert.Contains(logged, r => r.Level == LogLevel.Error && r.Message.Contains("read-only") && r.Message.Contains("SqliteException"));
        Assert.Equal(3, logged.Count(r =>
            r.Level == LogLevel.Warning && r.Category == typeof(CreateOrder).FullName && r.Message.Contains("read-only")));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_returns_503_then_recovers_when_another_connection_holds_the_lock_past_the_timeout()
    {
        // Arrange
        await using var host = await StandaloneApplication.StartAsync(
            environment: new Dictionary<string, string> { ["OrderStorage__BusyTimeoutSeconds"] = "1" });
        using var client = new HttpClient();
        Assert.Equal(201, (await PostAsync(client, host, "before")).Status);

        // Act
        ApiResponse refused, healthDuring;
        using (var locker = host.Store.Open())
        {
            using var exclusive = locker.CreateCommand();
            exclusive.CommandText = "BEGIN EXCLUSIVE";
            exclusive.ExecuteNonQuery();
            refused = await PostAsync(client, host, "during");
            healthDuring = await ApiResponse.ReadAsync(await client.GetAsync(new Uri(host.BaseAddress, "/API/health")));
            Assert.Equal(1, host.CountRows()); // nothing half-written, read while the lock is still held
            exclusive.CommandText = "ROLLBACK";
            exclusive.ExecuteNonQuery();
        }
        var healthAfter = await ApiResponse.ReadAsync(await client.GetAsync(new Uri(host.BaseAddress, "/API/health")));
        var accepted = await PostAsync(client, host, "after");

        // Assert
        AssertUnavailable(refused, "locked");
        AssertUnavailable(healthDuring, "locked");
        Assert.Contains("the database is locked by another writer", host.Output);
        Assert.Equal(200, healthAfter.Status);
        Assert.Equal(201, accepted.Status);
        Assert.Equal(["after", "before"], host.Store.ClientOrderIdCounts().Keys.Order());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_503_then_recovers_when_database_is_full_until_it_has_room()
    {
        // Arrange: the file capped a few pages above its empty size (PRAGMA max_page_count on the writer: SQLITE_FULL).
        await using var api = new StandaloneApplication(new Dictionary<string, string?> { ["OrderStorage:MaxPageCount"] = "8" });

        // Act: fill it.
        ApiResponse? refused = null;
        var created = 0;
        for (var i = 0; i < 5000 && refused is null; i++)
        {
            var response = await api.PostAsync(TestOrders.Json(clientOrderId: $"fill-{i}", username: new string('u', 60)));
            if (response.Status == 201) created++;
            else refused = response;
        }
        // Rows as large as the refused one: smaller ones might still fit the last page's free bytes.
        var big = new string('u', 60);
        var batchRefused = await api.PostAsync(
            $"[{TestOrders.Json(clientOrderId: "batch-1", username: big)},{TestOrders.Json(clientOrderId: "batch-2", username: big)}]");
        api.Services.GetRequiredService<IOptions<SqliteOrderStoreOptions>>().Value.MaxPageCount = 0; // room again
        var accepted = await api.PostAsync(TestOrders.Json(clientOrderId: "after"));

        // Assert
        Assert.NotNull(refused);
        AssertUnavailable(refused, "disk is full");
        AssertUnavailable(batchRefused, "disk is full");
        Assert.Contains(api.Logs.Entries, e => e.Contains("the disk is full") && e.Contains("SqliteException"));
        Assert.Equal(201, accepted.Status);
        Assert.Equal(created + 1, api.CountRows());
        Assert.Equal("ok", api.Store.Scalar<string>("PRAGMA integrity_check"));
    }

    internal static void AssertUnavailable(ApiResponse response, string cause)
    {
        Assert.Equal(503, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal("1", response.Header("Retry-After"));
        var detail = response.Json.GetProperty("detail").GetString()!;
        Assert.Contains(cause, detail);
        Assert.DoesNotContain("SQLite", response.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("INSERT", response.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" at ", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(".db", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("stack", response.Body, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<ApiResponse> PostAsync(HttpClient client, StandaloneApplication host, string clientOrderId)
    {
        using var response = await client.PostAsync(host.OrdersUrl,
            new StringContent(TestOrders.Json(clientOrderId: clientOrderId), Encoding.UTF8, "application/json"));
        return await ApiResponse.ReadAsync(response);
    }
}
