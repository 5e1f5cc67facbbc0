import { AppError, ErrorCodes } from './errors';

/**
 * An admin's exclusion of an account from notices and nudges (a break-glass account, a known
 * service account), like Lighthouse's "dismiss with reason": always with a reason and an expiry,
 * and it ends by itself at that expiry. Ending it early is kept, not deleted.
 */

export const MAX_EXCLUSION_DAYS = 365;
export const MAX_REASON_CHARS = 500;

export interface Exclusion {
  tenantId: string;
  objectId: string;
  reason: string;
  /** Exclusive: from this instant the account is shepherded again. */
  until: Date;
  by: string;
  at: Date;
  endedAt?: Date;
  endedBy?: string;
  etag?: string;
}

export function isExcluded(exclusion: Exclusion | undefined, now: Date): boolean {
  return exclusion !== undefined && exclusion.endedAt === undefined && exclusion.until.getTime() > now.getTime();
}

/** Validate an admin's exclusion request; the reason is trimmed, the expiry must be in the future and within a year. */
export function newExclusion(input: { tenantId: string; objectId: string; reason: string; until: Date; by: string; now: Date }): Exclusion {
  const reason = input.reason.trim();
  const fieldErrors: { field: string; message: string }[] = [];
  if (reason === '') fieldErrors.push({ field: 'reason', message: 'Give a reason: it is what the next admin reads.' });
  if (reason.length > MAX_REASON_CHARS) fieldErrors.push({ field: 'reason', message: `Keep the reason under ${MAX_REASON_CHARS} characters.` });
  const until = input.until.getTime();
  if (Number.isNaN(until) || until <= input.now.getTime()) fieldErrors.push({ field: 'until', message: 'The expiry must be in the future.' });
  else if (until > input.now.getTime() + MAX_EXCLUSION_DAYS * 86_400_000) fieldErrors.push({ field: 'until', message: `An exclusion lasts at most ${MAX_EXCLUSION_DAYS} days; renew it then.` });
  if (fieldErrors.length > 0) {
    throw new AppError(ErrorCodes.InputInvalid, fieldErrors.map((e) => e.message).join(' '), { details: { fieldErrors } });
  }
  return { tenantId: input.tenantId, objectId: input.objectId, reason, until: input.until, by: input.by, at: input.now };
}
