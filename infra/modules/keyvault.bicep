// Key Vault (RBAC authorization) for the one secret the app has: TOKEN_ENCRYPTION_KEY, which
// encrypts the Partner Center token cache at rest. The app reads it through a Key Vault reference.

param name string
param location string
@description('Principal (object) id of the user-assigned managed identity.')
param identityPrincipalId string
@secure()
param tokenEncryptionKey string

// Built-in role "Key Vault Secrets User" (read secret contents).
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var tokenEncryptionKeySecretName = 'token-encryption-key'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource tokenKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: tokenEncryptionKeySecretName
  properties: {
    value: tokenEncryptionKey
    contentType: 'base64, 32 bytes'
  }
}

resource identityReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identityPrincipalId, keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output name string = vault.name
output tokenEncryptionKeySecretName string = tokenKey.name
