// The health Event Hub the IoT Hubs route into; local (key) auth is disabled.
@description('Region')
param location string
@description('Resource tags')
param tags object
@description('Unique token for names')
param token string
@description('Event hub name')
param eventHubName string
@description('Consumer groups to create (the app reads the first)')
param consumerGroups array

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: 'evhns-${token}'
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Standard', capacity: 1 }
  properties: { disableLocalAuth: true, minimumTlsVersion: '1.2' }
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: eventHubName
  properties: { partitionCount: 4, messageRetentionInDays: 1 }
}

resource groups 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = [
  for group in consumerGroups: {
    parent: hub
    name: group
  }
]

output namespaceName string = namespace.name
