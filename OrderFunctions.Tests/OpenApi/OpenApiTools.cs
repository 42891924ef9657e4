using System.Text.Json.Nodes;

namespace OrderFunctions.Tests.OpenApi;

/// <summary>
/// Where the third-party OpenAPI tools are, and why their tests skip when they are not: the linters are npm packages
/// pinned in tools/openapi (package-lock.json; <c>npm ci --prefix tools/openapi</c>), Kiota a local dotnet tool
/// (.config/dotnet-tools.json; <c>dotnet tool restore</c>). <c>.ci/run</c> installs both; with CI=true a missing tool
/// fails its tests instead of skipping them.
/// </summary>
internal static class OpenApiTools
{
    public static string LintFolder { get; } = Path.Combine(OpenApiContract.RepositoryRoot, "tools", "openapi");

    public static string RedoclyScript { get; } = Path.Combine(LintFolder, "node_modules", "@redocly", "cli", "bin", "cli.js");

    public static string SpectralScript { get; } = Path.Combine(LintFolder, "node_modules", "@stoplight", "spectral-cli", "dist", "index.js");

    public static string? Node { get; } = FindOnPath("node");

    /// <summary>The version of Kiota the tool manifest pins.</summary>
    public static string KiotaVersion { get; } =
        JsonNode.Parse(File.ReadAllText(Path.Combine(OpenApiContract.RepositoryRoot, ".config", "dotnet-tools.json")))!
            ["tools"]!["microsoft.openapi.kiota"]!["version"]!.GetValue<string>();

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? LintersSkipReason =>
        IsCi ? null
        : Node is null ? "node is not installed (apt-get install nodejs npm), so Redocly and Spectral cannot run"
        : !File.Exists(RedoclyScript) || !File.Exists(SpectralScript) ? "the OpenAPI linters are not installed: npm ci --prefix tools/openapi"
        : null;

    // dotnet tool restore puts a local tool's package in the NuGet packages folder; dotnet tool run finds it there.
    public static string? KiotaSkipReason =>
        IsCi ? null
        : !Directory.Exists(Path.Combine(NuGetPackagesFolder, "microsoft.openapi.kiota", KiotaVersion))
            ? $"Kiota {KiotaVersion} (a local dotnet tool) is not restored: dotnet tool restore"
            : null;

    private static string NuGetPackagesFolder =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
}
