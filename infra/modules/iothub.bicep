// One regional IoT Hub. It routes into the health Event Hub, through an
// identity-based endpoint (no keys), only what health ingestion reads: reported
// property changes of $edgeAgent and $edgeHub, connection state changes, device
// lifecycle events, and heartbeat telemetry. Everything else stays off the
// Event Hub (no routing, billing and dropping in code). The app manages
// configurations with a custom role (roles.bicep) holding only configuration
// and statistics data actions.
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
@description('Resource id of the custom role with IoT Hub configuration and statistics data actions (roles.bicep)')
param configurationRoleId string

// Routing query syntax: Microsoft Learn, "IoT Hub message routing query syntax". Twin change
// events carry application properties (deviceId, moduleId, opType) and a body holding the
// changed section ($body.properties.reported...); Microsoft Learn, "IoT Hub non-telemetry event schemas".
// $edgeAgent's desired changes are routed too: the desired properties a configuration writes carry
// `configuration.id`, which is how ingestion knows which deployment a device runs (docs/health-ingestion.md).
var edgeTwinChanges = '(moduleId = \'$edgeAgent\' AND (IS_DEFINED($body.properties.reported) OR IS_DEFINED($body.properties.desired))) OR (moduleId = \'$edgeHub\' AND IS_DEFINED($body.properties.reported))'
var lifecycleChanges = 'opType = \'createDeviceIdentity\' OR opType = \'deleteDeviceIdentity\' OR opType = \'createModuleIdentity\' OR opType = \'deleteModuleIdentity\''

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
        { name: 'edge-twin-changes', source: 'TwinChangeEvents', condition: edgeTwinChanges, endpointNames: ['device-health'], isEnabled: true }
        // Every connect and disconnect, of devices and of their module identities.
        { name: 'connection-state', source: 'DeviceConnectionStateEvents', condition: 'true', endpointNames: ['device-health'], isEnabled: true }
        { name: 'lifecycle', source: 'DeviceLifecycleEvents', condition: lifecycleChanges, endpointNames: ['device-health'], isEnabled: true }
        // Heartbeats are device telemetry marked by an application property; other telemetry goes elsewhere.
        { name: 'heartbeats', source: 'DeviceMessages', condition: 'type = \'heartbeat\'', endpointNames: ['device-health'], isEnabled: true }
      ]
      fallbackRoute: { name: '$fallback', source: 'DeviceMessages', condition: 'true', endpointNames: ['events'], isEnabled: true }
      // Device telemetry routed to a custom endpoint names its device (iothub-connection-device-id) but not its hub;
      // ingestion maps heartbeats to a hub by this enrichment (Microsoft Learn, "Message enrichments for
      // device-to-cloud IoT Hub messages": $iothubname).
      enrichments: [
        { key: 'hubName', value: '$iothubname', endpointNames: ['device-health'] }
      ]
    }
  }
}

resource appConfigurations 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: hub
  name: guid(hub.id, appPrincipalId, configurationRoleId)
  properties: { principalId: appPrincipalId, principalType: 'ServicePrincipal', roleDefinitionId: configurationRoleId }
}

output hostName string = hub.properties.hostName
