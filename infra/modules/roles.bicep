// Least privilege, by what the code does:
// - the host and the app's tables, blobs (checkpoints, leases, package) and queues (host internals): storage data roles;
// - the health-ingest trigger reads Event Hubs: Azure Event Hubs Data Receiver;
// - the IoT Hubs' identity sends routed events: Azure Event Hubs Data Sender;
// - webhook secrets through Key Vault references: Key Vault Secrets User;
// - Application Insights with Entra auth: Monitoring Metrics Publisher;
// - IoT Hub configurations and the registry statistics the readiness probe reads:
//   a custom role defined here (IoT Hub Data Contributor would also allow direct
//   methods, cloud-to-device messages and device identity changes), assigned on
//   each hub in iothub.bicep.
@description('Storage account name')
param storageAccountName string
@description('Event Hubs namespace name')
param eventHubsNamespaceName string
@description('Key Vault name')
param keyVaultName string
@description('Application Insights name')
param appInsightsName string
@description('Principal id of the function app identity')
param appPrincipalId string
@description('Principal id of the IoT Hubs identity')
param hubsPrincipalId string

var roleIds = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}
resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubsNamespaceName
}
resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}
resource insights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource appBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, appPrincipalId, roleIds.storageBlobDataOwner)
  properties: { principalId: appPrincipalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataOwner) }
}

resource appTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, appPrincipalId, roleIds.storageTableDataContributor)
  properties: { principalId: appPrincipalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageTableDataContributor) }
}

resource appQueues 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, appPrincipalId, roleIds.storageQueueDataContributor)
  properties: { principalId: appPrincipalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageQueueDataContributor) }
}

resource appReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: namespace
  name: guid(namespace.id, appPrincipalId, roleIds.eventHubsDataReceiver)
  properties: { principalId: appPrincipalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.eventHubsDataReceiver) }
}

resource hubsSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: namespace
  name: guid(namespace.id, hubsPrincipalId, roleIds.eventHubsDataSender)
  properties: { principalId: hubsPrincipalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.eventHubsDataSender) }
}

resource appSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, appPrincipalId, roleIds.keyVaultSecretsUser)
  properties: { principalId: appPrincipalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.keyVaultSecretsUser) }
}

resource appMetrics 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: insights
  name: guid(insights.id, appPrincipalId, roleIds.monitoringMetricsPublisher)
  properties: { principalId: appPrincipalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.monitoringMetricsPublisher) }
}

// Data actions from Microsoft Learn, "Control access to IoT Hub by using Microsoft Entra ID"
// (Permissions for IoT Hub service APIs): exactly what registryConfigurations.ts and hubProbe.ts call.
var configurationManagerActions = [
  'Microsoft.Devices/IotHubs/configurations/read'
  'Microsoft.Devices/IotHubs/configurations/write'
  'Microsoft.Devices/IotHubs/configurations/delete'
  'Microsoft.Devices/IotHubs/statistics/read'
]

resource configurationManager 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'iot-hub-configuration-manager')
  properties: {
    // Role names are unique per tenant: the resource group id keeps two installations apart.
    roleName: 'IoT Hub Configuration Manager (${uniqueString(resourceGroup().id)})'
    description: 'Read, create, update and delete IoT Hub configurations (IoT Edge deployments) and read registry statistics; nothing else'
    type: 'customRole'
    assignableScopes: [resourceGroup().id]
    permissions: [{ actions: [], notActions: [], dataActions: configurationManagerActions, notDataActions: [] }]
  }
}

output configurationManagerRoleId string = configurationManager.id
