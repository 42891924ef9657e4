using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.OpenApi;

/// <summary>The committed OpenAPI document: what the build generates, served anonymously by both hosts.</summary>
public sealed class OpenApiDocumentTests
{
    [Fact]
    public void Committed_document_equals_what_the_build_generates()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        var generatedPath = Path.Combine(OpenApiContract.RepositoryRoot, "OrderFunctions.Standalone", "obj", configuration, "openapi", "openapi.json");
        var committedPath = Path.Combine(OpenApiContract.RepositoryRoot, "OrderFunctions", "openapi.json");

        var generated = JsonNode.Parse(File.ReadAllText(generatedPath));
        var committed = JsonNode.Parse(File.ReadAllText(committedPath));

        Assert.True(JsonNode.DeepEquals(generated, committed),
            $"OrderFunctions/openapi.json is stale: rebuild with `dotnet build OrderFunctions.Standalone -p:UpdateOpenApiDocument=true` and commit it.");
        Assert.True(JsonNode.DeepEquals(committed, OpenApiContract.Committed), "The embedded document is not the committed file: rebuild.");
    }

    [Fact]
    public void Document_is_openapi_3_1_and_describes_every_function_route()
    {
        var document = OpenApiContract.Committed;
        var paths = document["paths"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal);

        Assert.StartsWith("3.1", document["openapi"]!.GetValue<string>());
        Assert.Equal(["/API/health", "/API/openapi.json", "/API/orders", "/API/orders/batch", "/API/orders/stats", "/API/orders/{id}"], paths);
        var schemes = document["components"]!["securitySchemes"]!;
        Assert.Equal(("header", "x-functions-key"), (schemes["functionKey"]!["in"]!.GetValue<string>(), schemes["functionKey"]!["name"]!.GetValue<string>()));
        Assert.Equal(("query", "code"), (schemes["functionKeyQuery"]!["in"]!.GetValue<string>(), schemes["functionKeyQuery"]!["name"]!.GetValue<string>()));
        var create = document["paths"]!["/API/orders"]!["post"]!;
        Assert.Equal(["application/json"], create["requestBody"]!["content"]!.AsObject().Select(c => c.Key));
        Assert.Equal(["200", "201", "400", "401", "409", "413", "415", "431", "500", "503"], create["responses"]!.AsObject().Select(r => r.Key).Order(StringComparer.Ordinal));
        var batch = document["paths"]!["/API/orders/batch"]!["post"]!;
        Assert.Equal(["application/json", "application/x-ndjson"], batch["requestBody"]!["content"]!.AsObject().Select(c => c.Key));
        Assert.Equal("array", batch["responses"]!["201"]!["content"]!["application/json; charset=utf-8"]!["schema"]!["type"]!.GetValue<string>());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Standalone_host_serves_the_committed_document_without_a_key_when_keys_are_required()
    {
        await using var app = new StandaloneApplication(new Dictionary<string, string?> { ["OrderApi:Keys:0"] = "a-key" });
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/API/openapi.json");
        using var orders = await client.GetAsync("/API/orders");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(GetOpenApiDocument.Content.ToArray(), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, orders.StatusCode); // the key is still required elsewhere
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Function_serves_the_committed_document_anonymously_on_the_functions_host()
    {
        var result = await new GetOpenApiDocument().Run(new DefaultHttpContext().Request);
        var response = await HttpResultRunner.ExecuteAsync(result);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("application/json", response.ContentType);
        Assert.True(JsonNode.DeepEquals(OpenApiContract.Committed, JsonNode.Parse(response.Body)));
    }
}
