using Microsoft.Data.Sqlite;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>SQLite's error codes in words a client may read: no SQL, no path, no stack.</summary>
internal static class SqliteFaults
{
    public static string Describe(SqliteException ex) => (ex.SqliteErrorCode & 0xFF) switch
    {
        SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED => "the database is locked by another writer",
        SQLitePCL.raw.SQLITE_READONLY => "the database file is read-only",
        SQLitePCL.raw.SQLITE_FULL => "the disk is full",
        SQLitePCL.raw.SQLITE_IOERR => "the database file could not be written",
        SQLitePCL.raw.SQLITE_CANTOPEN => "the database file cannot be opened",
        SQLitePCL.raw.SQLITE_CORRUPT or SQLitePCL.raw.SQLITE_NOTADB => "the database file is damaged",
        _ => "the database refused the write",
    };
}
