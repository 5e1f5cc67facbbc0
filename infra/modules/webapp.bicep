// App Service (Linux, Node 22 LTS) running `node dist/src/main.js`. Always On: the sync, nudge
// and SLA schedulers run in-process. /healthz is the health check. Every setting the config
// schema requires is set here (test/infra keeps the two in step); the one secret is a Key Vault
// reference resolved with the managed identity.

param planName string
param webAppName string
param location string
param sku string
param identityResourceId string
param identityClientId string
param identityTenantId string
param storageAccountName string
param keyVaultName string
param tokenEncryptionKeySecretName string
param appInsightsConnectionString string
param workspaceId string
param partnerTenantId string
param partnerCenterClientId string
param adminAadObjectIds string
param defaultTimezone string
param syncIntervalMinutes string
param teamsAppCatalogId string

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: planName
  location: location
  kind: 'linux'
  sku: {
    name: sku
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: webAppName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityResourceId
    siteConfig: {
      linuxFxVersion: 'NODE|22-lts'
      appCommandLine: 'node dist/src/main.js'
      alwaysOn: true
      healthCheckPath: '/healthz'
      http20Enabled: true
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
  }
}

// A child resource, so the settings can use the site's own host name (PUBLIC_BASE_URL).
resource appSettings 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    WEBSITE_RUN_FROM_PACKAGE: '1'
    SCM_DO_BUILD_DURING_DEPLOYMENT: 'false'
    RUNNING_ON_AZURE: '1'
    NODE_ENV: 'production'
    BOT_ID: identityClientId
    BOT_TENANT_ID: identityTenantId
    BOT_TYPE: 'UserAssignedMSI'
    MANAGED_IDENTITY_CLIENT_ID: identityClientId
    PUBLIC_BASE_URL: 'https://${site.properties.defaultHostName}'
    AZURE_STORAGE_ACCOUNT_NAME: storageAccountName
    TOKEN_ENCRYPTION_KEY: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${tokenEncryptionKeySecretName})'
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
    PARTNER_TENANT_ID: partnerTenantId
    PARTNER_CENTER_CLIENT_ID: partnerCenterClientId
    ADMIN_AAD_OBJECT_IDS: adminAadObjectIds
    DEFAULT_TIMEZONE: defaultTimezone
    SYNC_INTERVAL_MINUTES: syncIntervalMinutes
    TEAMS_APP_CATALOG_ID: teamsAppCatalogId
    LOG_LEVEL: 'info'
  }
}

// Console logs (the app's JSON lines, with trace ids) and HTTP logs to the workspace.
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: site
  name: 'to-log-analytics'
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'AppServiceConsoleLogs'
        enabled: true
      }
      {
        category: 'AppServiceHTTPLogs'
        enabled: true
      }
      {
        category: 'AppServicePlatformLogs'
        enabled: true
      }
    ]
  }
}

output id string = site.id
output defaultHostName string = site.properties.defaultHostName
