using System.Diagnostics;
using System.Net;
using System.Text.Json;
using OrderFunctions.Tests.Support;
using Xunit.Abstractions;

namespace OrderFunctions.Tests.Hosting.FunctionsHost;

/// <summary>The fixture itself: it loads every function of the built app, routes like the host, and leaves no process.</summary>
[Trait("Host", "FunctionsWorker")]
public sealed class FunctionsHostFixtureTests(ITestOutputHelper output)
{
    private static Dictionary<string, string> Settings(string databasePath) =>
        new() { ["ConnectionStrings__Orders"] = $"Data Source={databasePath}" };

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Fixture_loads_every_function_in_the_built_functions_metadata_and_leaves_no_worker_after_dispose()
    {
        var database = Path.Combine(Path.GetTempPath(), $"orders-{Guid.NewGuid():N}.db");
        string workerId;
        await using (var host = await FunctionsHostFixture.StartAsync(Settings(database)))
        {
            host.Attach(output);
            workerId = host.WorkerId;
            using var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(host.AppDirectory, "functions.metadata")));

            Assert.Equal(
                metadata.RootElement.EnumerateArray().Select(f => f.GetProperty("name").GetString()).Order(),
                host.Functions.Select(f => f.Name).Order());
            Assert.True(IsRunning(workerId));
            Assert.Contains(host.Logs.Entries, e => e.StartsWith("[worker", StringComparison.Ordinal));
            host.Detach();
        }

        Assert.False(IsRunning(workerId));
        TestStore.Sqlite(database).Dispose(); // the file and its -wal and -shm
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Fixture_answers_404_for_a_path_no_function_owns()
    {
        var database = Path.Combine(Path.GetTempPath(), $"orders-{Guid.NewGuid():N}.db");
        using var store = TestStore.Sqlite(database); // deleted after the host is gone (disposed in reverse order)
        await using var host = await FunctionsHostFixture.StartAsync(Settings(database));
        host.Attach(output);
        using var client = host.CreateClient();

        using var outsidePrefix = await client.GetAsync("/health");
        using var unknown = await client.GetAsync("/API/nothing-here");
        using var health = await client.GetAsync("/API/health");

        Assert.Equal(HttpStatusCode.NotFound, outsidePrefix.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static bool IsRunning(string workerId)
    {
        using var pgrep = Process.Start(new ProcessStartInfo("pgrep", ["-f", $"functions-worker-id {workerId}"]) { RedirectStandardOutput = true })!;
        pgrep.WaitForExit();
        return pgrep.ExitCode == 0;
    }
}
