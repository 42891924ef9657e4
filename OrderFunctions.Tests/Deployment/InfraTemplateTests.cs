using System.Text.Json.Nodes;

namespace OrderFunctions.Tests.Deployment;

/// <summary>What infra/main.bicep asks Azure for, read from the compiled ARM JSON: the resources issue 10 names.</summary>
public sealed class InfraTemplateTests
{
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Plan_is_flex_consumption_FC1_when_compiled()
    {
        var infra = await CompiledInfra.LoadAsync();

        var plan = infra.Single("Microsoft.Web/serverfarms");

        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
        Assert.Equal("FlexConsumption", (string?)plan["sku"]!["tier"]);
        Assert.True((bool?)plan["properties"]!["reserved"]);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task FunctionApp_runs_dotnet_isolated_10_with_warm_http_instances_when_compiled()
    {
        var infra = await CompiledInfra.LoadAsync();

        var config = infra.Single("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!;

        Assert.Equal("dotnet-isolated", (string?)config["runtime"]!["name"]);
        Assert.Equal("10.0", (string?)config["runtime"]!["version"]);
        var scale = config["scaleAndConcurrency"]!;
        var alwaysReady = Assert.Single(scale["alwaysReady"]!.AsArray());
        Assert.Equal("http", (string?)alwaysReady!["name"]);
        Assert.Equal("[parameters('alwaysReadyInstanceCount')]", (string?)alwaysReady["instanceCount"]);
        Assert.Equal("[parameters('maximumInstanceCount')]", (string?)scale["maximumInstanceCount"]);
        Assert.Equal("[parameters('instanceMemoryMB')]", (string?)scale["instanceMemoryMB"]);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task FunctionApp_deploys_from_a_blob_container_reached_by_its_identity_when_compiled()
    {
        var infra = await CompiledInfra.LoadAsync();

        var site = infra.Single("Microsoft.Web/sites");
        var storage = site["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!;

        Assert.Equal("blobContainer", (string?)storage["type"]);
        Assert.Contains("primaryEndpoints.blob", (string?)storage["value"]);
        Assert.Equal("UserAssignedIdentity", (string?)storage["authentication"]!["type"]);
        var identityId = (string?)storage["authentication"]!["userAssignedIdentityResourceId"];
        Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities", identityId);
        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
        Assert.Equal(identityId, (string?)site["properties"]!["keyVaultReferenceIdentity"]);
        Assert.Single(infra.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Storage_refuses_shared_keys_when_compiled()
    {
        var infra = await CompiledInfra.LoadAsync();

        var storage = infra.Single("Microsoft.Storage/storageAccounts")["properties"]!;

        Assert.False((bool?)storage["allowSharedKeyAccess"]);
        Assert.False((bool?)storage["allowBlobPublicAccess"]);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task ApplicationInsights_is_workspace_based_when_compiled()
    {
        var infra = await CompiledInfra.LoadAsync();

        var insights = infra.Single("Microsoft.Insights/components")["properties"]!;

        Assert.Single(infra.OfType("Microsoft.OperationalInsights/workspaces"));
        Assert.Contains("Microsoft.OperationalInsights/workspaces", (string?)insights["WorkspaceResourceId"]);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(StorageBlobDataOwner, "Microsoft.Storage/storageAccounts")]
    [InlineData(MonitoringMetricsPublisher, "Microsoft.Insights/components")]
    [InlineData(KeyVaultSecretsUser, "Microsoft.KeyVault/vaults/secrets")] // the app's secret only, not the vault
    public async Task Identity_holds_role_on_resource_when_compiled(string role, string resourceType)
    {
        var infra = await CompiledInfra.LoadAsync();

        // The template names each built-in role once, in its roles variable.
        var roleName = Assert.Single(infra.Variable("roles").AsObject(), r => (string?)r.Value == role).Key;
        var assignment = Assert.Single(infra.OfType("Microsoft.Authorization/roleAssignments"), a =>
            ((string?)a["properties"]!["roleDefinitionId"])!.Contains($"variables('roles').{roleName}")
            && ((string?)a["properties"]!["principalId"])!.Contains("Microsoft.ManagedIdentity/userAssignedIdentities"));

        Assert.Contains($"'{resourceType}'", (string?)assignment["scope"]);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Postgres_flexible_server_has_the_orders_database_when_compiled()
    {
        var infra = await CompiledInfra.LoadAsync();

        var server = infra.Single("Microsoft.DBforPostgreSQL/flexibleServers");
        var database = infra.Single("Microsoft.DBforPostgreSQL/flexibleServers/databases");

        Assert.Equal("[parameters('postgresAdminPassword')]", (string?)server["properties"]!["administratorLoginPassword"]);
        Assert.Contains("variables('postgresDatabaseName')", (string?)database["name"]);
        var secret = Assert.Single(infra.OfType("Microsoft.KeyVault/vaults/secrets"),
            s => ((string?)s["name"])!.Contains("ordersSecretName"))["properties"]!;
        Assert.Contains("variables('postgresDatabaseName')", (string?)secret["value"]);
        Assert.Contains("parameters('postgresAppPassword')", (string?)secret["value"]);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Password_parameter_is_secure_and_generated_by_azd_when_compiled()
    {
        var infra = await CompiledInfra.LoadAsync();

        var password = infra.Template["parameters"]!["postgresAdminPassword"]!;

        Assert.Equal("securestring", (string?)password["type"]);
        Assert.Null(password["defaultValue"]);
        Assert.Equal("generate", (string?)password["metadata"]!["azd"]!["type"]);
        Assert.DoesNotContain(infra.Template["outputs"]!.AsObject(), o => o.Value!.ToJsonString().Contains("Password"));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Every_resource_is_tagged_with_the_azd_environment_when_compiled()
    {
        var infra = await CompiledInfra.LoadAsync();

        // Child resources (a type with two or more '/') and role assignments take no tags of their own.
        var tagged = infra.Resources.Where(r =>
            (string?)r["type"] is not ("Microsoft.Authorization/roleAssignments" or "Microsoft.Resources/deployments")
            && ((string?)r["type"])!.Count(c => c == '/') == 1).ToList();
        var module = infra.Single("Microsoft.Resources/deployments");

        Assert.Equal("[parameters('environmentName')]", (string?)infra.Template["variables"]!["tags"]!["azd-env-name"]);
        Assert.Equal("[variables('tags')]", (string?)module["properties"]!["parameters"]!["tags"]!["value"]);
        Assert.Contains(tagged, r => (string?)r["type"] == "Microsoft.Web/sites");
        Assert.Contains(tagged, r => (string?)r["type"] == "Microsoft.DBforPostgreSQL/flexibleServers");
        Assert.All(tagged, r =>
            Assert.Matches(@"^\[(variables\('tags'\)|parameters\('tags'\)|union\(parameters\('tags'\), .*\))\]$", (string?)r["tags"]));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task FunctionApp_carries_the_azd_service_name_of_azure_yaml_when_compiled()
    {
        var infra = await CompiledInfra.LoadAsync();
        var service = AzureYaml.Load().Services.Single();

        var tags = (string?)infra.Single("Microsoft.Web/sites")["tags"];

        Assert.Contains($"'azd-service-name', '{service.Name}'", tags);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Parameters_file_maps_the_azd_variables_onto_template_parameters()
    {
        var infra = await CompiledInfra.LoadAsync();
        var file = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryFiles.Infra, "main.parameters.json")))!;

        var values = file["parameters"]!.AsObject().ToDictionary(p => p.Key, p => (string?)p.Value!["value"]);
        var declared = infra.Template["parameters"]!.AsObject();

        Assert.Equal("${AZURE_ENV_NAME}", values["environmentName"]);
        Assert.Equal("${AZURE_LOCATION}", values["location"]);
        Assert.Equal("${AZURE_PRINCIPAL_ID}", values["principalId"]);
        Assert.All(values.Keys, name => Assert.True(declared.ContainsKey(name), $"main.bicep declares no parameter {name}"));
        // Every parameter without a default is given by the file or generated by azd; none is left to a prompt.
        Assert.All(declared.Where(p => p.Value!["defaultValue"] is null), p =>
            Assert.True(values.ContainsKey(p.Key) || (string?)p.Value!["metadata"]?["azd"]?["type"] == "generate", p.Key));
    }
}
