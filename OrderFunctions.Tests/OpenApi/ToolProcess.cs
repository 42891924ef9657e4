using System.Diagnostics;

namespace OrderFunctions.Tests.OpenApi;

/// <summary>Runs a program of the tool chain (node, dotnet) to its end and returns what it wrote.</summary>
internal static class ToolProcess
{
    public sealed record Output(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}{Environment.NewLine}{Stdout}{Environment.NewLine}{Stderr}";
    }

    public static async Task<Output> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory,
        TimeSpan deadline, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A deadline, not a measurement: a hung tool fails the test instead of hanging the run.
        using var cancel = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', info.ArgumentList)} did not finish within {deadline}.");
        }
        return new Output(process.ExitCode, await stdout, await stderr);
    }
}
