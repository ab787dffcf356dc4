// Webhook secrets live here; the app reads them through Key Vault references.
// The continuation-token HMAC key is made here too: a fresh random value on each
// deployment (tokens issued before a deployment then get 400 and the client starts over).
@description('Region')
param location string
@description('Resource tags')
param tags object
@description('Unique token for names')
param token string
@secure()
@description('HMAC key that signs list continuation tokens; random unless given')
param pageTokenKey string = newGuid()
@secure()
@description('AES-256 key (32 random bytes, base64) sealing inline registry credentials; empty: no secret is made and such manifests are refused')
param registrySecretsKey string = ''

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-${take(token, 20)}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri

resource pageTokenSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'page-token-key'
  properties: { value: pageTokenKey }
}

output pageTokenSecretName string = pageTokenSecret.name

// Unlike the page-token key, never made up here: a new value on each deployment would
// make every sealed credential unreadable. The operator makes it once and keeps passing it.
resource registrySecretsKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(registrySecretsKey)) {
  parent: vault
  name: 'registry-secrets-key'
  properties: { value: registrySecretsKey }
}

output registrySecretsKeySecretName string = empty(registrySecretsKey) ? '' : 'registry-secrets-key'
