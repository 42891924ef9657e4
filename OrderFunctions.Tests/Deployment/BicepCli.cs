using System.Diagnostics;
using System.Text.Json.Nodes;

namespace OrderFunctions.Tests.Deployment;

/// <summary>
/// The Bicep CLI from the Azure.Bicep.CommandLine.linux-x64 package. Every call passes --no-restore: restoring is what
/// reaches the network (the public module index), and these templates use no registry module, so nothing is lost.
/// Diagnostics are read as SARIF, which names the rule and level of each.
/// </summary>
internal static class BicepCli
{
    // Copied beside the test assembly by the build (see OrderFunctions.Tests.csproj).
    public static string ExecutablePath { get; } = Path.Combine(AppContext.BaseDirectory, RepositoryFiles.Metadata("BicepPath"));

    /// <summary>Compiles a template; the ARM JSON is null when the build failed.</summary>
    public static async Task<(JsonObject? Template, IReadOnlyList<BicepDiagnostic> Diagnostics)> BuildAsync(string file)
    {
        // build writes the template to stdout and the SARIF log to stderr.
        var (exitCode, stdout, stderr) = await RunAsync("build", file, "--stdout", "--no-restore", "--diagnostics-format", "sarif");
        var template = exitCode == 0 ? JsonNode.Parse(stdout)!.AsObject() : null;
        return (template, ParseSarif(stderr));
    }

    /// <summary>Runs the linter (compiler diagnostics included) on a template and everything it references.</summary>
    public static async Task<IReadOnlyList<BicepDiagnostic>> LintAsync(string file)
    {
        // lint writes the SARIF log to stdout; its exit code is non-zero on errors only.
        var (_, stdout, _) = await RunAsync("lint", file, "--no-restore", "--diagnostics-format", "sarif");
        return ParseSarif(stdout);
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {ExecutablePath}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A deadline, not a measurement: a hung compiler fails the test instead of hanging the run.
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within 3 minutes.");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private static List<BicepDiagnostic> ParseSarif(string sarif)
    {
        var start = sarif.IndexOf('{');
        if (start < 0) throw new InvalidOperationException($"The Bicep CLI wrote no SARIF log:{Environment.NewLine}{sarif}");
        var log = JsonNode.Parse(sarif[start..])!;
        return log["runs"]!.AsArray()
            .SelectMany(run => run!["results"]?.AsArray() ?? [])
            .Select(result =>
            {
                var location = result!["locations"]?[0]?["physicalLocation"];
                return new BicepDiagnostic(
                    (string?)result["level"] ?? "warning",
                    (string?)result["ruleId"] ?? "",
                    (string?)result["message"]?["text"] ?? "",
                    (string?)location?["artifactLocation"]?["uri"] ?? "",
                    (int?)location?["region"]?["startLine"] ?? 0);
            })
            .ToList();
    }
}
