// MFA Shepherd: Azure deployment SKETCH.
//
// !! NOT YET COMPILED: this machine has no Bicep compiler and no network. Expect typos and API
// !! version drift. Deployment has its own issue; treat this file as the intended shape only.
//
// What it sets up:
//   - Storage account (Tables for state, Queues for later work), no public blob access
//   - Key Vault (RBAC) holding BOT_PASSWORD, TOKEN_ENCRYPTION_KEY, the storage connection string
//     (and the Partner Center refresh-token cache key material lives there too)
//   - User-assigned managed identity: reads those secrets (Key Vault references in app settings)
//   - App Service plan (Linux) + Web App, Node 20 LTS, always on (the scheduler runs in-process),
//     health check on /healthz
//   - Azure Bot resource with the Microsoft Teams channel, messaging endpoint /api/messages

targetScope = 'resourceGroup'

@description('Prefix for every resource name, e.g. "mfashep-dev". Letters, digits and hyphens.')
@minLength(3)
@maxLength(20)
param resourceBaseName string

param location string = resourceGroup().location

@description('Microsoft App ID of the bot (Entra app registration). Becomes BOT_ID.')
param botAadAppClientId string

@description('Tenant of the bot app registration. Becomes BOT_TENANT_ID.')
param botTenantId string = subscription().tenantId

@description('Client secret of the bot app registration. Stored in Key Vault only.')
@secure()
param botAadAppClientSecret string

@description('base64 of 32 random bytes (openssl rand -base64 32). Stored in Key Vault only.')
@secure()
param tokenEncryptionKey string

@description('The partner\'s Entra tenant id (PARTNER_TENANT_ID).')
param partnerTenantId string

@description('App registration for the Secure Application Model consent (PARTNER_CENTER_CLIENT_ID).')
param partnerCenterClientId string

@description('Comma-separated AAD object ids of the security admins.')
param adminAadObjectIds string

param defaultTimezone string = 'Europe/Berlin'
param syncIntervalMinutes int = 60
param teamsAppCatalogId string = ''

@description('Display name of the bot in the Azure portal.')
param botDisplayName string = 'MFA Shepherd'

param webAppSku string = 'B1'

var storageName = toLower(take(replace('${resourceBaseName}st', '-', ''), 24))
var keyVaultName = take('${resourceBaseName}-kv', 24)
// Built-in role "Key Vault Secrets User".
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${resourceBaseName}-id'
  location: location
}

// ------------------------------------------------------------------------------------ storage
resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

// ------------------------------------------------------------------------------------ secrets
resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
  }
}

resource secretBotPassword 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'bot-password'
  properties: { value: botAadAppClientSecret }
}

resource secretTokenKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'token-encryption-key'
  properties: { value: tokenEncryptionKey }
}

resource secretStorage 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'storage-connection-string'
  properties: {
    value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
  }
}

resource identityReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: keyVault
  name: guid(keyVault.id, identity.id, keyVaultSecretsUserRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ------------------------------------------------------------------------------------ web app
resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${resourceBaseName}-plan'
  location: location
  kind: 'linux'
  sku: { name: webAppSku }
  properties: { reserved: true }
}

var kvRef = 'VaultName=${keyVault.name};SecretName='

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: '${resourceBaseName}-app'
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      appCommandLine: 'node dist/src/main.js'
      alwaysOn: true
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      healthCheckPath: '/healthz'
      appSettings: [
        { name: 'WEBSITE_RUN_FROM_PACKAGE', value: '1' }
        { name: 'NODE_ENV', value: 'production' }
        { name: 'BOT_ID', value: botAadAppClientId }
        { name: 'BOT_TENANT_ID', value: botTenantId }
        { name: 'BOT_TYPE', value: 'SingleTenant' }
        { name: 'BOT_PASSWORD', value: '@Microsoft.KeyVault(${kvRef}${secretBotPassword.name})' }
        { name: 'TOKEN_ENCRYPTION_KEY', value: '@Microsoft.KeyVault(${kvRef}${secretTokenKey.name})' }
        // Required with BOT_ID (https): the base of the single-use CSV export links.
        { name: 'PUBLIC_BASE_URL', value: 'https://${resourceBaseName}-app.azurewebsites.net' }
        { name: 'AZURE_STORAGE_CONNECTION_STRING', value: '@Microsoft.KeyVault(${kvRef}${secretStorage.name})' }
        { name: 'PARTNER_TENANT_ID', value: partnerTenantId }
        { name: 'PARTNER_CENTER_CLIENT_ID', value: partnerCenterClientId }
        { name: 'ADMIN_AAD_OBJECT_IDS', value: adminAadObjectIds }
        { name: 'SYNC_INTERVAL_MINUTES', value: string(syncIntervalMinutes) }
        { name: 'DEFAULT_TIMEZONE', value: defaultTimezone }
        { name: 'TEAMS_APP_CATALOG_ID', value: teamsAppCatalogId }
        { name: 'LOG_LEVEL', value: 'info' }
      ]
    }
  }
  dependsOn: [identityReadsSecrets]
}

// ------------------------------------------------------------------------------------ bot
resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${resourceBaseName}-bot'
  location: 'global'
  kind: 'azurebot'
  sku: { name: 'F0' }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppId: botAadAppClientId
    msaAppTenantId: botTenantId
    msaAppType: 'SingleTenant'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}

// Names follow the Agents Toolkit convention: outputs are written back into env/.env.<name>.
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output STORAGE_ACCOUNT_NAME string = storage.name
output KEY_VAULT_NAME string = keyVault.name
output TABLE_SERVICE_ID string = tableService.id
output QUEUE_SERVICE_ID string = queueService.id
