using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using OrderFunctions.Tests.Ingestion;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.OpenApi;

/// <summary>
/// The committed OpenAPI document (the bytes both hosts serve) and a check of one response against it: the status is documented
/// for the operation, the Content-Type header is one it lists (exactly, charset included, as Dredd compares), the body
/// validates against its schema (JsonSchema.Net, OpenAPI 3.1 being JSON Schema 2020-12), and its required headers are present.
/// </summary>
internal static class OpenApiContract
{
    private static readonly Uri DocumentUri = new("https://orderfunctions.invalid/openapi.json");

    public static JsonNode Committed { get; } = JsonNode.Parse(GetOpenApiDocument.Content.Span)!;

    private static readonly Lazy<BuildOptions> Build = new(() =>
    {
        var registry = new SchemaRegistry();
        registry.Register(new JsonElementBaseDocument(JsonDocument.Parse(GetOpenApiDocument.Content).RootElement.Clone(), DocumentUri));
        return new BuildOptions { SchemaRegistry = registry };
    });

    /// <summary>Folder of the repository (the one holding OrderFunctions.sln).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var folder = new DirectoryInfo(AppContext.BaseDirectory);
            while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "OrderFunctions.sln"))) folder = folder.Parent;
            return folder?.FullName ?? throw new DirectoryNotFoundException("OrderFunctions.sln not found above the test output.");
        }
    }

    /// <summary>Problems with <paramref name="response"/> to <c>method path</c> (path as in the document); empty when none.</summary>
    public static IReadOnlyList<string> Check(string method, string path, ApiResponse response)
    {
        var problems = new List<string>();
        var operation = Committed["paths"]?[path]?[method.ToLowerInvariant()];
        if (operation is null) return [$"{method} {path} is not in the document"];
        var status = response.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var documented = operation["responses"]?[status];
        if (documented is null) return [$"{method} {path} answered {status}, which the document does not list"];

        foreach (var (name, header) in documented["headers"]?.AsObject() ?? [])
        {
            if (header?["required"]?.GetValue<bool>() == true && response.Header(name) is null)
            {
                problems.Add($"{status}: required header {name} missing");
            }
        }

        // A HEAD answer has no content whatever its headers say (RFC 9110 9.3.2): Kestrel sends none, the in-memory
        // TestServer passes the GET's on, and no client reads it.
        if (method == "HEAD") return problems;
        var content = documented["content"]?.AsObject();
        if (content is null || content.Count == 0)
        {
            if (response.Body.Length > 0) problems.Add($"{status}: the document lists no body, the response has one");
            return problems;
        }
        // The whole header, parameters included, as Dredd compares it: the document must name what the server sends.
        if ((response.Header("Content-Type") ?? response.ContentType) is not { } type || !content.ContainsKey(type))
        {
            problems.Add($"{status}: Content-Type '{response.Header("Content-Type") ?? response.ContentType}' " +
                $"is not one of {string.Join(", ", content.Select(c => c.Key))}");
            return problems;
        }
        // A text body (CSV, NDJSON, HTML) is documented as a string: its type is what can be checked.
        if (type.Split(';')[0].Trim() is not ("application/json" or "application/problem+json")) return problems;
        var pointer = $"#/paths/{Escape(path)}/{method.ToLowerInvariant()}/responses/{status}/content/{Escape(type)}/schema";
        var schema = JsonSchema.FromText($$"""{"$ref":"{{DocumentUri}}{{pointer}}"}""", Build.Value);
        using var body = JsonDocument.Parse(response.Body);
        var result = schema.Evaluate(body.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!result.IsValid)
        {
            var errors = (result.Details ?? []).Where(d => d.Errors is not null)
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
            problems.Add($"{status}: body does not match {pointer}: {string.Join("; ", errors)} in {response.Body}");
        }
        return problems;
    }

    // JSON Pointer escaping (~ and /), then percent-encoding for the URI fragment.
    private static string Escape(string token) => Uri.EscapeDataString(token.Replace("~", "~0").Replace("/", "~1"));
}
