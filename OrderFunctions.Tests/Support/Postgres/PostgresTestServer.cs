using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace OrderFunctions.Tests.Support.Postgres;

/// <summary>
/// A PostgreSQL server for tests: the one in <c>ORDERS_TEST_POSTGRES</c>, or a throwaway cluster (initdb + pg_ctl in
/// a temporary folder, on a free loopback port, run as the <c>postgres</c> OS user when the tests run as root).
/// A throwaway cluster is stopped and deleted when the test process exits; a watchdog process started beside it does
/// the same if the test process is killed, so an aborted run leaves no server behind.
/// </summary>
public sealed class PostgresTestServer : IAsyncDisposable
{
    private static readonly Lazy<Task<PostgresTestServer>> SharedServer = new(() => StartAsync());

    private readonly string? _directory;
    private readonly int _port;

    private PostgresTestServer(string connectionString, string? directory, int port)
    {
        ConnectionString = connectionString;
        _directory = directory;
        _port = port;
    }

    /// <summary>A superuser connection string to the server's <c>postgres</c> database.</summary>
    public string ConnectionString { get; }

    /// <summary>True for a cluster this process started (and may stop and start again).</summary>
    public bool IsOwned => _directory is not null;

    /// <summary>The server shared by the whole test run.</summary>
    public static Task<PostgresTestServer> SharedAsync() => SharedServer.Value;

    /// <summary>
    /// A cluster of its own, for tests that stop the server. With <c>ORDERS_TEST_POSTGRES</c> set and no local
    /// binaries this is not possible, and the caller's test fails saying so.
    /// </summary>
    public static Task<PostgresTestServer> StartOwnAsync() => StartAsync(forceOwn: true);

    private static async Task<PostgresTestServer> StartAsync(bool forceOwn = false)
    {
        if (!forceOwn && PostgresAvailability.ConnectionStringFromEnvironment is { } external)
        {
            return new PostgresTestServer(external, null, 0);
        }
        var bin = PostgresAvailability.BinDirectory
            ?? throw new InvalidOperationException($"PostgreSQL is not installed: {PostgresAvailability.InstallCommand}");

        var directory = Path.Combine(Path.GetTempPath(), $"orders-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        if (Environment.IsPrivilegedProcess) await RunAsync("chown", ["postgres", directory], asPostgres: false);

        var port = FreePort();
        var server = new PostgresTestServer(
            $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=10", directory, port);
        StartWatchdog(bin, directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Destroy(bin);

        await RunAsync(Path.Combine(bin, "initdb"),
            ["-D", server.DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], asPostgres: true);
        await server.StartServerAsync();
        return server;
    }

    private string DataDirectory => Path.Combine(_directory!, "data");

    /// <summary>Starts the owned cluster (again), waiting until it accepts connections.</summary>
    public Task StartServerAsync() => RunAsync(Path.Combine(PostgresAvailability.BinDirectory!, "pg_ctl"),
        ["-D", DataDirectory, "-l", Path.Combine(_directory!, "server.log"), "-w", "-t", "60",
            "-o", $"-p {_port} -k {_directory} -c listen_addresses=127.0.0.1 -c max_connections=200", "start"], asPostgres: true);

    /// <summary>Stops the owned cluster: fast (clients disconnected, a clean shutdown) or immediate (as a crash).</summary>
    public Task StopServerAsync(bool immediate = false) => RunAsync(Path.Combine(PostgresAvailability.BinDirectory!, "pg_ctl"),
        ["-D", DataDirectory, "-w", "-m", immediate ? "immediate" : "fast", "stop"], asPostgres: true);

    /// <summary>The loopback port of an owned cluster.</summary>
    public int Port => _port;

    /// <summary>
    /// Makes the owned cluster check <paramref name="role"/>'s password over TCP (scram-sha-256; every other login
    /// stays trusted), so a wrong password is refused as on a real server.
    /// </summary>
    public async Task RequirePasswordAsync(string role)
    {
        var hba = Path.Combine(DataDirectory, "pg_hba.conf");
        await File.WriteAllTextAsync(hba, $"host all {role} 127.0.0.1/32 scram-sha-256\n" + await File.ReadAllTextAsync(hba));
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var reload = new NpgsqlCommand("SELECT pg_reload_conf()", connection);
        await reload.ExecuteScalarAsync();
    }

    /// <summary>A new empty schema of its own for one test: its connection string sets the search path to it.</summary>
    public async Task<string> CreateSchemaAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE SCHEMA \"{schema}\"", connection);
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ToString();
    }

    public async Task DropSchemaAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync()
    {
        if (IsOwned) Destroy(PostgresAvailability.BinDirectory!);
        return ValueTask.CompletedTask;
    }

    private void Destroy(string bin)
    {
        if (!Directory.Exists(_directory)) return;
        try
        {
            RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "stop"], asPostgres: true)
                .Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // Not running (never started, or stopped by a test): nothing to stop.
        }
        Directory.Delete(_directory!, recursive: true);
    }

    // Outlives this process on purpose: when the test host dies without running its exit handlers (killed, aborted),
    // the watchdog stops the cluster and deletes its folder. It polls once a second and exits with the test host.
    private static void StartWatchdog(string bin, string directory)
    {
        var pgCtl = Path.Combine(bin, "pg_ctl");
        var asPostgres = Environment.IsPrivilegedProcess ? "runuser -u postgres -- " : "";
        var script = $"""
            exec </dev/null >/dev/null 2>&1
            while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done
            {asPostgres}'{pgCtl}' -D '{directory}/data' -m immediate stop
            rm -rf '{directory}'
            """;
        var info = new ProcessStartInfo("setsid", ["sh", "-c", script])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var info = asPostgres && Environment.IsPrivilegedProcess
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", file, .. arguments])
            : new ProcessStartInfo(file, arguments);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(file)} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
