using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using OrderFunctions.Standalone;
using OrderFunctions.Tests.Support;

using OrderFunctions.Tests.Client;
namespace OrderFunctions.Tests.Hosting;

/// <summary>The standalone host's request log: one line per request, never a key, settings found beside the app.</summary>
public sealed partial class RequestLogTests : IDisposable
{
    private const string Key = "key-that-must-never-be-logged-7f3a";
    private const string WrongKey = "wrong-key-that-must-never-be-logged-91c2";

    // The simple console formatter on one line: "<timestamp> info: <category>[<event id>] <message>".
    [GeneratedRegex(@"info: OrderFunctions\.Standalone\.RequestLog\[1\] (?<method>\S+) (?<route>\S+) (?<status>\d{3}) (?<ms>\d+\.\d{3}) ms$")]
    private static partial Regex RequestLine();

    private readonly string _elsewhere = Directory.CreateTempSubdirectory("orders-cwd-").FullName;

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Host_logs_one_line_per_request_with_method_route_status_and_duration_when_started_from_another_directory()
    {
        // Arrange: the default level of appsettings.json; the process starts in a folder that holds no settings.
        await using var host = await StandaloneHost.StartAsync(environment: new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Information",
            ["OrderApi__Keys__0"] = Key,
        }, workingDirectory: _elsewhere);
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        // Act
        var created = await http.PostAsync($"/API/orders?code={Key}", new StringContent(TestOrders.ValidJson, Encoding.UTF8, "application/json"));
        var id = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
        var read = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/API/orders/{id}")
        {
            Headers = { { FunctionKeyFilter.HeaderName, Key } }
        });
        var refused = await http.GetAsync($"/API/orders/stats?code={WrongKey}");
        var health = await http.GetAsync("/API/health");
        var missing = await http.GetAsync($"/API/nowhere?code={Key}");

        // Assert
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.OK, HttpStatusCode.NotFound],
            [created.StatusCode, read.StatusCode, refused.StatusCode, health.StatusCode, missing.StatusCode]);
        var lines = await host.WaitForOutputAsync(o => o.Count(l => RequestLine().IsMatch(l)) >= 5);
        var logged = lines.Select(l => RequestLine().Match(l)).Where(m => m.Success).Select(m =>
        {
            Assert.True(double.TryParse(m.Groups["ms"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            return (m.Groups["method"].Value, m.Groups["route"].Value, int.Parse(m.Groups["status"].Value, CultureInfo.InvariantCulture));
        }).ToList();
        Assert.Equal(
            [("POST", "/API/orders", 201), ("GET", "/API/orders/{id:long}", 200), ("GET", "/API/orders/stats", 401),
             ("GET", "/API/health", 200), ("GET", "/API/nowhere", 404)],
            logged);
        // appsettings.json was found: ASP.NET Core's own per-request lines stay below its Warning level.
        Assert.DoesNotContain(lines, l => l.Contains("info: Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(Key, StringComparison.Ordinal) || l.Contains(WrongKey, StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Host_never_logs_the_code_query_value_when_every_category_logs_at_trace()
    {
        await using var host = await StandaloneHost.StartAsync(environment: new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Trace",
            ["OrderApi__Keys__0"] = Key,
        }, workingDirectory: _elsewhere);
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        await http.PostAsync($"/API/orders?code={Key}", new StringContent(TestOrders.ValidJson, Encoding.UTF8, "application/json"));
        await http.GetAsync($"/API/orders?market=BTC-USD&code={Key}");
        await http.GetAsync($"/API/orders/stats?code={WrongKey}");
        await http.GetAsync($"/API/nowhere?code={Key}");

        var lines = await host.WaitForOutputAsync(o => o.Count(l => RequestLine().IsMatch(l)) >= 4);
        Assert.Contains(lines, l => l.Contains("trce: Microsoft.AspNetCore", StringComparison.Ordinal)); // the level really is Trace
        Assert.DoesNotContain(lines, l => l.Contains(Key, StringComparison.Ordinal) || l.Contains(WrongKey, StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_elsewhere, recursive: true);
}
