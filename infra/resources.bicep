// Everything in the resource group. Every name carries resourceToken (unique per subscription, environment and
// region); every resource carries the azd-env-name tag, the function app also azd-service-name: api (azure.yaml).

@description('Azure region for every resource.')
param location string

@description('Tags put on every resource.')
param tags resourceInput<'Microsoft.Resources/resourceGroups@2025-04-01'>.tags

@minLength(13)
@maxLength(13)
@description('Unique suffix of every resource name (uniqueString).')
param resourceToken string

@description('Object id of the user running azd; empty for none.')
param principalId string

@description('Most instances the function app scales out to.')
param maximumInstanceCount int

@description('Memory of each function app instance, in MB.')
param instanceMemoryMB int

@description('Always-ready instances of the HTTP group.')
param alwaysReadyInstanceCount int

@description('PostgreSQL Flexible Server compute size and tier.')
param postgresSku resourceInput<'Microsoft.DBforPostgreSQL/flexibleServers@2025-08-01'>.sku

@secure()
@description('Password of the PostgreSQL administrator.')
param postgresAdminPassword string

@secure()
@description('Password of orders_app, the role the app connects as.')
param postgresAppPassword string

@description('Npgsql Maximum Pool Size of each instance.')
param postgresPoolSize int

@description('Days of PostgreSQL point-in-time backups.')
param postgresBackupRetentionDays int

@description('Geo-redundant PostgreSQL backups: Enabled or Disabled.')
param postgresGeoRedundantBackup string

@description('private (virtual network + private endpoint) or azureServices (public endpoint open to Azure IPs).')
param postgresNetwork string

@description('Public IPv4 address admitted to the server\'s public endpoint (the one-time role step); empty for none.')
param deployerIpAddress string

@description('The API\'s named callers (name, keyHashes, usernames, operations): SHA-256 hashes of their keys only, never a key.')
#disable-next-line use-user-defined-types
param callers array

var functionAppName = 'func-${resourceToken}'
var deploymentContainerName = 'app-package'
var postgresAdminLogin = 'ordersadmin'
// The app's own role: no superuser, no CREATEDB or CREATEROLE; it may connect to orders and create and use its table
// there, nothing else. Created once by infra/create-app-role.sh (README, Deploy to Azure), not by the template.
var postgresAppLogin = 'orders_app'
var postgresDatabaseName = 'orders'
var ordersSecretName = 'orders-connection-string'
var adminSecretName = 'postgres-admin-password'
var privateNetwork = postgresNetwork == 'private'
var publicEndpointEnabled = !privateNetwork || !empty(deployerIpAddress)

// Each caller becomes the OrderAccess__Callers__N__* settings the app binds (OrderAccessOptions); its keys appear only
// as their SHA-256 hashes, which reveal no key. An empty list leaves the API open, as the app warns at start.
var callerSettings = reduce(range(0, length(callers)), {}, (settings, i) => union(settings,
  { 'OrderAccess__Callers__${i}__Name': callers[i].name },
  toObject(range(0, length(callers[i].keyHashes)), k => 'OrderAccess__Callers__${i}__KeyHashes__${k}', k => callers[i].keyHashes[k]),
  toObject(range(0, length(callers[i].usernames)), u => 'OrderAccess__Callers__${i}__Usernames__${u}', u => callers[i].usernames[u]),
  toObject(range(0, length(callers[i].operations)), o => 'OrderAccess__Callers__${i}__Operations__${o}', o => callers[i].operations[o])))

// Built-in role definition ids (the same in every tenant).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
}

// The app's one identity: host storage, deployment package, Application Insights and the Key Vault reference.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-${resourceToken}'
  location: location
  tags: tags
}

resource storage 'Microsoft.Storage/storageAccounts@2025-08-01' = {
  name: 'st${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }

  resource blobService 'blobServices' = {
    name: 'default'

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: { publicAccess: 'None' }
    }
  }
}

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: 'log-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
  }
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: 'plan-${resourceToken}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: functionAppName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // With a private network the app's outbound traffic goes through its subnet, where the endpoint's name resolves.
    virtualNetworkSubnetId: privateNetwork ? network::appSubnet.id : null
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: [
          {
            name: 'http'
            instanceCount: alwaysReadyInstanceCount
          }
        ]
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }

  // Every app setting the app gets. OrderFunctions.Tests/Deployment/AppSettingsTests checks them against the code.
  resource appSettings 'config' = {
    name: 'appsettings'
    properties: union({
      // The Functions host's own storage (keys, locks), reached with the identity: the account allows no shared key.
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.properties.clientId
      AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
      // SQLite is one file on one machine: a scaled-out app stores in PostgreSQL.
      OrderStorage__Provider: 'Postgres'
      ConnectionStrings__Orders: '@Microsoft.KeyVault(VaultName=${keyVault.name};SecretName=${ordersSecretName})'
    }, callerSettings)
    dependsOn: [
      storageBlobDataOwner
      keyVaultSecretsUser
      ordersSecret
    ]
  }
}

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2025-08-01' = {
  name: 'psql-${resourceToken}'
  location: location
  tags: tags
  sku: postgresSku
  properties: {
    version: '17'
    administratorLogin: postgresAdminLogin
    administratorLoginPassword: postgresAdminPassword
    authConfig: {
      passwordAuth: 'Enabled'
      activeDirectoryAuth: 'Disabled'
    }
    storage: {
      storageSizeGB: 32
      autoGrow: 'Enabled'
    }
    backup: {
      backupRetentionDays: postgresBackupRetentionDays
      geoRedundantBackup: postgresGeoRedundantBackup
    }
    highAvailability: { mode: 'Disabled' }
    network: { publicNetworkAccess: publicEndpointEnabled ? 'Enabled' : 'Disabled' }
  }

  resource database 'databases' = {
    name: postgresDatabaseName
    properties: {
      charset: 'UTF8'
      collation: 'en_US.utf8'
    }
  }

  // Only with postgresNetwork azureServices: Flex Consumption without a virtual network has no fixed outbound
  // addresses, so the rule 0.0.0.0 admits every Azure IP, other tenants' included; only the password and TLS guard it.
  resource allowAzureServices 'firewallRules' = if (!privateNetwork) {
    name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
    properties: {
      startIpAddress: '0.0.0.0'
      endIpAddress: '0.0.0.0'
    }
  }

  // The deployer's machine, for the one-time role step and psql; nothing else reaches the public endpoint.
  resource allowDeployer 'firewallRules' = if (!empty(deployerIpAddress)) {
    name: 'AllowDeployer'
    properties: {
      startIpAddress: deployerIpAddress
      endIpAddress: deployerIpAddress
    }
  }
}

// postgresNetwork private: the app is integrated into a subnet of its own (delegated as Flex Consumption requires)
// and reaches the server through a private endpoint in another, whose name the private DNS zone resolves.
resource network 'Microsoft.Network/virtualNetworks@2024-07-01' = if (privateNetwork) {
  name: 'vnet-${resourceToken}'
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: ['10.20.0.0/16'] }
  }

  resource appSubnet 'subnets' = {
    name: 'app'
    properties: {
      addressPrefix: '10.20.1.0/24'
      delegations: [
        {
          name: 'flex-consumption'
          properties: { serviceName: 'Microsoft.App/environments' }
        }
      ]
    }
  }

  resource endpointSubnet 'subnets' = {
    name: 'endpoints'
    properties: {
      addressPrefix: '10.20.2.0/24'
    }
    dependsOn: [appSubnet] // subnets of one network are written one at a time
  }
}

resource postgresDnsZone 'Microsoft.Network/privateDnsZones@2024-06-01' = if (privateNetwork) {
  name: 'privatelink.postgres.database.azure.com'
  location: 'global'
  tags: tags

  resource link 'virtualNetworkLinks' = {
    name: 'vnet-${resourceToken}'
    location: 'global'
    properties: {
      virtualNetwork: { id: network.id }
      registrationEnabled: false
    }
  }
}

resource postgresEndpoint 'Microsoft.Network/privateEndpoints@2024-07-01' = if (privateNetwork) {
  name: 'pe-psql-${resourceToken}'
  location: location
  tags: tags
  properties: {
    subnet: { id: network::endpointSubnet.id }
    privateLinkServiceConnections: [
      {
        name: 'postgres'
        properties: {
          privateLinkServiceId: postgres.id
          groupIds: ['postgresqlServer']
        }
      }
    ]
  }

  resource dnsZoneGroup 'privateDnsZoneGroups' = {
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: 'postgres'
          properties: { privateDnsZoneId: postgresDnsZone.id }
        }
      ]
    }
  }
}

resource keyVault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: 'kv-${resourceToken}'
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource ordersSecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: keyVault
  name: ordersSecretName
  properties: {
    contentType: 'Npgsql connection string'
    value: 'Host=${postgres.properties.fullyQualifiedDomainName};Database=${postgresDatabaseName};Username=${postgresAppLogin};Password=${postgresAppPassword};SSL Mode=VerifyFull;Maximum Pool Size=${postgresPoolSize}'
  }
}

// For the one-time role step only: the app's identity cannot read it (its role is on the app's secret alone).
resource adminSecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: keyVault
  name: adminSecretName
  properties: {
    contentType: 'password of ${postgresAdminLogin}'
    value: postgresAdminPassword
  }
}

resource storageBlobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
  }
}

resource monitoringMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

// On the app's secret only: the administrator's password sits in the same vault.
resource keyVaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(ordersSecret.id, identity.id, roles.keyVaultSecretsUser)
  scope: ordersSecret
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

// The deploying user may read the connection string (psql, troubleshooting); nothing else.
resource principalKeyVaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(keyVault.id, principalId, roles.keyVaultSecretsUser)
  scope: keyVault
  properties: {
    principalId: principalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

output functionAppName string = functionApp.name
output functionAppUrl string = 'https://${functionApp.properties.defaultHostName}'
output keyVaultName string = keyVault.name
output postgresHost string = postgres.properties.fullyQualifiedDomainName
output postgresDatabase string = postgresDatabaseName
output applicationInsightsName string = applicationInsights.name
