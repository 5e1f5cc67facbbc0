import type { SyncCounts } from './sync';

export type SyncOutcome =
  | 'succeeded'
  /** Partner Center rejected the bot's token for lacking MFA (401 / 900421): reconnect needed. */
  | 'mfaRequired'
  /** No Partner Center connection (consent never given, or the refresh token expired). */
  | 'notConnected'
  | 'throttled'
  | 'unavailable'
  | 'badResponse'
  | 'storageUnavailable'
  | 'failed';

/** The integration inventory's part of a run (same lease, same token, after the principals). */
export interface IntegrationRunSummary {
  outcome: 'succeeded' | 'failed';
  apps?: number;
  changed?: number;
  requests?: number;
  adoptionDays?: number;
  alerts?: number;
  errorCode?: string;
}

export interface SyncRun {
  id: string;
  tenantId: string;
  trigger: 'schedule' | 'admin' | 'startup';
  /** AAD object ID of the admin who asked, for admin-triggered runs. */
  requestedBy?: string;
  correlationId: string;
  startedAt: Date;
  finishedAt: Date;
  outcome: SyncOutcome;
  counts?: SyncCounts;
  /** Whether the Partner Center token used carried the MFA claim (`amr` contains "mfa"). */
  tokenHasMfa?: boolean;
  /** Partner Center's own `isMfaCompliant` answer to `ValidateMfa: true`, when it gave one. */
  partnerCenterSaysMfaCompliant?: boolean;
  errorCode?: string;
  errorMessage?: string;
  /** Admins a reconnect alert about this run reached (absent: no alert was due). */
  adminsAlerted?: number;
  /** The integration inventory sync that ran inside this run, when configured. */
  integrations?: IntegrationRunSummary;
}

const OUTCOME_BY_CODE: Record<string, SyncOutcome> = {
  PC_MFA_REQUIRED: 'mfaRequired',
  TOKEN_WITHOUT_MFA: 'mfaRequired',
  PC_NOT_CONNECTED: 'notConnected',
  PC_UNAUTHORIZED: 'notConnected',
  PC_THROTTLED: 'throttled',
  PC_UNAVAILABLE: 'unavailable',
  IDENTITY_UNAVAILABLE: 'unavailable',
  PC_BAD_RESPONSE: 'badResponse',
  STORAGE_UNAVAILABLE: 'storageUnavailable',
};

export function outcomeForErrorCode(code: string): SyncOutcome {
  return OUTCOME_BY_CODE[code] ?? 'failed';
}

/** Outcomes after which admins must act (reconnect) rather than wait for the next run. */
export function needsReconnect(outcome: string): boolean {
  return outcome === 'mfaRequired' || outcome === 'notConnected';
}

/**
 * Row keys that sort newest first in Table storage (which orders by key ascending).
 * 13-digit inverted epoch milliseconds plus a suffix for uniqueness.
 */
export function syncRunId(startedAt: Date, suffix: string): string {
  const inverted = 9_999_999_999_999 - startedAt.getTime();
  return `${String(inverted).padStart(13, '0')}-${suffix}`;
}
