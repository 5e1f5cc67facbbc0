// MFA Shepherd in Azure: provisioned by the Microsoft 365 Agents Toolkit (m365agents.yml, arm/deploy).
//
// One user-assigned managed identity is the bot's identity and reaches everything else; no secret
// is stored for it anywhere:
//   - Azure Bot (UserAssignedMSI): msaAppId = the identity's client id
//   - App Service (Linux, Node 22 LTS): the identity resolves Key Vault references and gets tokens
//   - Storage (Tables, Queues): data-plane roles, shared-key access disabled
//   - Key Vault (RBAC): Key Vault Secrets User, for TOKEN_ENCRYPTION_KEY
//   - Microsoft Graph: app roles granted to the identity's service principal (scripts/azure/grant-graph-permissions.sh)
// Telemetry: Log Analytics + workspace-based Application Insights (OpenTelemetry in the app), alert rules.
// Shape follows the toolkit's default-bot template (templates/vsc/ts/default-bot/infra/azure.bicep).

targetScope = 'resourceGroup'

@maxLength(20)
@minLength(4)
@description('Used to generate names for all resources in this file (letters, digits, hyphens).')
param resourceBaseName string

@description('App Service plan SKU. B1 or larger: Always On is not available on F1.')
param webAppSku string = 'B1'

@maxLength(42)
param botDisplayName string

param location string = resourceGroup().location

@description('The partner\'s Entra tenant id (PARTNER_TENANT_ID). Default: the tenant of this subscription.')
param partnerTenantId string = tenant().tenantId

@description('Client id of the public-client app for the Secure Application Model consent (PARTNER_CENTER_CLIENT_ID).')
param partnerCenterClientId string

@description('Comma-separated AAD object ids of the security admins (ADMIN_AAD_OBJECT_IDS).')
param adminAadObjectIds string

@description('base64 of 32 random bytes (openssl rand -base64 32). Stored in Key Vault only; keep the same value on every provision.')
@secure()
param tokenEncryptionKey string

param defaultTimezone string = 'UTC'
@description('Minutes between scheduled Partner Center syncs (a string: the toolkit fills parameters as text).')
param syncIntervalMinutes string = '60'
@description('The app\'s id in the org app catalog, for proactive installs through Graph. Empty = users install the app.')
param teamsAppCatalogId string = ''
@description('Where alert e-mails go. Empty = the alerts fire in Azure Monitor without notifying anyone.')
param alertEmail string = ''

var names = {
  identity: '${resourceBaseName}-id'
  storage: toLower(take(replace('${resourceBaseName}st${uniqueString(resourceGroup().id)}', '-', ''), 24))
  keyVault: take('${resourceBaseName}-kv-${uniqueString(resourceGroup().id)}', 24)
  workspace: '${resourceBaseName}-logs'
  appInsights: '${resourceBaseName}-ai'
  plan: '${resourceBaseName}-plan'
  webApp: resourceBaseName
  bot: resourceBaseName
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: names.identity
  location: location
}

module storage './modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    identityPrincipalId: identity.properties.principalId
  }
}

module keyVault './modules/keyvault.bicep' = {
  name: 'key-vault'
  params: {
    name: names.keyVault
    location: location
    identityPrincipalId: identity.properties.principalId
    tokenEncryptionKey: tokenEncryptionKey
  }
}

module monitoring './modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    location: location
  }
}

module webApp './modules/webapp.bicep' = {
  name: 'web-app'
  params: {
    planName: names.plan
    webAppName: names.webApp
    location: location
    sku: webAppSku
    identityResourceId: identity.id
    identityClientId: identity.properties.clientId
    identityTenantId: identity.properties.tenantId
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    tokenEncryptionKeySecretName: keyVault.outputs.tokenEncryptionKeySecretName
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    workspaceId: monitoring.outputs.workspaceId
    partnerTenantId: partnerTenantId
    partnerCenterClientId: partnerCenterClientId
    adminAadObjectIds: adminAadObjectIds
    defaultTimezone: defaultTimezone
    syncIntervalMinutes: syncIntervalMinutes
    teamsAppCatalogId: teamsAppCatalogId
  }
  // The app resolves its Key Vault reference and reaches Storage at its first start: roles first.
  dependsOn: [storage, keyVault]
}

// Register the web app as a bot with the Bot Framework, the identity as its app id.
module azureBotRegistration './botRegistration/azurebot.bicep' = {
  name: 'Azure-Bot-registration'
  params: {
    resourceBaseName: names.bot
    identityClientId: identity.properties.clientId
    identityResourceId: identity.id
    identityTenantId: identity.properties.tenantId
    botAppDomain: webApp.outputs.defaultHostName
    botDisplayName: botDisplayName
  }
}

module alerts './modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    baseName: resourceBaseName
    location: location
    workspaceId: monitoring.outputs.workspaceId
    webAppId: webApp.outputs.id
    alertEmail: alertEmail
    syncIntervalMinutes: syncIntervalMinutes
  }
}

// Persisted in env/.env.<environment> by arm/deploy (https://aka.ms/teamsfx-actions/arm-deploy).
output AZURE_APP_SERVICE_RESOURCE_ID string = webApp.outputs.id
output BOT_DOMAIN string = webApp.outputs.defaultHostName
output BOT_ID string = identity.properties.clientId
output BOT_TENANT_ID string = identity.properties.tenantId
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output PUBLIC_BASE_URL string = 'https://${webApp.outputs.defaultHostName}'
