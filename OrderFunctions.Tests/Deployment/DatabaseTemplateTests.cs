using System.Text.Json.Nodes;

namespace OrderFunctions.Tests.Deployment;

/// <summary>
/// The PostgreSQL side of infra/ as compiled: the pool per instance in the connection string and checked against the
/// server's connections, the app's least-privileged role, a firewall that admits only what needs it, production-grade
/// backups. Default values are read from the compiled parameters, so the rendered deployment is what is checked.
/// </summary>
public sealed class DatabaseTemplateTests
{
    private static JsonNode Parameter(CompiledInfra infra, string name) => infra.Template["parameters"]![name]!;

    private static int Default(CompiledInfra infra, string name) => (int)Parameter(infra, name)["defaultValue"]!;

    private static JsonNode OrdersSecret(CompiledInfra infra) =>
        Assert.Single(infra.OfType("Microsoft.KeyVault/vaults/secrets"), s => ((string?)s["name"])!.Contains("ordersSecretName"))["properties"]!;

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Connection_string_names_the_app_role_and_the_pool_size_parameter_when_compiled()
    {
        var infra = await CompiledInfra.LoadAsync();

        var value = (string?)OrdersSecret(infra)["value"];

        Assert.Contains("Username={", value);
        Assert.Contains("variables('postgresAppLogin')", value);
        Assert.Equal("orders_app", (string?)infra.Variable("postgresAppLogin"));
        Assert.Contains("Maximum Pool Size={", value);
        Assert.Contains("parameters('postgresPoolSize')", value);
        Assert.DoesNotContain("postgresAdminLogin", value);
        Assert.DoesNotContain("postgresAdminPassword", value);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Default_instances_times_connections_fit_the_default_server_and_the_old_default_did_not()
    {
        // Arrange: the defaults as rendered (what `azd up` deploys without overrides).
        var infra = await CompiledInfra.LoadAsync();
        var instances = Default(infra, "maximumInstanceCount");
        var perInstance = Default(infra, "postgresPoolSize") + 2; // the health probe's own pool of 2
        var budget = Default(infra, "postgresMaxConnections") - Default(infra, "postgresReservedConnections");

        // Assert: the defaults fit; 40 instances (the old default) would not, even at the smallest pool.
        Assert.True(instances * perInstance <= budget, $"{instances} x {perInstance} > {budget}");
        Assert.True(40 * (1 + 2) > budget);
        Assert.Equal(50, Default(infra, "postgresMaxConnections")); // B1ms, the default postgresSku
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Deployment_fails_naming_the_numbers_when_instances_times_pool_exceed_the_server_connections()
    {
        var infra = await CompiledInfra.LoadAsync();

        var check = (string?)infra.Template["variables"]!["checkedMaximumInstanceCount"];
        var module = infra.Single("Microsoft.Resources/deployments");

        Assert.StartsWith("[if(lessOrEquals(mul(parameters('maximumInstanceCount'), variables('connectionsPerInstance')), " +
            "variables('connectionBudget')), parameters('maximumInstanceCount'), fail(", check);
        Assert.Contains("Lower maximumInstanceCount or postgresPoolSize", check);
        Assert.Equal("[add(parameters('postgresPoolSize'), 2)]", (string?)infra.Template["variables"]!["connectionsPerInstance"]);
        Assert.Equal("[sub(parameters('postgresMaxConnections'), parameters('postgresReservedConnections'))]",
            (string?)infra.Template["variables"]!["connectionBudget"]);
        Assert.Equal("[variables('checkedMaximumInstanceCount')]", (string?)module["properties"]!["parameters"]!["maximumInstanceCount"]!["value"]);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Backups_keep_35_days_geo_redundant_by_default_as_parameters_when_compiled()
    {
        var infra = await CompiledInfra.LoadAsync();

        var backup = infra.Single("Microsoft.DBforPostgreSQL/flexibleServers")["properties"]!["backup"]!;

        Assert.Equal(35, Default(infra, "postgresBackupRetentionDays"));
        Assert.Equal("Enabled", (string?)Parameter(infra, "postgresGeoRedundantBackup")["defaultValue"]);
        Assert.Equal("[parameters('postgresBackupRetentionDays')]", (string?)backup["backupRetentionDays"]);
        Assert.Equal("[parameters('postgresGeoRedundantBackup')]", (string?)backup["geoRedundantBackup"]);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Firewall_admits_azure_ips_only_when_chosen_and_the_deployer_only_when_named_when_compiled()
    {
        var infra = await CompiledInfra.LoadAsync();

        var rules = infra.OfType("Microsoft.DBforPostgreSQL/flexibleServers/firewallRules").ToList();
        var azure = Assert.Single(rules, r => (string?)r["properties"]!["startIpAddress"] == "0.0.0.0");
        var deployer = Assert.Single(rules, r => (string?)r["properties"]!["startIpAddress"] == "[parameters('deployerIpAddress')]");
        var server = infra.Single("Microsoft.DBforPostgreSQL/flexibleServers");

        Assert.Equal("private", (string?)Parameter(infra, "postgresNetwork")["defaultValue"]);
        Assert.Equal("", (string?)Parameter(infra, "deployerIpAddress")["defaultValue"]);
        Assert.Equal("[not(variables('privateNetwork'))]", (string?)azure["condition"]);
        Assert.Equal("[not(empty(parameters('deployerIpAddress')))]", (string?)deployer["condition"]);
        Assert.Equal("[if(variables('publicEndpointEnabled'), 'Enabled', 'Disabled')]",
            (string?)server["properties"]!["network"]!["publicNetworkAccess"]);
        Assert.Equal("[or(not(variables('privateNetwork')), not(empty(parameters('deployerIpAddress'))))]",
            (string?)infra.Variable("publicEndpointEnabled"));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Private_network_puts_the_app_in_a_delegated_subnet_and_the_server_behind_a_private_endpoint_when_compiled()
    {
        var infra = await CompiledInfra.LoadAsync();

        var site = infra.Single("Microsoft.Web/sites");
        var subnet = Assert.Single(infra.OfType("Microsoft.Network/virtualNetworks/subnets"), s => ((string?)s["name"])!.Contains("'app'"));
        var endpoint = infra.Single("Microsoft.Network/privateEndpoints");
        var zone = infra.Single("Microsoft.Network/privateDnsZones");

        Assert.Contains("variables('privateNetwork')", (string?)site["properties"]!["virtualNetworkSubnetId"]);
        Assert.Equal("Microsoft.App/environments", (string?)subnet["properties"]!["delegations"]![0]!["properties"]!["serviceName"]);
        Assert.Equal("postgresqlServer", (string?)endpoint["properties"]!["privateLinkServiceConnections"]![0]!["properties"]!["groupIds"]![0]);
        Assert.Equal("privatelink.postgres.database.azure.com", (string?)zone["name"]);
        Assert.All([site, subnet, endpoint, zone], r => Assert.True(r == site || (string?)r["condition"] == "[variables('privateNetwork')]"));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task App_password_is_secure_and_generated_and_the_role_script_creates_no_privileged_role()
    {
        var infra = await CompiledInfra.LoadAsync();
        var script = await File.ReadAllTextAsync(Path.Combine(RepositoryFiles.Infra, "app-role.sql"));

        var password = Parameter(infra, "postgresAppPassword");

        Assert.Equal("securestring", (string?)password["type"]);
        Assert.Equal("generate", (string?)password["metadata"]!["azd"]!["type"]);
        Assert.Contains("NOSUPERUSER NOCREATEDB NOCREATEROLE", script);
        Assert.Contains("GRANT CONNECT ON DATABASE orders TO orders_app;", script);
        Assert.True(File.Exists(Path.Combine(RepositoryFiles.Infra, "create-app-role.sh")));
    }
}
