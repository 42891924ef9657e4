namespace OrderFunctions.Storage.Sqlite;

/// <summary>The SQLite file the writer opened was removed or replaced (<see cref="SqliteDatabaseFile"/>): answered 503.</summary>
public sealed class SqliteFileLostException(string reason) : IOException(reason);
