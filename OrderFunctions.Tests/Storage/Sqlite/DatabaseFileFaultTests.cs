using OrderFunctions.Storage.Sqlite;
using OrderFunctions.Tests.Support;

using OrderFunctions.Tests.Ingestion;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
namespace OrderFunctions.Tests.Storage.Sqlite;

/// <summary>
/// Faults of the SQLite file itself while the service runs: a read-only volume that becomes writable, a file removed
/// or replaced, a directory that is missing and then appears. The store refuses with 503 while it cannot keep an
/// order, health says why without writing anything itself, and both recover by themselves (no order posted, no restart)
/// once the store can take writes again.
/// </summary>
public sealed class DatabaseFileFaultTests : IDisposable
{
    private static readonly TimeSpan RecoveryDeadline = TimeSpan.FromSeconds(30);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"orders-dir-{Guid.NewGuid():N}");

    private string DatabasePath => Path.Combine(_directory, "orders.db");

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [RootTheory(Timeout = TestTimeouts.Server)]
    [InlineData(ReadOnlyDirectory.How.BindMount)]
    [InlineData(ReadOnlyDirectory.How.Immutable)]
    public async Task Store_recovers_by_itself_when_a_read_only_volume_left_by_a_crash_becomes_writable(ReadOnlyDirectory.How how)
    {
        // Arrange: a database with one order and the -wal and -shm a crash leaves behind, on a volume that is read-only
        // when the service starts.
        Directory.CreateDirectory(_directory);
        LeaveCrashedDatabase(DatabasePath, clientOrderId: "before");
        var readOnly = ReadOnlyDirectory.Make(_directory, how);
        var api = new StandaloneApplication(databasePath: DatabasePath);
        try
        {
            // Act
            var refused = await api.PostAsync(ApiTestOrders.Json(clientOrderId: "during"));
            var healthDuring = await api.GetHealthAsync();
            var listDuring = await api.GetAsync("/API/orders/stats", ""); // reads keep pooled connections of their own
            readOnly.MakeWritable();
            var healthAfter = await HealthWithinDeadlineAsync(api, expected: 200); // no order posted to prove it
            var accepted = await api.PostAsync(ApiTestOrders.Json(clientOrderId: "after"));

            // Assert
            StorageFaultTests.AssertUnavailable(refused, "read-only");
            StorageFaultTests.AssertUnavailable(healthDuring, "read-only");
            Assert.Equal(200, listDuring.Status);
            Assert.Equal(200, healthAfter.Status);
            Assert.Equal(201, accepted.Status);
            Assert.Equal(["after", "before"], Database.ClientOrderIdCounts(DatabasePath).Keys.Order());
        }
        finally
        {
            readOnly.MakeWritable();
            await api.DisposeAsync(); // before the unmount: the app's files lie on it
            readOnly.Dispose();
        }
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Post_returns_503_and_health_says_why_when_the_database_file_is_removed_or_replaced(bool replaced)
    {
        // Arrange
        Directory.CreateDirectory(_directory);
        await using var api = new StandaloneApplication(databasePath: DatabasePath);
        Assert.Equal(201, (await api.PostAsync(ApiTestOrders.Json(clientOrderId: "before"))).Status);

        // Act: the file goes with its -wal and -shm, and another database file may be moved into its place.
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(DatabasePath + suffix);
        if (replaced)
        {
            var other = Path.Combine(_directory, "other.db");
            using (var connection = Database.Open(other)) SqliteOrderSchema.EnsureCreated(connection);
            File.Move(other, DatabasePath);
        }
        var refused = await api.PostAsync(ApiTestOrders.Json(clientOrderId: "after"));
        var batchRefused = await api.PostAsync($"[{ApiTestOrders.Json(clientOrderId: "after-1")},{ApiTestOrders.Json(clientOrderId: "after-2")}]");
        var health = await api.GetHealthAsync();
        var healthAgain = await api.GetHealthAsync();

        // Assert: nothing acknowledged, health gives the cause, and no fresh file took (or will take) an order.
        StorageFaultTests.AssertUnavailable(refused, "removed or replaced");
        StorageFaultTests.AssertUnavailable(batchRefused, "removed or replaced");
        StorageFaultTests.AssertUnavailable(health, "removed or replaced");
        StorageFaultTests.AssertUnavailable(healthAgain, "removed or replaced");
        Assert.Contains(api.Logs.Entries, e => e.StartsWith("Error", StringComparison.Ordinal) && e.Contains("removed or replaced"));
        if (replaced) Assert.Equal(0, Database.CountRows(DatabasePath));
        else Assert.False(File.Exists(DatabasePath), "a removed database file was created again");
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Health_creates_nothing_while_the_directory_is_missing_and_returns_200_by_itself_once_it_exists()
    {
        // Arrange: the service starts before its volume is there.
        await using var api = new StandaloneApplication(databasePath: DatabasePath);

        // Act
        var healthDuring = await api.GetHealthAsync();
        var healthDuringAgain = await api.GetHealthAsync();
        var createdDuring = Directory.Exists(_directory);
        Directory.CreateDirectory(_directory); // the volume appears, empty
        var healthAfter = await HealthWithinDeadlineAsync(api, expected: 200);
        var accepted = await api.PostAsync(ApiTestOrders.Json(clientOrderId: "after"));

        // Assert
        StorageFaultTests.AssertUnavailable(healthDuring, "cannot be opened");
        StorageFaultTests.AssertUnavailable(healthDuringAgain, "cannot be opened");
        Assert.False(createdDuring);
        Assert.Equal(200, healthAfter.Status);
        Assert.Equal(201, accepted.Status);
        Assert.Equal("wal", Database.Scalar<string>(DatabasePath, "PRAGMA journal_mode")); // the writer's file, not an empty one
        Assert.Equal(["after"], Database.ClientOrderIdCounts(DatabasePath).Keys);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Health_does_not_create_a_database_file_that_is_missing()
    {
        // Arrange: the writer opened the file; then it is removed while no order arrives.
        Directory.CreateDirectory(_directory);
        await using var api = new StandaloneApplication(databasePath: DatabasePath);
        Assert.Equal(200, (await api.GetHealthAsync()).Status);
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(DatabasePath + suffix);

        // Act
        var health = await api.GetHealthAsync();

        // Assert
        StorageFaultTests.AssertUnavailable(health, "removed or replaced");
        Assert.False(File.Exists(DatabasePath));
    }

    // Polls health (a polled condition with a deadline) until it answers the expected status; returns the last answer.
    private static async Task<ApiResponse> HealthWithinDeadlineAsync(StandaloneApplication api, int expected)
    {
        var deadline = DateTime.UtcNow + RecoveryDeadline;
        while (true)
        {
            var health = await api.GetHealthAsync();
            if (health.Status == expected || DateTime.UtcNow > deadline) return health;
            await Task.Delay(100);
        }
    }

    // One committed order in the WAL, the -wal and -shm left as a killed process leaves them: the files are copied
    // while the connection that wrote them is still open (its close would checkpoint and delete them).
    private static void LeaveCrashedDatabase(string path, string clientOrderId)
    {
        var source = Path.Combine(Path.GetTempPath(), $"orders-crashed-{Guid.NewGuid():N}.db");
        try
        {
            using var connection = Database.Open(source);
            SqliteOrderSchema.EnsureCreated(connection);
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO Orders (timestamp, username, market, side, size, price, client_order_id) " +
                "VALUES ('2026-11-27T10:15:30.0000000Z', 'alice', 'BTC-USD', 'buy', 50000000, 100000000, $id)";
            insert.Parameters.AddWithValue("$id", clientOrderId);
            insert.ExecuteNonQuery();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Copy(source + suffix, path + suffix);
            Assert.True(new FileInfo(path + "-wal").Length > 0);
        }
        finally
        {
            Database.Delete(source);
        }
    }
}
