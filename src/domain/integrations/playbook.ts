import type { Integration } from './types';

/**
 * The remediation playbook: the general steps, or an app's own (edited by an admin), filled with
 * what we know of the app (correlation ids, owner, runbook).
 */
export const GENERAL_PLAYBOOK: readonly string[] = [
  'Check the logs: find the failing calls by the correlation ids Partner Center recorded (partnerRequests) and by your own logs for 401 with error 900421.',
  'Confirm MFA is the cause: call Partner Center with the header ValidateMfa: true and read isMfaCompliant; decode the access token and check that its amr claim contains "mfa".',
  'Find the owner of the app registration in Entra ID (App registrations → Owners) and the account the integration signs in as.',
  'Re-authorize with the Secure Application Model: an admin agent consents once with MFA, store the refresh token in Key Vault, redeem it for access tokens. Scripts: device code sign-in with MFA, never a stored password.',
  'Test beyond the happy path: a token refresh, a scheduled run at night, a retry after a failure. Each must still carry the MFA claim.',
  'Tell MFA Shepherd it is fixed: the next sync shows the app\'s calls with MFA; acknowledge open incidents.',
];

export const MAX_PLAYBOOK_STEPS = 15;
export const MAX_PLAYBOOK_STEP_CHARS = 500;

export function playbookSteps(integration: Integration | undefined): readonly string[] {
  const own = integration?.fields.playbookSteps;
  return own && own.length > 0 ? own : GENERAL_PLAYBOOK;
}

/** Edited steps as typed in a card: one per line; numbering and blank lines dropped. */
export function parsePlaybookSteps(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/^\s*(\d+[.)]|[-*•])\s*/, '').trim())
    .filter((line) => line !== '')
    .slice(0, MAX_PLAYBOOK_STEPS)
    .map((line) => line.slice(0, MAX_PLAYBOOK_STEP_CHARS));
}

/** The fix for an app's non-MFA calls, by how it signs in. */
export function fixFor(integration: Integration): string {
  switch (integration.fields.authMethod) {
    case 'storedPassword':
      return 'It signs in with a stored password, which can never satisfy MFA. Move it to the Secure Application Model (a refresh token from an MFA consent) or, for a script run by a person, to device code sign-in with MFA.';
    case 'deviceCode':
      return 'It uses device code sign-in: make sure the account completes MFA at that sign-in (Conditional Access requiring MFA), and that refreshed tokens keep the claim.';
    case 'appOnly':
      return 'App-only tokens are not affected by App+User enforcement, yet Partner Center lists App+User calls from it: check which flow those calls use and move them to the Secure Application Model with an MFA sign-in.';
    default:
      return 'Use the Secure Application Model: an admin agent consents once with an MFA sign-in and the app redeems the stored refresh token. For scripts, device code sign-in with MFA; never a stored password.';
  }
}
