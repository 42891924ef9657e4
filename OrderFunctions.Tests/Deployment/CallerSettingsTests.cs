using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using OrderFunctions.Access;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Deployment;

/// <summary>
/// The API's named callers in infra/: given as the callers parameter (azd: ORDER_CALLERS), turned into the
/// OrderAccess__Callers__N__* settings the app binds, and holding only SHA-256 hashes of keys, never a key.
/// </summary>
public sealed partial class CallerSettingsTests
{
    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Template_settings_configure_the_callers_in_the_app_when_callers_are_given()
    {
        var infra = await CompiledInfra.LoadAsync();
        var names = SettingName().Matches(infra.Variable("callerSettings").ToString()).Select(m => m.Groups[1].Value).ToList();
        var key = CallerKey.New();
        var desk = new { Name = "desk1", KeyHashes = new[] { CallerKey.Hash(key) }, Usernames = new[] { "desk1-*" }, Operations = new[] { "write" } };

        // What Azure computes from the template for one caller: each setting name the template formats, with its values.
        var settings = new Dictionary<string, string?>();
        foreach (var name in names)
        {
            var values = name.Split("__")[3] switch
            {
                "Name" => [desk.Name],
                "KeyHashes" => desk.KeyHashes,
                "Usernames" => desk.Usernames,
                "Operations" => desk.Operations,
                var other => throw new InvalidOperationException($"The template sets OrderAccess__Callers__N__{other}, which the app does not bind."),
            };
            for (var i = 0; i < values.Length; i++)
                settings[string.Format(System.Globalization.CultureInfo.InvariantCulture, name, 0, i).Replace("__", ":")] = values[i];
        }
        using var services = StandaloneApplication.ComposeServices(settings);
        var callers = services.GetRequiredService<OrderCallers>();

        Assert.Equal(["KeyHashes", "Name", "Operations", "Usernames"], names.Select(n => n.Split("__")[3]).Order(StringComparer.Ordinal));
        Assert.Equal(["variables('callerSettings')"], infra.MergedAppSettings());
        var caller = Assert.Single(callers.Callers);
        Assert.Equal(caller, callers.Authenticate(key));
        Assert.Equal(("desk1", true, false), (caller.Name, caller.CanWrite, caller.CanRead));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Callers_parameter_holds_only_key_hashes_when_compiled()
    {
        var infra = await CompiledInfra.LoadAsync();
        var parameters = infra.Template["parameters"]!.AsObject();
        var callers = parameters["callers"]!;

        Assert.Equal("array", (string?)callers["type"]);
        Assert.Empty(callers["defaultValue"]!.AsArray());
        // Only these properties of a caller reach the app: a key under any other name would be ignored, never deployed.
        Assert.Equal(["keyHashes", "name", "operations", "usernames"],
            PropertyRead().Matches(infra.Variable("callerSettings").ToString())
                .Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal));
        // Secrets are the database passwords alone: no parameter takes a caller's key, and no key or hash is in the text.
        Assert.Equal(["postgresAdminPassword", "postgresAppPassword"],
            parameters.Where(p => (string?)p.Value!["type"] == "securestring").Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.DoesNotMatch(KeyLike(), infra.Template.ToJsonString());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Parameters_file_gives_the_callers_from_the_azd_environment_or_none()
    {
        var file = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryFiles.Infra, "main.parameters.json")))!;

        Assert.Equal("${ORDER_CALLERS=[]}", (string?)file["parameters"]!["callers"]!["value"]);
    }

    // 'OrderAccess__Callers__{0}__Name', 'OrderAccess__Callers__{0}__KeyHashes__{1}' as the compiled format() strings.
    [GeneratedRegex(@"'(OrderAccess__Callers__\{0\}__[A-Za-z]+(?:__\{1\})?)'")]
    private static partial Regex SettingName();

    // parameters('callers')[i].keyHashes as compiled inside the lambdas.
    [GeneratedRegex(@"\]\.(name|keyHashes|usernames|operations|[A-Za-z]+)\b")]
    private static partial Regex PropertyRead();

    // A SHA-256 in hex, or a key as CallerKey.New makes it (43 base64url characters).
    [GeneratedRegex(@"\b[0-9a-fA-F]{64}\b|\b[A-Za-z0-9_-]{43}\b")]
    private static partial Regex KeyLike();
}
