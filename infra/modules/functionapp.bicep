// The function app on Flex Consumption (Node 20) with a user-assigned identity.
// Every connection is identity-based (`X__accountName`, `X__fullyQualifiedNamespace`
// with `__credential` and `__clientId`); secrets are Key Vault references. No
// connection string or key is in its settings.
@description('Region')
param location string
@description('Resource tags (azd-service-name marks the deploy target)')
param tags object
@description('Unique token for names')
param token string
@description('Resource id of the app identity')
param appIdentityId string
@description('Client id of the app identity')
param appClientId string
@description('Storage account for the host and the app data')
param storageAccountName string
@description('Blob endpoint of that account')
param blobEndpoint string
@description('Event Hubs namespace of the health events')
param eventHubsNamespaceName string
@description('Health event hub name')
param healthEventHubName string
@description('Consumer group the app reads')
param healthConsumerGroup string
@description('Reconciler schedule (NCRONTAB, UTC)')
param reconcileSchedule string
@description('Application Insights connection string (no key with Entra auth)')
param appInsightsConnectionString string
@description('Key Vault URI for webhook secret references')
param keyVaultUri string
@description('App setting name -> Key Vault secret name, for webhook secrets')
param webhookSecretNames object
@description('Webhook settings to wire (their secrets exist); the others stay unset, so those providers are off')
param enabledWebhooks array
@description('Key Vault secret holding the continuation token HMAC key')
param pageTokenSecretName string
@description('Key Vault secret holding REGISTRY_SECRETS_KEY; empty: inline registry credentials are refused')
param registrySecretsKeySecretName string = ''
@description('The HUBS app setting (JSON; host names, no keys)')
param hubsSetting string

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${token}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

var identitySettings = [
  { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: appClientId }
  { name: 'FleetStorage__accountName', value: storageAccountName }
  { name: 'FleetStorage__credential', value: 'managedidentity' }
  { name: 'FleetStorage__clientId', value: appClientId }
  { name: 'HealthEventHub__fullyQualifiedNamespace', value: '${eventHubsNamespaceName}.servicebus.windows.net' }
  { name: 'HealthEventHub__credential', value: 'managedidentity' }
  { name: 'HealthEventHub__clientId', value: appClientId }
  // DefaultAzureCredential (IoT Hub clients) finds the user-assigned identity through this.
  { name: 'AZURE_CLIENT_ID', value: appClientId }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${appClientId};Authorization=AAD' }
]

var appSettings = [
  { name: 'HUBS', value: hubsSetting }
  { name: 'HEALTH_EVENTHUB_NAME', value: healthEventHubName }
  { name: 'HEALTH_EVENTHUB_CONSUMER_GROUP', value: healthConsumerGroup }
  { name: 'RECONCILE_SCHEDULE', value: reconcileSchedule }
  { name: 'PAGE_TOKEN_KEY', value: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${pageTokenSecretName})' }
]

var registrySecretsKeySettings = empty(registrySecretsKeySecretName) ? [] : [
  { name: 'REGISTRY_SECRETS_KEY', value: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${registrySecretsKeySecretName})' }
]

// Only enabled providers get a reference: a reference to a secret that does not exist stays the
// literal `@Microsoft.KeyVault(...)`, which the app refuses (the provider is off, readiness fails).
var secretSettings = map(filter(items(webhookSecretNames), s => contains(enabledWebhooks, s.key)), s => { name: s.key, value: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${s.value})' })

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: 'func-${token}'
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${appIdentityId}': {} } }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: appIdentityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}app-package'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: appIdentityId }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: 40, instanceMemoryMB: 2048 }
      runtime: { name: 'node', version: '20' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: concat(identitySettings, appSettings, registrySecretsKeySettings, secretSettings)
    }
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
