// The whole backend in one resource group: the function app (Flex Consumption,
// Node 20, user-assigned identity, no keys in settings), its storage, the health
// Event Hub, one IoT Hub per region routing device events into it, monitoring,
// a Key Vault for webhook secrets, and least-privilege role assignments.
targetScope = 'resourceGroup'

@description('azd environment name; names and tags derive from it')
param environmentName string

@description('Region of the function app, storage, Event Hubs, Key Vault and monitoring')
param location string = resourceGroup().location

@description('Regional IoT Hubs: name (short, used by the app and in HUBS), location, sku (S1/S2/S3), units, labels for hub selectors')
param hubs array

@description('Event hub that IoT Hub routes device health events into')
param healthEventHubName string = 'device-health'

@description('Consumer group the health-ingest function reads')
param healthConsumerGroup string = 'control-plane'

@description('Six-field NCRONTAB schedule (UTC) of the reconciler')
param reconcileSchedule string = '0 */1 * * * *'

@description('Names of the Key Vault secrets that hold the registry webhook secrets; create a secret in the vault, then list its setting in enabledWebhooks')
param webhookSecretNames object = {
  WEBHOOK_ACR_TOKEN: 'webhook-acr-token'
  WEBHOOK_DOCKERHUB_TOKEN: 'webhook-dockerhub-token'
  WEBHOOK_GHCR_SECRET: 'webhook-ghcr-secret'
  WEBHOOK_HARBOR_SECRET: 'webhook-harbor-secret'
  WEBHOOK_CLOUDEVENTS_TOKEN: 'webhook-cloudevents-token'
  WEBHOOK_GENERIC_SECRET: 'webhook-generic-secret'
}

@description('Webhook settings to wire to their Key Vault secret (e.g. [\'WEBHOOK_GHCR_SECRET\']); each secret must exist first, or the app reports the setting unusable and its readiness check fails. Docker Hub can authenticate only by a token in the URL: see docs/deploy.md before enabling WEBHOOK_DOCKERHUB_TOKEN')
param enabledWebhooks array = []

@secure()
@description('32 random bytes, base64 (`openssl rand -base64 32`), sealing inline registry credentials of manifests at rest. Make it once and pass the same value on every deployment: a new key makes stored credentials unreadable. Empty: manifests with inline registryCredentials are refused')
param registrySecretsKey string = ''

@description('Client id of the Entra ID app registration the web console signs operators in with (App Service authentication, Easy Auth); empty: the console is not served in Azure (docs/console.md)')
param consoleSignInClientId string = ''

@description('Object ids of the Entra ID groups whose members may sign in to the console; empty: any account of the tenant the app registration admits')
param consoleOperatorGroupIds array = []

var token = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = { 'azd-env-name': environmentName }

module identities 'modules/identities.bicep' = {
  name: 'identities'
  params: { location: location, tags: tags, token: token }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: { location: location, tags: tags, token: token }
}

module eventHubs 'modules/eventhubs.bicep' = {
  name: 'eventhubs'
  params: { location: location, tags: tags, token: token, eventHubName: healthEventHubName, consumerGroups: [healthConsumerGroup, 'tools'] }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: { location: location, tags: tags, token: token }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: { location: location, tags: tags, token: token, registrySecretsKey: registrySecretsKey }
}

// The hubs' identity must hold Event Hubs Data Sender *before* a hub with an
// identity-based routing endpoint is created (IoT Hub checks the endpoint on
// creation). A user-assigned identity made up front lets the role assignment
// come first; the hubs module depends on it.
module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    storageAccountName: storage.outputs.name
    eventHubsNamespaceName: eventHubs.outputs.namespaceName
    keyVaultName: keyVault.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
    appPrincipalId: identities.outputs.appPrincipalId
    hubsPrincipalId: identities.outputs.hubsPrincipalId
  }
}

module iotHubs 'modules/iothub.bicep' = [
  for hub in hubs: {
    name: 'iothub-${hub.name}'
    dependsOn: [roles]
    params: {
      name: 'iot-${token}-${hub.name}'
      location: hub.location
      sku: hub.sku
      units: hub.units
      tags: tags
      hubsIdentityId: identities.outputs.hubsIdentityId
      eventHubsEndpointUri: 'sb://${eventHubs.outputs.namespaceName}.servicebus.windows.net'
      eventHubName: healthEventHubName
      appPrincipalId: identities.outputs.appPrincipalId
      configurationRoleId: roles.outputs.configurationManagerRoleId
    }
  }
]

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  dependsOn: [roles]
  params: {
    location: location
    tags: union(tags, { 'azd-service-name': 'api' })
    token: token
    appIdentityId: identities.outputs.appIdentityId
    appClientId: identities.outputs.appClientId
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    eventHubsNamespaceName: eventHubs.outputs.namespaceName
    healthEventHubName: healthEventHubName
    healthConsumerGroup: healthConsumerGroup
    reconcileSchedule: reconcileSchedule
    appInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultUri: keyVault.outputs.uri
    webhookSecretNames: webhookSecretNames
    enabledWebhooks: enabledWebhooks
    pageTokenSecretName: keyVault.outputs.pageTokenSecretName
    registrySecretsKeySecretName: keyVault.outputs.registrySecretsKeySecretName
    // HUBS as the app reads it: host names only (the app signs in with its identity), no keys.
    hubsSetting: string(map(hubs, h => {
      name: h.name
      region: h.location
      labels: h.labels
      units: h.units
      connection: 'iot-${token}-${h.name}.azure-devices.net'
    }))
  }
}

// Operators sign in to the console with Entra ID; API callers keep using function keys.
module consoleSignIn 'modules/easyauth.bicep' = if (!empty(consoleSignInClientId)) {
  name: 'easyauth'
  params: { appName: functionApp.outputs.name, clientId: consoleSignInClientId, operatorGroupIds: consoleOperatorGroupIds }
}

output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output API_BASE_URL string = 'https://${functionApp.outputs.defaultHostName}/api'
output CONSOLE_URL string = 'https://${functionApp.outputs.defaultHostName}/api/console/'
output KEY_VAULT_NAME string = keyVault.outputs.name
output EVENT_HUBS_NAMESPACE string = eventHubs.outputs.namespaceName
