using System.Text.Json;

namespace OrderFunctions.Tests.Hosting;

/// <summary>What the Functions host will route: the built functions.metadata and the host.json beside it.</summary>
public sealed class FunctionMetadataTests
{
    private static JsonElement Read(string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, file))).RootElement;

    private static JsonElement Trigger(string function)
    {
        var entry = Read("functions.metadata").EnumerateArray().Single(f => f.GetProperty("name").GetString() == function);
        return entry.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "httpTrigger");
    }

    [Fact]
    public void HostJson_sets_route_prefix_API_when_built()
    {
        var host = Read("host.json");

        Assert.Equal("2.0", host.GetProperty("version").GetString());
        Assert.Equal("API", host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    // At thousands of orders per second the host must neither log two lines per invocation nor send every request:
    // requests (Host.Results) are sampled down to a rate, per-function aggregates (Host.Aggregator) stay exact, and the
    // app's own metrics come from the worker's meter, aggregated before export.
    [Fact]
    public void HostJson_keeps_telemetry_volume_bounded_at_any_request_rate_when_built()
    {
        var logging = Read("host.json").GetProperty("logging");
        var levels = logging.GetProperty("logLevel");
        var sampling = logging.GetProperty("applicationInsights").GetProperty("samplingSettings");

        Assert.Equal("Warning", levels.GetProperty("default").GetString());
        Assert.Equal("Warning", levels.GetProperty("Function").GetString());
        Assert.Equal("Information", levels.GetProperty("Host.Results").GetString());
        Assert.Equal("Information", levels.GetProperty("Host.Aggregator").GetString());
        Assert.True(sampling.GetProperty("isEnabled").GetBoolean());
        Assert.InRange(sampling.GetProperty("maxTelemetryItemsPerSecond").GetInt32(), 1, 100);
        Assert.DoesNotContain("Request", sampling.GetProperty("excludedTypes").GetString()!.Split(';'));
        Assert.False(Read("host.json").TryGetProperty("telemetryMode", out _)); // the OpenTelemetry mode cannot sample the host's traces
    }

    [Fact]
    public void GetOpenApiDocument_answers_get_at_openapi_json_anonymously_when_built()
    {
        var trigger = Trigger("GetOpenApiDocument");

        Assert.Equal("openapi.json", trigger.GetProperty("route").GetString());
        Assert.Equal(["get"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString());
    }

    [Fact]
    public void OrderRoutes_prefix_is_the_route_prefix_of_host_json_when_built()
    {
        var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "host.json"))).RootElement;

        Assert.Equal(OrderFunctions.Http.OrderRoutes.Prefix,
            host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void CreateOrder_answers_post_at_orders_with_function_key_when_built()
    {
        var trigger = Trigger("CreateOrder");

        Assert.Equal("orders", trigger.GetProperty("route").GetString());
        Assert.Equal(["post"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("Function", trigger.GetProperty("authLevel").GetString());
    }

    [Fact]
    public void CreateOrders_answers_post_at_orders_batch_with_function_key_when_built()
    {
        var trigger = Trigger("CreateOrders");

        Assert.Equal(OrderFunctions.Http.OrderRoutes.Batch, trigger.GetProperty("route").GetString());
        Assert.Equal("orders/batch", trigger.GetProperty("route").GetString()); // the client library posts here
        Assert.Equal(["post"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("Function", trigger.GetProperty("authLevel").GetString());
    }

    [Fact]
    public void FunctionsMetadata_points_at_the_function_app_assembly()
    {
        var entry = Read("functions.metadata").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "CreateOrder");

        Assert.Equal("OrderFunctions.dll", entry.GetProperty("scriptFile").GetString());
        Assert.Equal("OrderFunctions.CreateOrder.Run", entry.GetProperty("entryPoint").GetString());
    }
}
