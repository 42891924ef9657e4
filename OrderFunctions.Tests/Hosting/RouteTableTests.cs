using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrderFunctions.Standalone;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Hosting;

/// <summary>
/// One route table: the standalone host serves exactly what the built functions.metadata and host.json tell the
/// Functions host to serve, because it reads the same attributes. A route, method or auth level the standalone host
/// did not follow makes these fail.
/// </summary>
public sealed class RouteTableTests
{
    private static JsonElement Read(string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, file))).RootElement;

    /// <summary>(name, "/routePrefix/route", methods, authLevel) for every HTTP function, as the Functions host reads them.</summary>
    private static List<string> FromBuiltMetadata()
    {
        var prefix = Read("host.json").GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString();
        return [.. Read("functions.metadata").EnumerateArray()
            .Select(f => (name: f.GetProperty("name").GetString(),
                trigger: f.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "httpTrigger")))
            .Select(f => Describe(f.name!, $"/{prefix}/{f.trigger.GetProperty("route").GetString()}",
                f.trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()),
                f.trigger.GetProperty("authLevel").GetString()!))
            .Order(StringComparer.Ordinal)];
    }

    private static string Describe(string name, string pattern, IEnumerable<string> methods, string authLevel) =>
        $"{name} {string.Join(',', methods.Order(StringComparer.Ordinal))} {pattern} {authLevel}";

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Standalone_endpoints_match_the_built_functions_metadata()
    {
        await using var app = new StandaloneApplication();

        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<FunctionRoute>() is not null)
            .Select(e => Describe(
                e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName,
                "/" + e.RoutePattern.RawText!.TrimStart('/'),
                e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods,
                e.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is null
                    ? e.Metadata.GetMetadata<FunctionRoute>()!.AuthLevel.ToString()
                    : "Anonymous"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(7, endpoints.Count);
        Assert.Equal(FromBuiltMetadata(), endpoints);
        Assert.Contains("CreateOrders POST /API/orders/batch Function", endpoints);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Standalone_serves_a_function_at_the_route_its_attribute_names()
    {
        await using var app = new StandaloneApplication();
        using var client = app.CreateClient();

        using var health = await client.GetAsync("/API/health");
        using var outsidePrefix = await client.GetAsync("/health");

        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, outsidePrefix.StatusCode);
    }

    [Theory]
    [InlineData("""{"version":"2.0","extensions":{"http":{"routePrefix":"API"}}}""", "API")]
    [InlineData("""{"version":"2.0","extensions":{"http":{"routePrefix":""}}}""", "")]
    [InlineData("""{"version":"2.0"}""", "api")]
    public void ReadRoutePrefix_follows_host_json_with_the_hosts_default(string hostJson, string expected)
    {
        var path = Path.Combine(Path.GetTempPath(), $"host-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, hostJson);
        try
        {
            Assert.Equal(expected, FunctionRouteTable.ReadRoutePrefix(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Pattern_joins_prefix_and_route_without_doubled_slashes()
    {
        var route = FunctionRouteTable.Discover(typeof(CreateOrder).Assembly).Single(r => r.Name == nameof(GetOrder));

        Assert.Equal("/API/orders/{id:long}", route.Pattern("API"));
        Assert.Equal("/orders/{id:long}", route.Pattern(""));
    }
}
