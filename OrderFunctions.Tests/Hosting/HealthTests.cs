using System.Net;
using System.Text.Json;
using OrderFunctions.Tests.Client;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Support;


using OrderFunctions.Tests.Ingestion;
using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
namespace OrderFunctions.Tests.Hosting;

/// <summary>GET /API/health: 200 while the store answers, 503 problem with Retry-After while it does not.</summary>
public sealed class HealthTests
{
    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_200_healthy_when_store_answers()
    {
        await using var api = new StandaloneApplication();

        var response = await api.GetHealthAsync();

        Assert.Equal(200, response.Status);
        Assert.Equal("{\"status\":\"healthy\"}", response.Body);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_503_problem_with_retry_after_when_store_cannot_be_opened()
    {
        var missingDirectory = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}", "orders.db");
        await using var api = new StandaloneApplication(
            new Dictionary<string, string?> { ["ConnectionStrings:Orders"] = $"Data Source={missingDirectory}" });

        var response = await api.GetHealthAsync();

        Assert.Equal(503, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal("1", response.Header("Retry-After"));
        Assert.Contains("cannot be opened", response.Json.GetProperty("detail").GetString());
        Assert.DoesNotContain(missingDirectory, response.Body);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Get_returns_200_healthy_over_http()
    {
        await using var host = await StandaloneApplication.StartAsync();
        using var client = new HttpClient();

        using var response = await client.GetAsync(new Uri(host.BaseAddress, "/API/health"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"status\":\"healthy\"}", await response.Content.ReadAsStringAsync());
    }

    // The document describes HEAD /API/health without content: over a socket no byte of body follows the headers.
    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Head_returns_200_without_a_body_over_http()
    {
        await using var host = await StandaloneApplication.StartAsync();
        using var client = new HttpClient();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(host.BaseAddress, "/API/health")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public void Metadata_declares_health_as_anonymous_get_and_head_on_route_health()
    {
        using var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")));

        var trigger = metadata.RootElement.EnumerateArray()
            .Single(f => f.GetProperty("name").GetString() == "Health")
            .GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "httpTrigger");

        Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString());
        Assert.Equal("health", trigger.GetProperty("route").GetString());
        Assert.Equal(["get", "head"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
    }
}
