using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

using OrderFunctions.Tests.Client;
using OrderFunctions.Tests.Hosting;
namespace OrderFunctions.Tests.Support;

/// <summary>
/// The standalone host as a child process on a loopback port and a temporary database file: what the client, the
/// end-to-end tests and the crash tests talk to over a real socket. Kill() is SIGKILL, Stop() is SIGTERM.
/// </summary>
public sealed class StandaloneHost : IAsyncDisposable
{
    private readonly Dictionary<string, string> _environment;
    private Process? _process;
    private readonly List<string> _output = [];

    private readonly string? _workingDirectory;

    // Hosts still running when the test process exits (a test abandoned by its timeout never disposes its host): killed
    // then, so no standalone host outlives the run.
    private static readonly ConcurrentDictionary<Process, bool> Running = new();

    static StandaloneHost() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var process in Running.Keys)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }
    };

    private StandaloneHost(string databasePath, int port, Dictionary<string, string> environment, string? workingDirectory)
    {
        DatabasePath = databasePath;
        Port = port;
        _environment = environment;
        _workingDirectory = workingDirectory;
    }

    public string DatabasePath { get; }
    public int Port { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");
    public Uri OrdersUrl => new(BaseAddress, "/API/orders");

    /// <summary>What the process has written to stdout and stderr so far.</summary>
    public string Output
    {
        get { lock (_output) return string.Join(Environment.NewLine, _output); }
    }

    /// <summary>The lines written so far.</summary>
    public IReadOnlyList<string> OutputLines
    {
        get { lock (_output) return [.. _output]; }
    }

    /// <summary>Polls <see cref="OutputLines"/> until <paramref name="done"/> holds (or the deadline passes) and returns them.</summary>
    public async Task<IReadOnlyList<string>> WaitForOutputAsync(Func<IReadOnlyList<string>, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!done(OutputLines))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException(
                $"The host's output never showed what the test waited for:{Environment.NewLine}{Output}");
            await Task.Delay(50);
        }
        return OutputLines;
    }

    /// <summary>
    /// Starts a host on a new temporary database (or <paramref name="databasePath"/>) and waits until it listens;
    /// <paramref name="environment"/> overrides the defaults below (the log level among them), and
    /// <paramref name="workingDirectory"/> is where the process starts (the test's own folder when null).
    /// </summary>
    public static async Task<StandaloneHost> StartAsync(string? databasePath = null, IDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>());
        var host = new StandaloneHost(
            databasePath ?? Path.Combine(Path.GetTempPath(), $"orders-{Guid.NewGuid():N}.db"), FreePort(), env, workingDirectory);
        await host.RestartAsync();
        return host;
    }

    /// <summary>Starts the process again on the same file and port (after <see cref="Kill"/> or <see cref="StopAsync"/>).</summary>
    public async Task RestartAsync()
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (_workingDirectory is not null) info.WorkingDirectory = _workingDirectory;
        info.ArgumentList.Add(HostAssemblyPath());
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(BaseAddress.ToString().TrimEnd('/'));
        info.Environment["ConnectionStrings__Orders"] = $"Data Source={DatabasePath}";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in _environment) info.Environment[key] = value;

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Running.TryAdd(process, true);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                process.WaitForExit(); // the output read to its end
                throw new StandaloneHostExitedException(process.ExitCode, Output);
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"The standalone host did not listen on port {Port}:{Environment.NewLine}{Output}");
    }

    /// <summary>SIGKILL: the process ends at once, mid-write if it was writing.</summary>
    public void Kill()
    {
        _process?.Kill(entireProcessTree: true);
        _process?.WaitForExit();
    }

    /// <summary>SIGTERM: a graceful stop; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (_process is null || _process.HasExited) return _process?.ExitCode ?? 0;
        Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>The SQLite file the host writes (deleted with the host).</summary>
    public TestStore Store => TestStore.Sqlite(DatabasePath);

    /// <summary>Rows in Orders, read through a connection of the test's own.</summary>
    public long CountRows() => Store.CountRows();

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false }) Kill();
        if (_process is not null) Running.TryRemove(_process, out _);
        _process?.Dispose();
        await Store.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // The test project references the standalone project, so its build output sits next to the tests' own.
    private static string HostAssemblyPath()
    {
        var local = Path.Combine(AppContext.BaseDirectory, "OrderFunctions.Standalone.dll");
        if (File.Exists(local) && File.Exists(Path.ChangeExtension(local, ".runtimeconfig.json"))) return local;
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        var root = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(root, "OrderFunctions.Standalone", "bin", configuration, "net10.0", "OrderFunctions.Standalone.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first: the standalone host is missing.", path);
    }
}
