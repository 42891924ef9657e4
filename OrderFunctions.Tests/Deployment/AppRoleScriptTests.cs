using System.Diagnostics;
using Npgsql;
using OrderFunctions.Storage.Postgres;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.Deployment;

/// <summary>
/// infra/app-role.sql, the one-time role step, run with psql as the administrator on a real server: orders_app can
/// do what the app does (create its table at start, write and read orders) and nothing an administrator can.
/// </summary>
[RequiresPostgres]
public sealed class AppRoleScriptTests : IAsyncLifetime
{
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await PostgresTestServer.StartOwnAsync();
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand("CREATE DATABASE orders", connection);
        await create.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task App_role_creates_its_table_and_stores_orders_but_holds_no_administrator_right_when_the_script_ran_twice()
    {
        // Arrange: the script as create-app-role.sh runs it, twice (it must be idempotent).
        await RunScriptAsync();
        await RunScriptAsync();
        var app = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Username = "orders_app", Database = "orders", Pooling = false };
        await using var connection = new NpgsqlConnection(app.ToString());
        await connection.OpenAsync();

        // Act: what the app does at start and per order.
        PostgresOrderSchema.EnsureCreated(connection, indexUsername: false);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO orders (timestamp, username, market, side, size, price) " +
            "VALUES ('2026-11-27T10:15:30Z', 'alice', 'BTC-USD', 'buy', 1, 2)", connection);
        await insert.ExecuteNonQueryAsync();
        await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM orders", connection);
        var rows = (long)(await count.ExecuteScalarAsync())!;
        await using var rights = new NpgsqlCommand(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication FROM pg_roles WHERE rolname = current_user", connection);
        await using var reader = await rights.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var flags = new[] { reader.GetBoolean(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetBoolean(3) };
        await reader.CloseAsync();
        await using var createDatabase = new NpgsqlCommand("CREATE DATABASE other", connection);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => createDatabase.ExecuteNonQueryAsync());

        // Assert
        Assert.Equal(1, rows);
        Assert.Equal([false, false, false, false], flags);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    // psql beside initdb, or beside what initdb links to (/usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb).
    private static string Psql()
    {
        var bin = PostgresAvailability.BinDirectory!;
        var target = new FileInfo(Path.Combine(bin, "initdb")).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
        return new[] { bin, Path.GetDirectoryName(target) }
            .Where(dir => dir is not null)
            .Select(dir => Path.Combine(dir!, "psql"))
            .FirstOrDefault(File.Exists) ?? "psql";
    }

    private async Task RunScriptAsync()
    {
        var admin = new NpgsqlConnectionStringBuilder(_server.ConnectionString);
        var info = new ProcessStartInfo(Psql(),
            ["-h", admin.Host!, "-p", admin.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", admin.Username!, "-d", "orders",
                "-v", "ON_ERROR_STOP=1", "-v", "app_password=secret-from-key-vault", "-f", Path.Combine(RepositoryFiles.Infra, "app-role.sql")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"psql -f app-role.sql exited with {process.ExitCode}: {await error}{await output}");
    }
}
