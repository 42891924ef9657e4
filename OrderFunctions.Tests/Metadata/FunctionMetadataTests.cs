using System.Text.Json;

namespace OrderFunctions.Tests.Metadata;

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

    [Fact]
    public void OrderRoutes_prefix_is_the_route_prefix_of_host_json_when_built()
    {
        var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "host.json"))).RootElement;

        Assert.Equal(OrderFunctions.Http.OrderRoutes.Prefix, host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
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
    public void FunctionsMetadata_points_at_the_function_app_assembly()
    {
        var entry = Read("functions.metadata").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "CreateOrder");

        Assert.Equal("OrderFunctions.dll", entry.GetProperty("scriptFile").GetString());
        Assert.Equal("OrderFunctions.CreateOrder.Run", entry.GetProperty("entryPoint").GetString());
    }
}
