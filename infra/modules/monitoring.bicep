// Log Analytics workspace + workspace-based Application Insights. The app sends requests,
// dependencies and its metrics through OpenTelemetry (@azure/monitor-opentelemetry); App Service
// console and HTTP logs go to the same workspace (diagnostic settings in webapp.bicep).

param workspaceName string
param appInsightsName string
param location string
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
  }
}

output workspaceId string = workspace.id
output appInsightsConnectionString string = appInsights.properties.ConnectionString
