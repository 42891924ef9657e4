using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>
/// A statement prepared once on an open <see cref="SqliteConnection"/> and stepped through SQLitePCL directly, for the
/// writer's hot path: binding by position without a parameter collection or a data reader per row halves the cost of
/// an insert on this provider (docs/benchmarks.md). It runs inside whatever transaction the connection holds.
/// </summary>
internal sealed class SqliteRawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public SqliteRawStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle!;
        var rc = raw.sqlite3_prepare_v2(_db, sql, out _statement);
        SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public void Bind(int index, string value) => Check(raw.sqlite3_bind_text(_statement, index, value));

    public void Bind(int index, ReadOnlySpan<byte> utf8) => Check(raw.sqlite3_bind_text(_statement, index, utf8));

    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    // Stryker disable once Conditional : equivalent, sqlite3_bind_text with a null string binds NULL as sqlite3_bind_null does
    public void BindNullable(int index, string? value) =>
        Check(value is null ? raw.sqlite3_bind_null(_statement, index) : raw.sqlite3_bind_text(_statement, index, value));

    /// <summary>Runs a statement that returns no rows, then resets it for the next execution (bindings are kept).</summary>
    public void Execute()
    {
        var rc = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        Check(rc);
    }

    /// <summary>Rows inserted, updated or deleted by the connection's last completed statement.</summary>
    public int Changes() => raw.sqlite3_changes(_db);

    /// <summary>The rowid of the connection's last successful insert.</summary>
    public long LastInsertRowId() => raw.sqlite3_last_insert_rowid(_db);

    public void Dispose() => raw.sqlite3_finalize(_statement);

    // Throws for an error code only: OK, ROW and DONE return.
    private void Check(int rc) => SqliteException.ThrowExceptionForRC(rc, _db);
}
