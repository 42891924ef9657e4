using System.Text.Json.Nodes;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.OpenApi;

/// <summary>
/// Once per test run: Kiota (the local dotnet tool) generates a C# client from the committed document into a temporary
/// folder, KiotaProgram/ is built against it (the Kiota packages pinned in Directory.Packages.props), and run once against
/// the standalone host on a loopback socket. The tests read what it wrote and the generated sources.
/// </summary>
public sealed class KiotaClientFixture : IAsyncLifetime
{
    public const string Key = "kiota-key";

    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);

    private readonly string _folder = Directory.CreateTempSubdirectory("kiota-client-").FullName;

    /// <summary>The folder Kiota generated the client into.</summary>
    public string ClientFolder => Path.Combine(_folder, "Client");

    /// <summary>The username the program posted its orders as.</summary>
    public string Username { get; } = "kiota" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>What the program wrote; null when a step before it failed (then <see cref="Failure"/> says which).</summary>
    public JsonNode? Output { get; private set; }

    public string? Failure { get; private set; }

    public async Task InitializeAsync()
    {
        if (OpenApiTools.KiotaSkipReason is not null) return; // the tests report the skip
        var root = OpenApiContract.RepositoryRoot;

        var generate = await ToolProcess.RunAsync("dotnet",
            ["tool", "run", "kiota", "generate", "--language", "CSharp", "--openapi", Path.Combine(root, "OrderFunctions", "openapi.json"),
             "--output", ClientFolder, "--namespace-name", "OrderApi.Client", "--class-name", "OrderApiClient", "--clean-output"],
            root, Deadline);
        if (generate.ExitCode != 0 || !File.Exists(Path.Combine(ClientFolder, "OrderApiClient.cs")))
        {
            Failure = $"kiota generate failed: {generate}";
            return;
        }

        foreach (var file in new[] { "KiotaProgram.csproj", "Program.cs" })
        {
            File.Copy(Path.Combine(root, "OrderFunctions.Tests", "OpenApi", "KiotaProgram", file), Path.Combine(_folder, file));
        }
        File.Copy(Path.Combine(root, "Directory.Packages.props"), Path.Combine(_folder, "Directory.Packages.props"));
        var build = await ToolProcess.RunAsync("dotnet", ["build", "-c", "Release", "-o", Path.Combine(_folder, "out")], _folder, Deadline);
        if (build.ExitCode != 0)
        {
            Failure = $"the program did not build against the generated client: {build}";
            return;
        }

        await using var app = await StandaloneApplication.StartAsync(environment: new Dictionary<string, string> { ["OrderApi__Keys__0"] = Key });
        var run = await ToolProcess.RunAsync("dotnet",
            [Path.Combine(_folder, "out", "KiotaProgram.dll"), app.BaseAddress.ToString().TrimEnd('/'), Key, Username],
            _folder, Deadline);
        if (run.ExitCode != 0)
        {
            Failure = $"the program failed: {run}";
            return;
        }
        Output = JsonNode.Parse(run.Stdout);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>The program's output, or a failed assertion that says why there is none.</summary>
    public JsonNode Read(string name)
    {
        Assert.True(Output is not null, Failure);
        return Output![name] ?? throw new Xunit.Sdk.XunitException($"The program wrote no {name}: {Output}");
    }
}
