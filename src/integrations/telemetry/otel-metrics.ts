import { metrics as otelMetrics, type Meter } from '@opentelemetry/api';
import type { Metrics } from '../../app/ports';

/** Metric names: the Bicep alert rules query these (infra/modules/alerts.bicep). */
export const METRIC_NAMES = {
  syncRuns: 'mfa_shepherd.sync.runs',
  mfaRejections: 'mfa_shepherd.partner_center.mfa_rejections',
  outboxSent: 'mfa_shepherd.outbox.sent',
  outboxParked: 'mfa_shepherd.outbox.parked',
  slaBreaches: 'mfa_shepherd.sla.breaches',
} as const;

/**
 * The Metrics port over the OpenTelemetry API. Without a registered SDK (telemetry off, tests) the
 * API's meter is a no-op; with Azure Monitor started, the counters reach Application Insights
 * (customMetrics / AppMetrics, attributes as custom dimensions).
 */
export function createOtelMetrics(meter: Meter = otelMetrics.getMeter('mfa-shepherd')): Metrics {
  const syncRuns = meter.createCounter(METRIC_NAMES.syncRuns, { description: 'Partner Center sync runs, by outcome and trigger' });
  const mfaRejections = meter.createCounter(METRIC_NAMES.mfaRejections, { description: 'Partner Center refusals of the bot token for lack of MFA (401 / 900421)' });
  const sent = meter.createCounter(METRIC_NAMES.outboxSent, { description: 'Outbox messages delivered to Teams, by kind' });
  const parked = meter.createCounter(METRIC_NAMES.outboxParked, { description: 'Outbox messages parked on the poison queue, by kind' });
  const slaBreaches = meter.createCounter(METRIC_NAMES.slaBreaches, { description: 'Exception requests whose SLA at Microsoft was announced as breached' });
  return {
    syncFinished: (outcome, trigger) => syncRuns.add(1, { outcome, trigger }),
    mfaRejected: () => mfaRejections.add(1),
    outboxSent: (kind) => sent.add(1, { kind: kind ?? 'unknown' }),
    outboxParked: (kind) => parked.add(1, { kind: kind ?? 'unknown' }),
    slaBreached: () => slaBreaches.add(1),
  };
}
