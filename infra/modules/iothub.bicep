// One regional IoT Hub. It routes twin changes and connection state changes
// (IoT Hub's non-telemetry events) and the devices' heartbeat telemetry into the
// health Event Hub through an identity-based endpoint (no keys). The app manages
// configurations with IoT Hub Data Contributor on this hub (Registry
// Contributor covers devices only, not configurations).
@description('Resource name of the hub (globally unique)')
param name string
@description('Region of the hub')
param location string
@description('SKU: S1, S2 or S3 (edge deployments need a standard tier)')
param sku string
@description('IoT Hub units (configuration operations are throttled per unit)')
param units int
@description('Resource tags')
param tags object
@description('Resource id of the identity the hub sends routed events with')
param hubsIdentityId string
@description('sb://<namespace>.servicebus.windows.net')
param eventHubsEndpointUri string
@description('Event hub the routes send to')
param eventHubName string
@description('Principal id of the function app identity')
param appPrincipalId string

var iotHubDataContributor = '4fc6c259-987e-4a07-842e-c321cc9d413f'

resource hub 'Microsoft.Devices/IotHubs@2023-06-30' = {
  name: name
  location: location
  tags: tags
  sku: { name: sku, capacity: units }
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${hubsIdentityId}': {} } }
  properties: {
    disableLocalAuth: false // devices still authenticate with their own keys or certificates
    routing: {
      endpoints: {
        eventHubs: [
          {
            name: 'device-health'
            authenticationType: 'identityBased'
            identity: { userAssignedIdentity: hubsIdentityId }
            endpointUri: eventHubsEndpointUri
            entityPath: eventHubName
          }
        ]
      }
      routes: [
        { name: 'twin-changes', source: 'TwinChangeEvents', condition: 'true', endpointNames: ['device-health'], isEnabled: true }
        { name: 'connection-state', source: 'DeviceConnectionStateEvents', condition: 'true', endpointNames: ['device-health'], isEnabled: true }
        // Heartbeats are device telemetry marked by an application property; other telemetry goes elsewhere.
        { name: 'heartbeats', source: 'DeviceMessages', condition: 'type = \'heartbeat\'', endpointNames: ['device-health'], isEnabled: true }
      ]
      fallbackRoute: { name: '$fallback', source: 'DeviceMessages', condition: 'true', endpointNames: ['events'], isEnabled: true }
    }
  }
}

resource appConfigurations 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: hub
  name: guid(hub.id, appPrincipalId, iotHubDataContributor)
  properties: { principalId: appPrincipalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', iotHubDataContributor) }
}

output hostName string = hub.properties.hostName
