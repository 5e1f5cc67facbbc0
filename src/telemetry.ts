import { shutdownAzureMonitor, useAzureMonitor } from '@azure/monitor-opentelemetry';

/**
 * Azure Monitor through OpenTelemetry: incoming requests, outgoing HTTP and Azure SDK calls
 * (dependencies), and the Metrics port's counters. Call before the rest of the app is loaded so
 * the http instrumentation is in place. Only with a connection string: nothing is sent otherwise.
 * The cloud role (instance, site name) comes from the distro's App Service resource detector.
 */
export function startTelemetry(options: { connectionString?: string }): { enabled: boolean; shutdown(): Promise<void> } {
  if (options.connectionString === undefined) return { enabled: false, shutdown: async () => undefined };
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString: options.connectionString },
    enableLiveMetrics: true,
    instrumentationOptions: { http: { enabled: true }, azureSdk: { enabled: true } },
  });
  return { enabled: true, shutdown: () => shutdownAzureMonitor() };
}
