/** Human labels for stored sync outcomes (`SyncOutcome` codes); unknown values are shown as given. */
const OUTCOME_LABELS: Readonly<Record<string, string>> = {
  succeeded: 'Succeeded',
  mfaRequired: 'Partner Center requires MFA (401 / 900421): reconnect needed',
  notConnected: 'Not connected to Partner Center: reconnect needed',
  throttled: 'Partner Center throttled the requests (429); will retry later',
  unavailable: 'Partner Center or the sign-in service was unavailable; will retry later',
  badResponse: 'Partner Center sent a response MFA Shepherd could not read',
  storageUnavailable: "MFA Shepherd's storage was unavailable",
  failed: 'Failed unexpectedly',
};

export function describeSyncOutcome(outcome: string): string {
  return Object.prototype.hasOwnProperty.call(OUTCOME_LABELS, outcome) ? (OUTCOME_LABELS[outcome] ?? outcome) : outcome;
}
