// azd up: a resource group holding the function app (Flex Consumption), its storage, monitoring, identity,
// PostgreSQL and the Key Vault that keeps the database password. Resources are declared in resources.bicep.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names the resource group and seeds every resource name.')
param environmentName string

@minLength(1)
@description('Azure region for every resource (must offer Flex Consumption and PostgreSQL Flexible Server).')
param location string

@description('Object id of the user running azd (AZURE_PRINCIPAL_ID): may read the database secret. Empty: no such grant.')
param principalId string = ''

@minValue(1)
@maxValue(1000)
@description('Most instances the function app scales out to. Each holds its own PostgreSQL connections: instances x (postgresPoolSize + 2) must fit postgresMaxConnections - postgresReservedConnections, or the deployment fails (README, Deploy to Azure).')
param maximumInstanceCount int = 7

@allowed([512, 2048, 4096])
@description('Memory of each function app instance, in MB.')
param instanceMemoryMB int = 2048

@minValue(0)
@maxValue(1000)
@description('Instances of the HTTP group kept warm (billed while idle); 0 lets the app scale to zero and cold-start.')
param alwaysReadyInstanceCount int = 1

@description('PostgreSQL Flexible Server compute: the smallest burstable size by default (about 50 connections).')
param postgresSku resourceInput<'Microsoft.DBforPostgreSQL/flexibleServers@2025-08-01'>.sku = {
  name: 'Standard_B1ms'
  tier: 'Burstable'
}

@minValue(1)
@maxValue(200)
@description('Npgsql pool size of each instance (Maximum Pool Size in the connection string): the writer and the readers share it. Npgsql\'s default, 100, is far more than a small server has.')
param postgresPoolSize int = 3

@minValue(20)
@description('max_connections of the PostgreSQL server for postgresSku (B1ms: 50; B2s: 429; D2ds_v5: 859). Only checked against, never set.')
param postgresMaxConnections int = 50

@minValue(3)
@description('Connections kept free of the app: superuser_reserved_connections (3), Azure\'s own monitoring, and an administrator\'s psql session.')
param postgresReservedConnections int = 10

@minValue(7)
@maxValue(35)
@description('Days of PostgreSQL point-in-time backups (7-35).')
param postgresBackupRetentionDays int = 35

@allowed(['Enabled', 'Disabled'])
@description('Copies the PostgreSQL backups to the paired region (fixed when the server is created; needs a region with a pair).')
param postgresGeoRedundantBackup string = 'Enabled'

@allowed(['private', 'azureServices'])
@description('How the app reaches PostgreSQL: private (a virtual network, the app integrated into it, the server behind a private endpoint) or azureServices (the server\'s public endpoint open to every Azure IP, any tenant\'s: cheaper, weaker).')
param postgresNetwork string = 'private'

@description('Public IPv4 address of the machine that runs the one-time role step (infra/create-app-role.sh) and psql; empty: the public endpoint admits nobody (with postgresNetwork private, it is then disabled).')
param deployerIpAddress string = ''

@secure()
@description('Password of the PostgreSQL administrator; azd generates it once per environment and keeps it in .azure/.')
@metadata({
  azd: {
    type: 'generate'
    config: { length: 32, noSpecial: true, minLower: 2, minUpper: 2, minNumeric: 2 }
  }
})
param postgresAdminPassword string

@secure()
@description('Password of orders_app, the least-privileged role the app connects as (created once by infra/create-app-role.sh); azd generates it.')
@metadata({
  azd: {
    type: 'generate'
    config: { length: 32, noSpecial: true, minLower: 2, minUpper: 2, minNumeric: 2 }
  }
})
param postgresAppPassword string

// Each instance opens up to its pool plus the health probe's own pool of 2 (PostgresConnections); all of them must fit
// what the server admits beyond its reserve, or a scale-out would be refused connections under load.
var connectionsPerInstance = postgresPoolSize + 2
var connectionBudget = postgresMaxConnections - postgresReservedConnections
var checkedMaximumInstanceCount = maximumInstanceCount * connectionsPerInstance <= connectionBudget
  ? maximumInstanceCount
  : fail('maximumInstanceCount (${maximumInstanceCount}) x (postgresPoolSize (${postgresPoolSize}) + 2 for health) = ${maximumInstanceCount * connectionsPerInstance} connections, more than postgresMaxConnections (${postgresMaxConnections}) - postgresReservedConnections (${postgresReservedConnections}) = ${connectionBudget}. Lower maximumInstanceCount or postgresPoolSize, or choose a larger postgresSku and set postgresMaxConnections to its max_connections.')

@description('Named callers of the API (README, Deploy to Azure): each { name, keyHashes (SHA-256 of its keys, 64 hex digits, from OrderClient keygen; several while a key is rotated), usernames (exact, prefix*, or *), operations (write, read) }. Never a key: only its hash. Empty: the API is open to anyone who passes the Functions host\'s keys.')
// An array, not a user-defined type: a type would switch the compiled template to languageVersion 2.0. The app validates
// each caller at start (OrderAccessValidation: a name, 64-hex-digit hashes, usernames, write/read) and refuses to run
// with a wrong one, so a mistake stops the deployment's first start rather than opening the API.
#disable-next-line use-user-defined-types
param callers array = []

var tags = { 'azd-env-name': environmentName }

resource resourceGroup 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module resources 'resources.bicep' = {
  name: 'resources'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    resourceToken: toLower(uniqueString(subscription().id, environmentName, location))
    principalId: principalId
    maximumInstanceCount: checkedMaximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    alwaysReadyInstanceCount: alwaysReadyInstanceCount
    postgresSku: postgresSku
    postgresAdminPassword: postgresAdminPassword
    postgresAppPassword: postgresAppPassword
    postgresPoolSize: postgresPoolSize
    postgresBackupRetentionDays: postgresBackupRetentionDays
    postgresGeoRedundantBackup: postgresGeoRedundantBackup
    postgresNetwork: postgresNetwork
    deployerIpAddress: deployerIpAddress
    callers: callers
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_FUNCTION_APP_NAME string = resources.outputs.functionAppName
output AZURE_FUNCTION_APP_URL string = resources.outputs.functionAppUrl
output AZURE_KEY_VAULT_NAME string = resources.outputs.keyVaultName
output AZURE_POSTGRES_HOST string = resources.outputs.postgresHost
output AZURE_POSTGRES_DATABASE string = resources.outputs.postgresDatabase
output APPLICATIONINSIGHTS_NAME string = resources.outputs.applicationInsightsName
