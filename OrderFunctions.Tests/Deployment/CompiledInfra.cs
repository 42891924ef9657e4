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
        var properties = AppSettingsResource()["properties"]!;
        if (properties is JsonObject literal) return literal.ToDictionary(p => p.Key, p => p.Value!.ToString());

        // With the callers' settings merged in, the settings are union(createObject(name, value, ...), callers): the
        // fixed ones are read back from createObject's arguments, each value as ARM would show it in an object literal.
        var union = ArmExpression.Arguments(ArmExpression.Body((string)properties!, "union"));
        var pairs = ArmExpression.Arguments(ArmExpression.Body(union[0], "createObject"));
        return Enumerable.Range(0, pairs.Count / 2)
            .ToDictionary(i => ArmExpression.Literal(pairs[2 * i])!, i => ArmExpression.Shown(pairs[2 * i + 1]));
    }

    /// <summary>What is merged into the fixed settings: the expression of each union argument after the first.</summary>
    public IReadOnlyList<string> MergedAppSettings() =>
        AppSettingsResource()["properties"] is JsonValue expression
            ? [.. ArmExpression.Arguments(ArmExpression.Body((string)expression!, "union")).Skip(1)]
            : [];

    private JsonObject AppSettingsResource() =>
        Assert.Single(OfType("Microsoft.Web/sites/config"), r => ((string?)r["name"])!.Contains("'appsettings'"));

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
