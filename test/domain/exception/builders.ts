import {
  applyCommand,
  newExceptionRequest,
  type CommandContext,
  type DraftInput,
  type ExceptionRequest,
  type ExceptionStatus,
} from '../../../src/domain/exception';

export const T = (iso: string): Date => new Date(iso);

/** Playground-style AAD object IDs: opaque strings, not GUIDs. */
export const REQUESTER = '00000000-0000-0000-0000-0000000000020';
export const REQUESTER_UPN = 'alexw@example.com';
export const APPROVER = '00000000-0000-0000-0000-0000000000021';
export const OTHER_APPROVER = '00000000-0000-0000-0000-0000000000022';
export const STRANGER = '00000000-0000-0000-0000-0000000000023';

export const ctx = (actor: string, isAdmin: boolean, at: string | Date): CommandContext => ({
  actor,
  isAdmin,
  at: typeof at === 'string' ? T(at) : at,
});

export const asRequester = (at: string): CommandContext => ctx(REQUESTER, false, at);
export const asApprover = (at: string): CommandContext => ctx(APPROVER, true, at);

export const text = (length: number, char = 'x'): string => char.repeat(length);

/** A draft that passes full validation. */
export const VALID_FIELDS: DraftInput = {
  reasonCategory: 'thirdPartyMfaCannotPassClaim',
  technicalDescription:
    'Our federated IdP (VendorX) performs MFA but its SAML tokens carry no authnmethodsreferences claim, so Entra ID sees no MFA.',
  blockedScenario: 'appUserApi',
  workaroundTried: 'Enabled the vendor "pass MFA claim" option; the vendor confirms it is unsupported for our version.',
  businessImpact: 'Our billing integration cannot call Partner Center: invoices stop.',
  affected: 'billing-sync integration; 3 finance users',
  evidence: ['vendorConfirmation', 'integrationMethod'],
  integrationMethod: 'federation',
};

export const CREATED_AT = '2026-11-02T08:00:00Z';
export const GRANTED_UNTIL = '2027-06-30T00:00:00Z';

export function draftRequest(): ExceptionRequest {
  const created = newExceptionRequest({ id: 'EX-1', requesterId: REQUESTER, requesterUpn: REQUESTER_UPN, at: T(CREATED_AT) });
  return applyCommand(created, { type: 'saveDraft', fields: VALID_FIELDS }, asRequester('2026-11-02T08:05:00Z')).next;
}

/**
 * A request in `status`, reached through the real commands (so every field a status implies is set):
 * decisions by APPROVER, Microsoft steps recorded by APPROVER.
 */
export function requestIn(status: ExceptionStatus): ExceptionRequest {
  const draft = draftRequest();
  if (status === 'draft') return draft;
  const run = (r: ExceptionRequest, command: Parameters<typeof applyCommand>[1], c: CommandContext): ExceptionRequest =>
    applyCommand(r, command, c).next;
  const inReview = run(draft, { type: 'submitForReview' }, asRequester('2026-11-02T09:00:00Z'));
  switch (status) {
    case 'inReview':
      return inReview;
    case 'changesRequested':
      return run(inReview, { type: 'requestChanges', comment: 'Attach the vendor letter.' }, asApprover('2026-11-02T10:00:00Z'));
    case 'rejected':
      return run(inReview, { type: 'reject', reason: 'Not a technical issue.' }, asApprover('2026-11-02T10:00:00Z'));
    case 'withdrawn':
      return run(inReview, { type: 'withdraw' }, asRequester('2026-11-02T10:00:00Z'));
    default:
      break;
  }
  const approved = run(inReview, { type: 'approve', comment: 'Looks right.' }, asApprover('2026-11-02T10:00:00Z'));
  if (status === 'approved') return approved;
  const submitted = run(approved, { type: 'recordSubmittedToMicrosoft', caseNumber: '2611020040001234' }, asApprover('2026-11-02T11:00:00Z'));
  if (status === 'submittedToMicrosoft') return submitted;
  if (status === 'granted') {
    return run(submitted, { type: 'recordGranted', endDate: T(GRANTED_UNTIL) }, asApprover('2026-11-04T15:00:00Z'));
  }
  return run(submitted, { type: 'recordDenied', reason: 'Use a FIDO2 key.' }, asApprover('2026-11-04T15:00:00Z'));
}

/** Freeze deeply, so a command that mutated its input would throw. */
export function deepFreeze<V>(value: V): V {
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
