using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using OrderFunctions.Storage.Sqlite;
using OrderFunctions.Tests.Support;
using SQLitePCL;

namespace OrderFunctions.Tests.Storage.Sqlite;

/// <summary>
/// What the SQLite writer says a fault is (<c>DescribeFault</c>, which the queue puts in its 503s and logs): each
/// SQLite result code the engine names, primary or extended, in words a client may read, and null for what is no
/// fault of the store (answered 500). The real faults (<c>StorageFaultTests</c>, <c>DatabaseFileFaultTests</c>) reach
/// a few of these codes; a damaged file or a failing disk cannot be had on demand.
/// </summary>
public sealed class SqliteFaultDescriptionTests : IDisposable
{
    private readonly TestStore _database = TestStore.Sqlite();
    private readonly SqliteOrderWriter _writer;

    public SqliteFaultDescriptionTests() =>
        _writer = new SqliteOrderWriter(Options.Create(new SqliteOrderStoreOptions { ConnectionString = _database.ConnectionString }));

    public void Dispose()
    {
        _writer.Dispose();
        _database.Dispose();
    }

    [Theory]
    [InlineData(raw.SQLITE_BUSY, "the database is locked by another writer")]
    [InlineData(raw.SQLITE_LOCKED, "the database is locked by another writer")]
    [InlineData(raw.SQLITE_BUSY_SNAPSHOT, "the database is locked by another writer")]
    [InlineData(raw.SQLITE_READONLY, "the database file is read-only")]
    [InlineData(raw.SQLITE_READONLY_DBMOVED, "the database file is read-only")]
    [InlineData(raw.SQLITE_FULL, "the disk is full")]
    [InlineData(raw.SQLITE_IOERR, "the database file could not be written")]
    [InlineData(raw.SQLITE_IOERR_FSYNC, "the database file could not be written")]
    [InlineData(raw.SQLITE_CANTOPEN, "the database file cannot be opened")]
    [InlineData(raw.SQLITE_CORRUPT, "the database file is damaged")]
    [InlineData(raw.SQLITE_NOTADB, "the database file is damaged")]
    [InlineData(raw.SQLITE_CONSTRAINT, "the database refused the write")]
    [InlineData(raw.SQLITE_ERROR, "the database refused the write")]
    public void DescribeFault_names_the_cause_in_words_when_sqlite_fails_with_a_result_code(int code, string expected)
    {
        var fault = new SqliteException("SQLite's own message, naming /some/path", code);

        Assert.Equal(expected, _writer.DescribeFault(fault));
    }

    [Fact]
    public void DescribeFault_returns_the_lost_reason_when_the_file_was_removed_or_replaced()
    {
        var lost = new SqliteFileLostException(SqliteDatabaseFile.LostReason);

        Assert.Equal(SqliteDatabaseFile.LostReason, _writer.DescribeFault(lost));
    }

    [Fact]
    public void DescribeFault_returns_null_when_the_failure_is_not_the_stores()
    {
        Assert.Null(_writer.DescribeFault(new InvalidOperationException("a bug")));
        Assert.Null(_writer.DescribeFault(new TimeoutException("not SQLite's")));
    }
}
