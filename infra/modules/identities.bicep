// Two user-assigned identities made before anything that needs a role: one for
// the function app, one the IoT Hubs use to send routed events to Event Hubs.
@description('Region')
param location string
@description('Resource tags')
param tags object
@description('Unique token for names')
param token string

resource app 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-app-${token}'
  location: location
  tags: tags
}

resource hubs 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-hubs-${token}'
  location: location
  tags: tags
}

output appIdentityId string = app.id
output appClientId string = app.properties.clientId
output appPrincipalId string = app.properties.principalId
output hubsIdentityId string = hubs.id
output hubsPrincipalId string = hubs.properties.principalId
