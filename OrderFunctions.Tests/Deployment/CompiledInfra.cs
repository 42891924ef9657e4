using System.Text.Json.Nodes;

namespace OrderFunctions.Tests.Deployment;

/// <summary>
/// infra/main.bicep compiled once per test run to ARM JSON, with the resources of every nested module flattened, so
/// tests read what Azure Resource Manager would be sent rather than the Bicep text.
/// </summary>
internal sealed class CompiledInfra
{
    private static readonly Lazy<Task<CompiledInfra>> Main = new(async () =>
    {
        var (template, diagnostics) = await BicepCli.BuildAsync(RepositoryFiles.MainTemplate);
        return template is null
            ? throw new InvalidOperationException(
                $"infra/main.bicep does not compile:{Environment.NewLine}{string.Join(Environment.NewLine, diagnostics)}")
            : new CompiledInfra(template);
    });

    private CompiledInfra(JsonObject template)
    {
        Template = template;
        Resources = Flatten(template).ToList();
    }

    public static Task<CompiledInfra> LoadAsync() => Main.Value;

    /// <summary>The compiled main.bicep.</summary>
    public JsonObject Template { get; }

    /// <summary>A variable of main.bicep or of a module it deploys, as compiled.</summary>
    public JsonNode Variable(string name) =>
        Assert.Single(Templates(Template), t => t["variables"]?[name] is not null)["variables"]![name]!;

    /// <summary>Every resource of main.bicep and of the modules it deploys, modules included.</summary>
    public IReadOnlyList<JsonObject> Resources { get; }

    public IEnumerable<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase));

    public JsonObject Single(string type) => Assert.Single(OfType(type));

    /// <summary>The function app's settings: the properties of its Microsoft.Web/sites/config 'appsettings' resource.</summary>
    public IReadOnlyDictionary<string, string> AppSettings()
    {
        var config = Assert.Single(OfType("Microsoft.Web/sites/config"), r => ((string?)r["name"])!.Contains("'appsettings'"));
        return config["properties"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.ToString());
    }

    private static IEnumerable<JsonObject> Templates(JsonObject template) =>
        new[] { template }.Concat(Flatten(template)
            .Where(r => (string?)r["type"] == "Microsoft.Resources/deployments")
            .Select(r => r["properties"]!["template"]!.AsObject()));

    private static IEnumerable<JsonObject> Flatten(JsonObject template)
    {
        // languageVersion 2.0 templates keep resources in an object keyed by symbolic name, 1.0 in an array.
        var resources = template["resources"] switch
        {
            JsonArray array => array.Select(r => r!.AsObject()),
            JsonObject byName => byName.Select(p => p.Value!.AsObject()),
            _ => [],
        };
        foreach (var resource in resources)
        {
            yield return resource;
            if ((string?)resource["type"] == "Microsoft.Resources/deployments" && resource["properties"]?["template"] is JsonObject nested)
                foreach (var inner in Flatten(nested)) yield return inner;
        }
    }
}
