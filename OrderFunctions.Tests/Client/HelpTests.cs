using System.Net;
using OrderClient;

namespace OrderFunctions.Tests.Client;

/// <summary>What <c>--help</c> shows for every command: defaults as a user would type them, and never a secret.</summary>
public sealed class HelpTests
{
    public static TheoryData<string> Commands() =>
        [.. OrderClientApp.BuildRootCommand(ClientEnvironment.Default).Subcommands.Select(c => c.Name)];

    private static Task<ClientRun> HelpAsync(string command) =>
        ClientRun.RunAsync(new ClientRunSettings
        {
            Handler = new FakeOrdersHandler((_, _) => new HttpResponseMessage(HttpStatusCode.InternalServerError)),
            Variables = new Dictionary<string, string> { ["ORDER_API_KEY"] = "s3cret-function-key" },
        }, command, "--help");

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_never_prints_the_key_or_a_raw_timespan_when_the_key_is_set(string command)
    {
        var help = await HelpAsync(command);

        Assert.Equal(ExitCodes.Success, help.ExitCode);
        if (command != "keygen") Assert.Contains("--url", help.Output); // keygen talks to no server
        Assert.DoesNotContain("s3cret-function-key", help.Output);
        Assert.DoesNotMatch(@"\d\d:\d\d:\d\d", help.Output);
    }

    [Fact]
    public async Task Help_shows_the_load_duration_default_as_10s()
    {
        var help = await HelpAsync("load");

        Assert.Contains("[default: 10s]", help.Output);
    }

    [Fact]
    public async Task Load_runs_for_the_default_duration_when_none_is_given()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var handler = new FakeOrdersHandler((_, _) =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            return FakeOrdersHandler.Json(HttpStatusCode.Created, "{}");
        });

        var run = await ClientRun.RunAsync(new ClientRunSettings { Handler = handler, Clock = clock },
            "load", "--url", "http://orders.test/API/orders", "--allow-remote", "--per-request", "-c", "1");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(10, handler.Requests.Count);
        Assert.Contains("Load: 1 connection, 10 s", run.Output);
    }
}
