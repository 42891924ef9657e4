using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Postgres;
using OrderFunctions.Telemetry;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Deployment;

/// <summary>
/// The app settings infra/ gives the function app against the code, both ways: every setting the template sets is
/// read by the code (or is the platform's, on the list below with the reason), and the template's settings are a
/// complete, valid Azure configuration for the code.
/// </summary>
public sealed class AppSettingsTests
{
    /// <summary>Settings the platform reads, not the app's code; each with who reads it.</summary>
    private static readonly Dictionary<string, string> PlatformSettings = new()
    {
        ["AzureWebJobsStorage__credential"] = "Functions host: reach its own storage with a managed identity, the account allows no shared key",
        ["AzureWebJobsStorage__clientId"] = "Functions host: which user-assigned identity to use for its storage",
        ["AzureWebJobsStorage__blobServiceUri"] = "Functions host: its storage (keys, locks) named by endpoint instead of a connection string",
        ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "Functions host: send telemetry authenticated as the identity (Microsoft Entra)",
    };

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Template_sets_only_settings_the_code_reads_or_the_platform_needs()
    {
        var settings = (await CompiledInfra.LoadAsync()).AppSettings();

        var unread = settings
            .Where(s => !PlatformSettings.ContainsKey(s.Key))
            .Select(s => (s.Key, Reader: ReaderOf(s.Key, ProbeValue(s.Key, s.Value))))
            .Where(s => s.Reader is null)
            .Select(s => s.Key);

        Assert.Empty(unread);
        Assert.All(PlatformSettings.Keys, name => Assert.Contains(name, settings.Keys));
    }

    [Theory]
    [InlineData("OrderStorage__Provider", "Postgres", "OrderStorageOptions.Provider")]
    [InlineData("ConnectionStrings__Orders", "Host=example", "PostgresOrderStoreOptions.ConnectionString")]
    [InlineData("OrderStorage__QueueCapacity", "17", "OrderStorageOptions.QueueCapacity")]
    [InlineData("OrderStorage__MaxQueuedOrders", "17", "OrderStorageOptions.MaxQueuedOrders")]
    [InlineData("OrderStorage__MaxBufferedRequestBytes", "17", "OrderStorageOptions.MaxBufferedRequestBytes")]
    [InlineData("APPLICATIONINSIGHTS_CONNECTION_STRING", "InstrumentationKey=00000000-0000-0000-0000-000000000000", "service registrations")]
    [InlineData("OrderStorage__Provder", "Postgres", null)]
    [InlineData("ConnectionStrings__Order", "Host=example", null)]
    [InlineData("Storage__Provider", "Postgres", null)]
    public void ReaderOf_finds_the_option_a_setting_reaches_or_none(string setting, string value, string? expected)
    {
        Assert.Equal(expected, ReaderOf(setting, value));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Template_settings_make_a_valid_postgres_configuration_for_the_code()
    {
        var infra = await CompiledInfra.LoadAsync();
        var resolved = ResolvedConnectionString(infra);
        var values = infra.AppSettings().ToDictionary<KeyValuePair<string, string>, string, string?>(
            s => s.Key.Replace("__", ":"),
            s => s.Key == "ConnectionStrings__Orders" ? resolved : ProbeValue(s.Key, s.Value));

        // Resolving the options runs every validation AddOrderServices registers, as the host does at start; creating
        // the engine checks that the connection string fits the provider (no connection is opened).
        using var provider = Services(values);
        var options = provider.GetRequiredService<IOptions<OrderStorageOptions>>().Value;
        var postgres = provider.GetRequiredService<IOptions<PostgresOrderStoreOptions>>().Value;
        var writer = provider.GetRequiredService<IOrderBatchWriter>();
        var queries = provider.GetRequiredService<IOrderQueries>();

        // SQLite is the code's default and is one file on one machine: in Azure the template must choose PostgreSQL.
        Assert.Equal(PostgresOrderStore.ProviderName, options.Provider, ignoreCase: true);
        Assert.Equal(resolved, postgres.ConnectionString);
        Assert.IsType<PostgresOrderWriter>(writer);
        Assert.IsType<PostgresOrderQueries>(queries);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Orders_connection_string_is_a_key_vault_reference_to_a_complete_npgsql_connection_string()
    {
        var infra = await CompiledInfra.LoadAsync();

        var reference = infra.AppSettings()["ConnectionStrings__Orders"];
        var secret = OrdersSecret(infra);
        var npgsql = new NpgsqlConnectionStringBuilder(ResolvedConnectionString(infra));

        Assert.StartsWith("[format('@Microsoft.KeyVault(VaultName={0};SecretName={1})'", reference);
        Assert.Contains(", variables('ordersSecretName'))]", reference);
        Assert.Contains("variables('ordersSecretName')", (string?)secret["name"]);
        Assert.Equal(["Host", "Database", "Username", "Password", "SSL Mode", "Maximum Pool Size"], npgsql.Keys.Cast<string>()
            .Where(k => npgsql.ShouldSerialize(k)), StringComparer.OrdinalIgnoreCase);
        Assert.Equal(SslMode.VerifyFull, npgsql.SslMode);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Template_gives_the_functions_host_its_storage_through_the_identity()
    {
        var settings = (await CompiledInfra.LoadAsync()).AppSettings();

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities", settings["AzureWebJobsStorage__clientId"]);
        Assert.Contains("primaryEndpoints.blob", settings["AzureWebJobsStorage__blobServiceUri"]);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.DoesNotContain(settings.Values, v => v.Contains("listKeys", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// What Azure puts in place of the Key Vault reference: the vault's secret. The template builds it with ARM's
    /// format(); its format string holds the keys, and each {n} (server name, database, login, password) gets a stand-in.
    /// </summary>
    private static string ResolvedConnectionString(CompiledInfra infra)
    {
        var value = (string)OrdersSecret(infra)["properties"]!["value"]!;
        var format = Regex.Match(value, @"^\[format\('([^']*)'").Groups[1].Value;
        // The pool size is a number at deployment (a parameter); every other placeholder a recognisable word.
        format = Regex.Replace(format, @"Maximum Pool Size=\{\d\}", "Maximum Pool Size=3");
        return Regex.Replace(format, @"\{(\d)\}", m => $"example{m.Groups[1].Value}");
    }

    // The app's connection string; the vault also holds the administrator's password, which the app cannot read.
    private static System.Text.Json.Nodes.JsonObject OrdersSecret(CompiledInfra infra) =>
        Assert.Single(infra.OfType("Microsoft.KeyVault/vaults/secrets"), s => ((string?)s["name"])!.Contains("ordersSecretName"));

    /// <summary>The template's value where it is a literal; a recognisable stand-in where ARM computes it at deployment.</summary>
    private static string ProbeValue(string setting, string templateValue) =>
        templateValue.StartsWith('[') ? $"probe-{setting}" : templateValue;

    /// <summary>
    /// What of the function app a setting reaches: the setting alone in configuration, the services registered as
    /// Program.cs registers them, every options class of the app (a type with a SectionName) resolved, and the property
    /// that now holds the value and did not before; else "service registrations" when the setting changed which
    /// services are registered (a setting read while registering, as the telemetry exporter's is). Null when neither:
    /// the code never reads the setting.
    /// </summary>
    private static string? ReaderOf(string setting, string value)
    {
        var none = new Dictionary<string, string?>();
        var only = new Dictionary<string, string?> { [setting.Replace("__", ":")] = value };
        using var baseline = Services(none);
        using var probed = Services(only);
        foreach (var optionsType in OptionsTypes())
        {
            var before = OptionsValue(baseline, optionsType);
            var after = OptionsValue(probed, optionsType);
            foreach (var property in optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var now = Convert.ToString(property.GetValue(after), System.Globalization.CultureInfo.InvariantCulture);
                var was = Convert.ToString(property.GetValue(before), System.Globalization.CultureInfo.InvariantCulture);
                if (now == value && was != value) return $"{optionsType.Name}.{property.Name}";
            }
        }
        return Registrations(none).SequenceEqual(Registrations(only)) ? null : "service registrations";
    }

    private static IEnumerable<string> Registrations(IDictionary<string, string?> values) =>
        Register(values).Select(d => $"{d.ServiceType} {d.ImplementationType} {d.Lifetime}");

    private static IEnumerable<Type> OptionsTypes() =>
        typeof(OrderServiceCollectionExtensions).Assembly.GetTypes().Where(t =>
            t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true }).OrderBy(t => t.Name, StringComparer.Ordinal);

    private static object OptionsValue(IServiceProvider services, Type optionsType)
    {
        var optionsInterface = typeof(IOptions<>).MakeGenericType(optionsType);
        return optionsInterface.GetProperty(nameof(IOptions<object>.Value))!.GetValue(services.GetRequiredService(optionsInterface))!;
    }

    private static ServiceProvider Services(IDictionary<string, string?> values) =>
        StandaloneApplication.ComposeServices(values, (services, configuration) => services.AddFunctionAppTelemetry(configuration));

    /// <summary>The function app's services as OrderFunctions/Program.cs registers them, on the given settings.</summary>
    private static IServiceCollection Register(IDictionary<string, string?> values) =>
        StandaloneApplication.ComposeRegistrations(values, (services, configuration) => services.AddFunctionAppTelemetry(configuration));
}
