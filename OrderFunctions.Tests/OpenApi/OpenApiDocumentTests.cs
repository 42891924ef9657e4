using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using OrderFunctions.Http;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.OpenApi;

/// <summary>The committed OpenAPI document: what the build generates, served anonymously by both hosts.</summary>
public sealed class OpenApiDocumentTests
{
    [Fact]
    public void Committed_document_equals_what_the_build_generates()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        var generatedPath = Path.Combine(OpenApiContract.RepositoryRoot, "OrderFunctions.Standalone", "obj", configuration, "openapi",
            "openapi.json");
        var committedPath = Path.Combine(OpenApiContract.RepositoryRoot, "OrderFunctions", "openapi.json");

        var generated = JsonNode.Parse(File.ReadAllText(generatedPath));
        var committed = JsonNode.Parse(File.ReadAllText(committedPath));

        Assert.True(JsonNode.DeepEquals(generated, committed),
            "OrderFunctions/openapi.json is stale: rebuild with `dotnet build OrderFunctions.Standalone -p:UpdateOpenApiDocument=true` " +
            "and commit it.");
        Assert.True(JsonNode.DeepEquals(committed, OpenApiContract.Committed), "The embedded document is not the committed file: rebuild.");
    }

    [Fact]
    public void Document_is_openapi_3_1_and_describes_every_function_route()
    {
        var document = OpenApiContract.Committed;
        var paths = document["paths"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal);

        Assert.StartsWith("3.1", document["openapi"]!.GetValue<string>());
        Assert.Equal(
            ["/API/dashboard", "/API/health", "/API/openapi.json", "/API/orders", "/API/orders/batch", "/API/orders/export", "/API/orders/stats",
                "/API/orders/{id}"],
            paths);
        var schemes = document["components"]!["securitySchemes"]!;
        Assert.Equal(("header", "x-functions-key"),
            (schemes["functionKey"]!["in"]!.GetValue<string>(), schemes["functionKey"]!["name"]!.GetValue<string>()));
        Assert.Equal(("query", "code"),
            (schemes["functionKeyQuery"]!["in"]!.GetValue<string>(), schemes["functionKeyQuery"]!["name"]!.GetValue<string>()));
        var create = document["paths"]!["/API/orders"]!["post"]!;
        Assert.Equal(["application/json"], create["requestBody"]!["content"]!.AsObject().Select(c => c.Key));
        Assert.Equal(["200", "201", "400", "401", "403", "409", "412", "413", "415", "431", "500", "503"],
            create["responses"]!.AsObject().Select(r => r.Key).Order(StringComparer.Ordinal));
        var batch = document["paths"]!["/API/orders/batch"]!["post"]!;
        Assert.Equal(["application/json", "application/x-ndjson"], batch["requestBody"]!["content"]!.AsObject().Select(c => c.Key));
        Assert.Equal("array", batch["responses"]!["201"]!["content"]!["application/json; charset=utf-8"]!["schema"]!["type"]!.GetValue<string>());
        foreach (var ingestion in new[] { create, batch })
        {
            var precondition = Assert.Single(ingestion["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == OrderHeaders.IfOrderStored)!;
            Assert.Equal(("header", false), (precondition["in"]!.GetValue<string>(), precondition["required"]?.GetValue<bool>() ?? false));
            Assert.Equal("#/components/schemas/PreconditionFailedProblemDetails",
                ingestion["responses"]!["412"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
        }
    }

    [Fact]
    public void Document_describes_every_operation_as_generators_and_testers_read_it()
    {
        var document = OpenApiContract.Committed;
        var operations = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => (Name: $"{op.Key.ToUpperInvariant()} {path.Key}", Operation: op.Value!)))
            .ToList();

        Assert.Equal("/", document["servers"]![0]!["url"]!.GetValue<string>()); // relative: local and deployed alike
        Assert.Equal(operations.Count, operations.Select(o => o.Operation["operationId"]!.GetValue<string>()).Distinct().Count());
        Assert.All(operations, o => Assert.Contains(o.Operation["responses"]!.AsObject(), r => r.Key.StartsWith('4')));
        Assert.All(operations.Where(o => o.Operation["security"]!.AsArray().Count > 0), o => Assert.NotNull(o.Operation["responses"]!["401"]));
        Assert.All(operations.Where(o => o.Name.StartsWith("HEAD ", StringComparison.Ordinal)),
            o => Assert.All(o.Operation["responses"]!.AsObject(), r => Assert.Null(r.Value!["content"])));
        Assert.All(operations.SelectMany(o => o.Operation["parameters"]?.AsArray() ?? []).Where(p => p!["in"]!.GetValue<string>() == "path"),
            p => Assert.NotNull(p!["example"]));
        var create = document["paths"]!["/API/orders"]!["post"]!["responses"]!;
        Assert.True(create["201"]!["headers"]!["Location"]!["required"]!.GetValue<bool>());
        Assert.True(create["200"]!["headers"]!["Idempotent-Replayed"]!["required"]!.GetValue<bool>());
        Assert.Equal("#/components/schemas/StoredOrder",
            create["201"]!["content"]!["application/json; charset=utf-8"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/ConflictProblemDetails",
            create["409"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
    }

    [Fact]
    public void Document_resolves_every_ref_and_describes_amounts_and_problem_extensions()
    {
        var document = OpenApiContract.Committed;
        var schemas = document["components"]!["schemas"]!;
        static IEnumerable<string> Refs(JsonNode? node) => node switch
        {
            JsonObject o => o.SelectMany(p => p.Key == "$ref" ? [p.Value!.GetValue<string>()] : Refs(p.Value)),
            JsonArray a => a.SelectMany(Refs),
            _ => [],
        };

        Assert.All(Refs(document).Distinct(), r => Assert.NotNull(schemas[r.Replace("#/components/schemas/", "", StringComparison.Ordinal)]));
        foreach (var (schema, property) in new[] { ("OrderRequest", "size"), ("OrderRequest", "price"), ("StoredOrder", "size"),
            ("StoredOrder", "price"),
                     ("MarketStats", "buyVolume"), ("MarketStats", "sellVolume"), ("MarketStats", "notional"), ("MarketStats", "vwap"),
                     ("MarketStats", "minPrice"), ("MarketStats", "maxPrice") })
        {
            var amount = schemas[schema]!["properties"]![property]!;
            Assert.Equal("decimal", amount["format"]!.GetValue<string>());
            Assert.Equal(["number", "string"], amount["type"]!.AsArray().Select(t => t!.GetValue<string>()));
        }
        Assert.NotNull(schemas["ProblemDetails"]!["properties"]!["traceId"]);
        Assert.NotNull(schemas["HttpValidationProblemDetails"]!["properties"]!["traceId"]);
        Assert.Equal(["existingId", "index", "traceId"], schemas["ConflictProblemDetails"]!["properties"]!.AsObject()
            .Select(p => p.Key).Where(k => k is "existingId" or "index" or "traceId").Order(StringComparer.Ordinal));
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
        await using var app = new StandaloneApplication();
        var response = await app.ExecuteAsync(result);

        Assert.Equal(200, response.Status);
        Assert.Equal("application/json", response.ContentType);
        Assert.True(JsonNode.DeepEquals(OpenApiContract.Committed, JsonNode.Parse(response.Body)));
    }
}
