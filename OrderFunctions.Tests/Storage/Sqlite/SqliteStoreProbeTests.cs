using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using OrderFunctions.Storage.Sqlite;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Storage.Sqlite;

/// <summary>
/// What the SQLite health probe reports about the file itself: a read that proves the file is a database, a write that
/// proves the lock can be taken, no file created and none kept open.
/// </summary>
public sealed class SqliteStoreProbeTests : IDisposable
{
    private readonly TestStore _database = TestStore.Sqlite();

    public void Dispose() => _database.Dispose();

    private SqliteStoreProbe Probe() =>
        new(Options.Create(new SqliteOrderStoreOptions { ConnectionString = _database.ConnectionString }));

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task ProbeAsync_reports_a_missing_file_and_creates_none()
    {
        var problem = await Probe().ProbeAsync(proveWrite: false);

        Assert.NotNull(problem);
        Assert.False(File.Exists(_database.Path), "health created the database file");
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task ProbeAsync_reports_a_file_that_is_not_a_database()
    {
        await File.WriteAllTextAsync(_database.Path, new string('x', 4096));

        Assert.NotNull(await Probe().ProbeAsync(proveWrite: false));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task ProbeAsync_reports_the_lock_only_when_it_must_prove_a_write_while_another_connection_holds_it()
    {
        // Arrange: the schema, and another connection inside a write transaction (WAL: readers still read).
        await _database.CreateSchemaAsync();
        using var holder = _database.Open();
        using (var begin = holder.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
        }

        // Act
        var read = await Probe().ProbeAsync(proveWrite: false);
        var write = await Probe().ProbeAsync(proveWrite: true);

        // Assert
        Assert.Null(read);
        Assert.Equal("the database is locked by another writer", write);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task ProbeAsync_keeps_no_connection_to_the_file_open_between_checks()
    {
        await _database.CreateSchemaAsync();
        SqliteConnection.ClearAllPools(); // the schema's own connection, if pooled

        Assert.Null(await Probe().ProbeAsync(proveWrite: true));

        Assert.Equal(0, OpenFiles.Count(_database.Path));
    }
}
