// Webhook secrets live here; the app reads them through Key Vault references.
@description('Region')
param location string
@description('Resource tags')
param tags object
@description('Unique token for names')
param token string

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
