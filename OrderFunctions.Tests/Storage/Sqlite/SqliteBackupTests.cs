using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using OrderFunctions.Standalone;
using OrderFunctions.Storage.Sqlite;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Storage.Sqlite;

/// <summary>
/// An online backup of the embedded store taken while the service writes: it opens, passes integrity_check, and holds
/// every order acknowledged (201) before it began. Taken with the same code as <c>OrderFunctions.Standalone backup</c>.
/// </summary>
public sealed class SqliteBackupTests : IDisposable
{
    private readonly string _backup = Path.Combine(Path.GetTempPath(), $"orders-backup-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-journal", "-wal", "-shm" }) File.Delete(_backup + suffix);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Backup_holds_every_order_acknowledged_before_it_began_and_passes_integrity_check_when_taken_under_load()
    {
        // Arrange: a store with 20,000 orders (so the copy takes a while), then four writers posting without pause.
        await using var app = new StandaloneApplication();
        using var client = app.CreateClient();
        for (var batch = 0; batch < 2; batch++)
        {
            var orders = string.Join(',',
                Enumerable.Range(0, 10_000).Select(i => TestOrders.Json(username: "seed", clientOrderId: $"seed-{batch}-{i}")));
            using var seeded = await client.PostAsync("/API/orders", new StringContent($"[{orders}]", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, seeded.StatusCode);
        }
        var acknowledged = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var id = $"load-{w}-{i}";
                using var response = await client.PostAsync("/API/orders",
                    new StringContent(TestOrders.Json(username: "load", clientOrderId: id), Encoding.UTF8, "application/json"));
                if (response.StatusCode == HttpStatusCode.Created) acknowledged.Enqueue(id);
            }
        })).ToArray();
        await WaitUntilAsync(() => acknowledged.Count >= 200);

        // Act: what was acknowledged before the backup began, then the backup while the writers go on.
        var before = acknowledged.ToArray();
        var result = await Task.Run(() => SqliteBackup.Run($"Data Source={app.DatabasePath}", _backup));
        var countAtBackupEnd = acknowledged.Count;
        await WaitUntilAsync(() => acknowledged.Count >= countAtBackupEnd + 50); // the service kept writing throughout
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        // Assert: the file opens on its own, is sound, and misses no acknowledged order.
        Assert.Equal(_backup, result.Path);
        Assert.False(File.Exists(_backup + ".partial"));
        using var copy = new SqliteConnection($"Data Source={_backup};Mode=ReadOnly;Pooling=False");
        copy.Open();
        Assert.Equal("ok", Scalar<string>(copy, "PRAGMA integrity_check"));
        Assert.Equal("delete", Scalar<string>(copy, "PRAGMA journal_mode"));
        var inBackup = ClientOrderIds(copy, "load");
        Assert.DoesNotContain(before, id => !inBackup.Contains(id));
        Assert.Equal(20_000, ClientOrderIds(copy, "seed").Count);
        Assert.Equal(result.Orders, Scalar<long>(copy, "SELECT COUNT(*) FROM Orders"));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_copies_over_a_partial_copy_that_an_interrupted_backup_left_and_holds_no_file_open()
    {
        // Arrange: a store of one order, and the remains of a backup killed mid-copy.
        using var source = TestStore.Sqlite();
        await source.CreateSchemaAsync();
        using (var connection = source.Open())
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO Orders (timestamp, username, market, side, size, price) VALUES ('t', 'alice', 'BTC-USD', 'buy', 1, 1)";
            insert.ExecuteNonQuery();
        }
        await File.WriteAllTextAsync(_backup + ".partial", new string('x', 4096));

        // Act
        var result = SqliteBackup.Run(source.ConnectionString, _backup);

        // Assert
        Assert.Equal((_backup, 1L, "ok"), (result.Path, result.Orders, result.IntegrityCheck));
        Assert.False(File.Exists(_backup + ".partial"));
        Assert.Equal((0, 0), (OpenFiles.Count(source.Path), OpenFiles.Count(_backup)));
    }

    [Fact]
    public void Run_fails_and_creates_no_database_when_the_source_is_missing()
    {
        using var missing = TestStore.Sqlite();

        Assert.Throws<SqliteException>(() => SqliteBackup.Run(missing.ConnectionString, _backup));

        Assert.False(File.Exists(missing.Path), "the backup created the source it was to copy");
        Assert.False(File.Exists(_backup));
        Assert.False(File.Exists(_backup + ".partial"));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_leaves_no_partial_copy_when_the_copy_cannot_take_its_name()
    {
        // Arrange: a folder where the copy would go (not a file, so not refused as one that exists).
        using var source = TestStore.Sqlite();
        await source.CreateSchemaAsync();
        Directory.CreateDirectory(_backup);
        try
        {
            // Act
            Assert.ThrowsAny<IOException>(() => SqliteBackup.Run(source.ConnectionString, _backup));

            // Assert
            Assert.False(File.Exists(_backup + ".partial"));
        }
        finally
        {
            Directory.Delete(_backup);
        }
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Backup_command_writes_a_checked_copy_and_refuses_to_overwrite_when_run_twice()
    {
        // Arrange
        await using var app = new StandaloneApplication();
        using var client = app.CreateClient();
        using var posted = await client.PostAsync("/API/orders",
            new StringContent(TestOrders.Json(clientOrderId: "c-1"), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Orders"] = $"Data Source={app.DatabasePath}" })
            .Build();
        using var output = new StringWriter();
        using var error = new StringWriter();

        // Act
        var first = BackupCommand.Run(_backup, configuration, output, error);
        var second = BackupCommand.Run(_backup, configuration, output, error);

        // Assert
        Assert.Equal(0, first);
        Assert.Equal($"Backed up 1 orders from {app.DatabasePath} to {_backup} (integrity_check: ok).", output.ToString().Trim());
        Assert.Equal(1, second);
        Assert.StartsWith($"Backup failed: {_backup} already exists", error.ToString());
    }

    private static HashSet<string> ClientOrderIds(SqliteConnection connection, string username)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT client_order_id FROM Orders WHERE username = $user";
        command.Parameters.AddWithValue("$user", username);
        using var reader = command.ExecuteReader();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read()) ids.Add(reader.GetString(0));
        return ids;
    }

    private static T Scalar<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The writers did not get their orders acknowledged in time.");
            await Task.Delay(20);
        }
    }
}
