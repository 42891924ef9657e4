using System.Diagnostics;
using System.Globalization;

namespace OrderFunctions.Tests.Hosting.FunctionsHost;

/// <summary>
/// The built function app started as the Functions host starts it: <c>dotnet OrderFunctions.dll</c> in its output
/// directory with the host's arguments and environment. The worker never leaves a process behind: it is killed on
/// dispose and when the test process exits, and a watchdog shell around it kills it if the test process dies
/// without running any code (SIGKILL, an aborted run), since the worker itself keeps running when its stream closes.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    // $1: the test process; the rest: the worker's command line. The watchdog polls the test process and the worker.
    private const string Watchdog = """
        parent=$1; shift
        "$@" &
        worker=$!
        ( while kill -0 "$parent" 2>/dev/null && kill -0 "$worker" 2>/dev/null; do sleep 0.2; done
          kill -KILL "$worker" 2>/dev/null ) &
        wait "$worker"
        """;

    private readonly Process _process;

    private WorkerProcess(Process process, string workerId)
    {
        _process = process;
        WorkerId = workerId;
        AppDomain.CurrentDomain.ProcessExit += OnTestProcessExit;
    }

    /// <summary>The <c>--functions-worker-id</c> on the worker's command line: <c>pgrep -f</c> finds the process by it.</summary>
    public string WorkerId { get; }

    public bool HasExited => _process.HasExited;

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    public static WorkerProcess Start(string appDirectory, Uri functionsUri, IReadOnlyDictionary<string, string> settings, Action<string> output)
    {
        var workerId = Guid.NewGuid().ToString();
        var info = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-c", Watchdog, "functions-worker-watchdog", Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            "dotnet", Path.Combine(appDirectory, "OrderFunctions.dll"),
            "--functions-uri", functionsUri.ToString(),
            "--functions-worker-id", workerId,
            "--functions-request-id", Guid.NewGuid().ToString(),
            "--functions-grpc-max-message-length", int.MaxValue.ToString(CultureInfo.InvariantCulture),
        })
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        info.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        info.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        info.Environment["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development";
        // What func start does with local.settings.json Values: each becomes an environment variable.
        foreach (var (key, value) in settings) info.Environment[key] = value;

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output($"[worker stdout] {e.Data}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output($"[worker stderr] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new WorkerProcess(process, workerId);
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnTestProcessExit;
        Kill();
        _process.Dispose();
    }

    private void OnTestProcessExit(object? sender, EventArgs e) => Kill();
}
