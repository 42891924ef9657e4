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
@description('Most instances the function app scales out to. Each holds its own PostgreSQL connections.')
param maximumInstanceCount int = 40

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

@secure()
@description('Password of the PostgreSQL administrator; azd generates it once per environment and keeps it in .azure/.')
@metadata({
  azd: {
    type: 'generate'
    config: { length: 32, noSpecial: true, minLower: 2, minUpper: 2, minNumeric: 2 }
  }
})
param postgresAdminPassword string

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
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    alwaysReadyInstanceCount: alwaysReadyInstanceCount
    postgresSku: postgresSku
    postgresAdminPassword: postgresAdminPassword
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_FUNCTION_APP_NAME string = resources.outputs.functionAppName
output AZURE_FUNCTION_APP_URL string = resources.outputs.functionAppUrl
output AZURE_KEY_VAULT_NAME string = resources.outputs.keyVaultName
output AZURE_POSTGRES_HOST string = resources.outputs.postgresHost
output APPLICATIONINSIGHTS_NAME string = resources.outputs.applicationInsightsName
