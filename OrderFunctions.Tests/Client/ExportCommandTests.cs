using System.Net;
using System.Text;
using OrderClient;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Client;

/// <summary><c>OrderClient export</c> against the standalone host over a real socket.</summary>
public sealed class ExportCommandTests(ExportCommandTests.HostFixture fixture) : IClassFixture<ExportCommandTests.HostFixture>, IDisposable
{
    public sealed class HostFixture : IAsyncLifetime
    {
        public StandaloneApplication Host { get; private set; } = null!;
        public async Task InitializeAsync() => Host = await StandaloneApplication.StartAsync();
        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    private readonly string _file = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.csv");
    private readonly string _user = "export-" + Guid.NewGuid().ToString("N")[..12];

    public void Dispose()
    {
        File.Delete(_file);
        File.Delete(_file + ".partial");
    }

    private async Task PostAsync(int count)
    {
        using var http = new HttpClient { BaseAddress = fixture.Host.BaseAddress };
        var orders = string.Join(',', Enumerable.Range(0, count).Select(i =>
            $"{{\"timestamp\":\"2026-11-27T10:{i % 60:D2}:00Z\",\"username\":\"{_user}\",\"market\":\"EXP-USD\"," +
            $"\"side\":\"{(i % 2 == 0 ? "buy" : "sell")}\",\"size\":0.{i + 1:D8},\"price\":43000.12345678}}"));
        using var response = await http.PostAsync("/API/orders", new StringContent($"[{orders}]", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Export_writes_the_servers_csv_to_the_file_and_reports_progress_on_stderr()
    {
        await PostAsync(25);

        var run = await ClientRun.RunAsync(new ClientRunSettings(), "export", "--url", fixture.Host.OrdersUrl.ToString(), "--format", "csv",
            "--out", _file, "--username", _user);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using var http = new HttpClient { BaseAddress = fixture.Host.BaseAddress };
        var expected = await http.GetStringAsync($"/API/orders/export?format=csv&username={_user}");
        Assert.Equal(expected, await File.ReadAllTextAsync(_file));
        Assert.Equal(26, (await File.ReadAllLinesAsync(_file)).Length);
        Assert.Contains("export: 25 orders", run.Error, StringComparison.Ordinal);
        Assert.Contains("Exported 25 orders", run.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(_file + ".partial"));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Export_prints_the_problem_and_writes_no_file_when_the_server_refuses_the_filter()
    {
        var run = await ClientRun.RunAsync(new ClientRunSettings(), "export", "--url", fixture.Host.OrdersUrl.ToString(), "--out", _file,
            "--from", "yesterday");

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.True(run.Error.Contains("from:", StringComparison.Ordinal), run.Error);
        Assert.False(File.Exists(_file));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Export_refuses_a_format_the_server_does_not_offer_before_sending_anything()
    {
        var run = await ClientRun.RunAsync(new ClientRunSettings(), "export", "--url", "http://127.0.0.1:9/API/orders", "--format", "xlsx",
            "--out", _file);

        Assert.NotEqual(ExitCodes.Success, run.ExitCode);
        Assert.Contains("xlsx", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_file));
    }
}
