// Alert rules an operator needs, over the workspace that Application Insights writes to:
//   - a streak of failed Partner Center syncs, 900421 (the bot's token lost its MFA claim),
//   - outbox messages parked on the poison queue, and 5xx answers from the web app.
// Metric names match src/integrations/telemetry/otel-metrics.ts (METRIC_NAMES).

param baseName string
param location string
param workspaceId string
param webAppId string
param alertEmail string
param syncIntervalMinutes string

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${baseName}-alerts'
  location: 'global'
  properties: {
    groupShortName: take(replace(baseName, '-', ''), 12)
    enabled: true
    emailReceivers: empty(alertEmail) ? [] : [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var logAlerts = [
  {
    name: '${baseName}-sync-failure-streak'
    description: 'Three or more Partner Center syncs failed and none succeeded in the last 6 hours.'
    severity: 2
    windowSize: 'PT6H'
    evaluationFrequency: 'PT1H'
    query: 'AppMetrics | where Name == "mfa_shepherd.sync.runs" | extend outcome = tostring(Properties["outcome"]) | summarize failed = sumif(Sum, outcome != "succeeded"), succeeded = sumif(Sum, outcome == "succeeded") | where failed >= 3 and succeeded == 0'
  }
  {
    name: '${baseName}-partner-center-900421'
    description: 'Partner Center refused the bot\'s token for lack of MFA (401 / 900421): an admin agent must type "connect partner center" and sign in with MFA.'
    severity: 1
    windowSize: 'PT15M'
    evaluationFrequency: 'PT15M'
    query: 'AppMetrics | where Name == "mfa_shepherd.partner_center.mfa_rejections" | summarize rejections = sum(Sum) | where rejections > 0'
  }
  {
    name: '${baseName}-outbox-parked'
    description: 'Outgoing Teams messages were parked on the poison queue after repeated failures.'
    severity: 2
    windowSize: 'PT15M'
    evaluationFrequency: 'PT15M'
    query: 'AppMetrics | where Name == "mfa_shepherd.outbox.parked" | summarize parked = sum(Sum) | where parked > 0'
  }
]

resource logAlertRules 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = [for rule in logAlerts: {
  name: rule.name
  location: location
  kind: 'LogAlert'
  properties: {
    displayName: rule.name
    description: '${rule.description} (sync interval: ${syncIntervalMinutes} min)'
    severity: rule.severity
    enabled: true
    scopes: [
      workspaceId
    ]
    evaluationFrequency: rule.evaluationFrequency
    windowSize: rule.windowSize
    criteria: {
      allOf: [
        {
          query: rule.query
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}]

resource http5xx 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${baseName}-http-5xx'
  location: 'global'
  properties: {
    description: 'The web app answered with 5xx errors.'
    severity: 2
    enabled: true
    scopes: [
      webAppId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'http5xx'
          metricName: 'Http5xx'
          metricNamespace: 'Microsoft.Web/sites'
          operator: 'GreaterThan'
          threshold: 5
          timeAggregation: 'Total'
        }
      ]
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}
