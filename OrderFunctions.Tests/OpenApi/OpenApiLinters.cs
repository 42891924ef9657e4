using System.Text.Json.Nodes;

namespace OrderFunctions.Tests.OpenApi;

/// <summary>One finding of a linter: its severity (error, warning, info, hint), rule and where.</summary>
public sealed record LintProblem(string Severity, string Rule, string Message, string Where)
{
    public override string ToString() => $"{Severity} {Rule} {Where}: {Message}";
}

/// <summary>
/// Redocly CLI (<c>recommended</c>, tools/openapi/redocly.yaml) and Spectral (<c>spectral:oas</c>,
/// tools/openapi/.spectral.yaml) as pinned in tools/openapi/package-lock.json, each run on a file and read as JSON.
/// </summary>
internal static class OpenApiLinters
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    // No usage report and no update check: the only network these machines reach is the package registries.
    private static readonly Dictionary<string, string> Quiet = new()
    {
        ["REDOCLY_TELEMETRY"] = "off",
        ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true",
        ["NO_COLOR"] = "1",
    };

    public static async Task<IReadOnlyList<LintProblem>> RedoclyAsync(string document)
    {
        var output = await ToolProcess.RunAsync(OpenApiTools.Node!,
            [OpenApiTools.RedoclyScript, "lint", document, "--config", "redocly.yaml", "--format", "json"],
            OpenApiTools.LintFolder, Deadline, Quiet);
        var report = ParseJson(output, '{');
        return [.. report["problems"]!.AsArray().Select(p => new LintProblem(
            p!["severity"]!.GetValue<string>(),
            p["ruleId"]!.GetValue<string>(),
            p["message"]!.GetValue<string>(),
            p["location"]?[0]?["pointer"]?.GetValue<string>() ?? ""))];
    }

    public static async Task<IReadOnlyList<LintProblem>> SpectralAsync(string document)
    {
        var output = await ToolProcess.RunAsync(OpenApiTools.Node!,
            [OpenApiTools.SpectralScript, "lint", document, "--ruleset", ".spectral.yaml", "--format", "json", "--quiet"],
            OpenApiTools.LintFolder, Deadline, Quiet);
        string[] severities = ["error", "warning", "info", "hint"];
        return [.. ParseJson(output, '[').AsArray().Select(p => new LintProblem(
            severities[p!["severity"]!.GetValue<int>()],
            p["code"]!.GetValue<string>(),
            p["message"]!.GetValue<string>(),
            string.Join('.', p["path"]!.AsArray().Select(s => s!.GetValue<string>()))))];
    }

    // Both exit non-zero when they report an error, so the exit code says nothing the report does not: a report that
    // is not JSON is the failure (a crash, a missing ruleset).
    private static JsonNode ParseJson(ToolProcess.Output output, char start)
    {
        var at = output.Stdout.IndexOf(start);
        return (at < 0 ? null : JsonNode.Parse(output.Stdout[at..]))
            ?? throw new InvalidOperationException($"The linter wrote no JSON report: {output}");
    }
}
