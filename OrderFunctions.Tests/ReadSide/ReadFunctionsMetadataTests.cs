using System.Text.Json;

namespace OrderFunctions.Tests.ReadSide;

/// <summary>The built functions.metadata, which the Functions host routes on, lists the read functions as intended.</summary>
public sealed class ReadFunctionsMetadataTests
{
    [Theory]
    [InlineData("GetOrder", "orders/{id:long}")]
    [InlineData("ListOrders", "orders")]
    [InlineData("OrderStats", "orders/stats")]
    [InlineData("ExportOrders", "orders/export")]
    public void Metadata_lists_the_function_with_its_route_when_built(string name, string route)
    {
        using var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")));

        var function = Assert.Single(metadata.RootElement.EnumerateArray(), f => f.GetProperty("name").GetString() == name);
        var trigger = Assert.Single(function.GetProperty("bindings").EnumerateArray(), b => b.GetProperty("type").GetString() == "httpTrigger");
        Assert.Equal($"OrderFunctions.{name}.Run", function.GetProperty("entryPoint").GetString());
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal(["get"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("Function", trigger.GetProperty("authLevel").GetString());
    }
}
