using System.Text.Json;
using OrderClient;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Client;

/// <summary>
/// The client against a standalone host with named callers (<see cref="AccessCallers"/>): the caller's key goes as
/// x-api-key from --api-key or $ORDER_CALLER_KEY, is never printed, and a 401 says which option or variable to set.
/// </summary>
public sealed class ClientCallerKeyTests(ClientCallerKeyTests.HostFixture fixture) : IClassFixture<ClientCallerKeyTests.HostFixture>
{
    public sealed class HostFixture : IAsyncLifetime
    {
        public StandaloneApplication Host { get; private set; } = null!;
        public async Task InitializeAsync() => Host = await StandaloneApplication.StartAsync(environment: AccessCallers.Environment());
        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    private string Url => fixture.Host.OrdersUrl.ToString();

    private static string NewUser() => $"desk1-cli-{Guid.NewGuid():N}"[..30];

    private string[] Send(string user, params string[] extra) =>
        ["send", "--url", Url, "--username", user, "--market", "BTC-USD", "--side", "buy", "--size", "0.1", "--price", "43000", .. extra];

    [Fact]
    public async Task Send_and_list_store_and_read_as_the_caller_when_api_key_option_is_given()
    {
        var user = NewUser();

        var sent = await ClientRun.RunAsync(new ClientRunSettings(), Send(user, "--api-key", AccessCallers.Desk1Key));
        var listed = await ClientRun.RunAsync(
            new ClientRunSettings(), "list", "--url", Url, "--username", user, "--json", "--api-key", AccessCallers.Desk1Key);

        Assert.True(sent.ExitCode == ExitCodes.Success, sent.Error);
        Assert.True(listed.ExitCode == ExitCodes.Success, listed.Error);
        var order = Assert.Single(Orders(listed.Output));
        Assert.Equal(user, order.GetProperty("username").GetString());
        Assert.Equal("desk1", order.GetProperty("storedBy").GetString());
        Assert.DoesNotContain(AccessCallers.Desk1Key, sent.Output + sent.Error + listed.Output + listed.Error);
    }

    [Fact]
    public async Task Send_stores_as_the_caller_when_key_comes_from_the_environment_variable()
    {
        var user = NewUser();
        var settings = new ClientRunSettings { Variables = new Dictionary<string, string> { [ApiEndpoint.ApiKeyVariable] = AccessCallers.Desk1Key } };

        var sent = await ClientRun.RunAsync(settings, Send(user));
        var listed = await ClientRun.RunAsync(settings, "list", "--url", Url, "--username", user, "--json");

        Assert.True(sent.ExitCode == ExitCodes.Success, sent.Error);
        Assert.Equal("desk1", Assert.Single(Orders(listed.Output)).GetProperty("storedBy").GetString());
        Assert.DoesNotContain(AccessCallers.Desk1Key, sent.Output + sent.Error);
    }

    [Fact]
    public async Task Replay_stores_every_line_as_the_caller_when_api_key_option_is_given()
    {
        var user = NewUser();
        var file = Path.Combine(Path.GetTempPath(), $"replay-{Guid.NewGuid():N}.ndjson");
        await File.WriteAllLinesAsync(file, Enumerable.Range(0, 3).Select(i => TestOrders.Json(username: user, clientOrderId: $"r-{i}")));
        try
        {
            var replayed = await ClientRun.RunAsync(
                new ClientRunSettings(), "replay", "--url", Url, "--file", file, "--batch", "2", "--api-key", AccessCallers.Desk1Key);
            var listed = await ClientRun.RunAsync(
                new ClientRunSettings(), "list", "--url", Url, "--username", user, "--json", "--api-key", AccessCallers.Desk1Key);

            Assert.True(replayed.ExitCode == ExitCodes.Success, replayed.Error);
            var orders = Orders(listed.Output);
            Assert.Equal(3, orders.Count);
            Assert.All(orders, order => Assert.Equal("desk1", order.GetProperty("storedBy").GetString()));
            Assert.DoesNotContain(AccessCallers.Desk1Key, replayed.Output + replayed.Error);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("send")]
    [InlineData("list")]
    public async Task Command_is_refused_with_the_setting_to_use_when_no_caller_key_is_given(string command)
    {
        var user = NewUser();
        string[] args = command == "send" ? Send(user) : ["list", "--url", Url, "--username", user];

        var run = await ClientRun.RunAsync(new ClientRunSettings(), args);

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.Contains("(401)", run.Error);
        Assert.Contains($"--api-key or ${ApiEndpoint.ApiKeyVariable}", run.Error);
    }

    private static List<JsonElement> Orders(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var items = root.ValueKind == JsonValueKind.Array ? root : root.GetProperty("items");
        return [.. items.EnumerateArray().Select(e => e.Clone())];
    }
}
