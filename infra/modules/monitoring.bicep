// Logs and Application Insights (local auth off: the app publishes with its identity).
@description('Region')
param location string
@description('Resource tags')
param tags object
@description('Unique token for names')
param token string

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${token}'
  location: location
  tags: tags
  properties: { sku: { name: 'PerGB2018' }, retentionInDays: 30 }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${token}'
  location: location
  tags: tags
  kind: 'web'
  properties: { Application_Type: 'web', WorkspaceResourceId: logs.id, DisableLocalAuth: true }
}

output appInsightsName string = insights.name
output connectionString string = insights.properties.ConnectionString
