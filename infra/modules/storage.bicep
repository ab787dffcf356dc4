// Desired state and device health (tables), the host's blobs and Event Hubs
// checkpoints, and the Flex Consumption deployment package. Keys are disabled:
// everything signs in with the app's identity.
@description('Region')
param location string
@description('Resource tags')
param tags object
@description('Unique token for names')
param token string

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'st${take(token, 20)}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource packages 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: 'app-package'
}

output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
