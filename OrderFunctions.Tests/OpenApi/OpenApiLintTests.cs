using System.Text.Json.Nodes;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.OpenApi;

/// <summary>
/// The document as the host serves it passes Redocly (<c>recommended</c>) and Spectral (<c>spectral:oas</c>) with no
/// error and no warning; the rules turned off are in tools/openapi's configs, each with its reason. And the check can
/// fail: an unresolved $ref and a duplicate operationId planted in a copy are reported by both.
/// </summary>
public sealed class OpenApiLintTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("openapi-lint-").FullName;
    private string _served = "";

    public async Task InitializeAsync()
    {
        await using var app = new StandaloneApplication(new Dictionary<string, string?> { ["OrderApi:Keys:0"] = "lint-key" });
        using var client = app.CreateClient();
        _served = await client.GetStringAsync("/API/openapi.json");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    [OpenApiToolFact(OpenApiTool.Linters, Timeout = TestTimeouts.Server)]
    public async Task Redocly_reports_no_error_and_no_warning_when_linting_the_served_document()
    {
        var problems = await OpenApiLinters.RedoclyAsync(Write("openapi.json", _served));

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [OpenApiToolFact(OpenApiTool.Linters, Timeout = TestTimeouts.Server)]
    public async Task Spectral_reports_no_error_and_no_warning_when_linting_the_served_document()
    {
        var problems = await OpenApiLinters.SpectralAsync(Write("openapi.json", _served));

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [OpenApiToolFact(OpenApiTool.Linters, Timeout = TestTimeouts.Server)]
    public async Task Both_linters_report_errors_when_a_copy_has_an_unresolved_ref_and_a_duplicate_operationId()
    {
        var broken = JsonNode.Parse(_served)!;
        broken["components"]!["schemas"]!["StoredOrder"]!["properties"]!["id"] = new JsonObject { ["$ref"] = "#/components/schemas/Missing" };
        broken["paths"]!["/API/orders/{id}"]!["get"]!["operationId"] = "ListOrders";
        var copy = Write("broken.json", broken.ToJsonString());

        var redocly = await OpenApiLinters.RedoclyAsync(copy);
        var spectral = await OpenApiLinters.SpectralAsync(copy);

        Assert.Contains(redocly,
            p => p is { Severity: "error", Rule: "no-unresolved-refs", Where: "#/components/schemas/StoredOrder/properties/id" });
        Assert.Contains(redocly, p => p is { Severity: "error", Rule: "operation-operationId-unique" });
        Assert.Contains(spectral, p => p is { Severity: "error", Rule: "invalid-ref", Where: "components.schemas.StoredOrder.properties.id.$ref" });
        Assert.Contains(spectral,
            p => p is { Severity: "error", Rule: "operation-operationId-unique", Where: "paths./API/orders/{id}.get.operationId" });
    }
}
