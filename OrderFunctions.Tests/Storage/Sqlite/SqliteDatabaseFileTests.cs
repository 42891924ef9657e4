using Microsoft.Extensions.Options;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Sqlite;
using OrderFunctions.Tests.Support;

using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
namespace OrderFunctions.Tests.Storage.Sqlite;

/// <summary>
/// <see cref="SqliteDatabaseFile"/>: the file the writer opened, known by (device, inode), and what counts as it being
/// removed or replaced (a rename back does not undo it).
/// </summary>
public sealed class SqliteDatabaseFileTests : IDisposable
{
    private readonly TestStore _database = TestStore.Sqlite();

    public void Dispose()
    {
        _database.Dispose();
        File.Delete(_database.Path + ".moved");
    }

    private SqliteDatabaseFile Opened()
    {
        using (_database.Open()) { } // the file exists, as after the writer's open
        var file = new SqliteDatabaseFile(Options.Create(new SqliteOrderStoreOptions { ConnectionString = _database.ConnectionString }));
        file.Opened();
        return file;
    }

    [Fact]
    public void Opened_pins_the_file_once_however_often_the_writer_reopens_and_Dispose_unpins_it()
    {
        // Arrange: the first open pins the file (one descriptor, besides none of SQLite's: its connection is closed).
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var file = Opened();
        var pinned = OpenFiles.Count(_database.Path);

        // Act: the writer reopens after faults; then the process ends.
        for (var i = 0; i < 3; i++) file.Opened();
        var afterReopens = OpenFiles.Count(_database.Path);
        file.Dispose();

        // Assert
        Assert.Equal(1, pinned);
        Assert.Equal(1, afterReopens);
        Assert.Equal(0, OpenFiles.Count(_database.Path));
    }

    [Fact]
    public void Check_returns_null_while_the_path_names_the_file_opened()
    {
        using var file = Opened();

        Assert.Null(file.Check());
        Assert.Null(file.Check());
        Assert.False(file.IsLost);
    }

    [Fact]
    public void Check_stays_lost_once_the_file_was_moved_away_even_after_it_is_moved_back()
    {
        using var file = Opened();

        File.Move(_database.Path, _database.Path + ".moved");
        var away = file.Check();
        File.Move(_database.Path + ".moved", _database.Path);
        var back = file.Check();

        Assert.Equal(SqliteDatabaseFile.LostReason, away);
        Assert.Equal(SqliteDatabaseFile.LostReason, back);
        Assert.Throws<SqliteFileLostException>(file.ThrowIfLost);
    }

    [Fact]
    public void Check_returns_lost_when_another_file_takes_the_path()
    {
        using var file = Opened();

        File.Delete(_database.Path);
        File.WriteAllBytes(_database.Path, []);

        Assert.Equal(SqliteDatabaseFile.LostReason, file.Check());
    }

    [Fact]
    public void Check_returns_null_for_an_in_memory_database()
    {
        using var file = new SqliteDatabaseFile(Options.Create(new SqliteOrderStoreOptions { ConnectionString = "Data Source=:memory:" }));
        file.Opened();

        Assert.Null(file.Check());
    }
}
