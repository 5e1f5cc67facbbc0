import { AppError, ErrorCodes } from '../../domain/errors';
import type { HttpResponse, HttpTransportError } from '../http';
import { parseErrorBody, readBooleanFlag } from './wire';

/** Partner Center's error code for "the token carries no MFA claim". */
export const MFA_REQUIRED_CODE = '900421';

/**
 * Partner Center rejected the token for lacking MFA: 401 (or 403) with 900421 anywhere in the body
 * (as `code`, number or string, in `data` or in `description`), or "mfa" in the status text or in
 * `WWW-Authenticate`.
 */
export function isMfaRejection(response: Pick<HttpResponse, 'status' | 'statusText' | 'headers' | 'text'>): boolean {
  if (response.status !== 401 && response.status !== 403) return false;
  if (new RegExp(`\\b${MFA_REQUIRED_CODE}\\b`).test(response.text)) return true;
  if (/mfa/i.test(response.statusText)) return true;
  return /mfa/i.test(response.headers.get('www-authenticate') ?? '');
}

function detail(response: HttpResponse): { pcCode?: string; pcDescription?: string; text: string } {
  const body = parseErrorBody(response.text);
  const parts = [body.code, body.description].filter((p): p is string => p !== undefined && p !== '');
  const text = parts.length > 0 ? parts.join(': ') : response.statusText || 'no description';
  return { pcCode: body.code, pcDescription: body.description, text };
}

/** Map a final non-2xx answer to an AppError with a stable code. */
export function errorFromResponse(response: HttpResponse, correlationId: string): AppError {
  const { pcCode, pcDescription, text } = detail(response);
  const suffix = `(HTTP ${response.status}, ${text}; correlation id ${correlationId})`;
  const isMfaCompliant = readBooleanFlag(response.headers.get('isMfaCompliant'));
  const details = { correlationId, status: response.status, pcCode, pcDescription, attempts: response.attempts, isMfaCompliant };
  const base = { status: response.status, details };

  if (isMfaRejection(response)) {
    return new AppError(
      ErrorCodes.PcMfaRequired,
      `Partner Center rejected the connection because its token has no MFA claim: an admin must run "connect partner center" and sign in with MFA ${suffix}`,
      { ...base, retryable: false },
    );
  }
  if (response.status === 401 || response.status === 403) {
    return new AppError(
      ErrorCodes.PcUnauthorized,
      `Partner Center refused the connection's token: an admin may need to run "connect partner center" again ${suffix}`,
      { ...base, retryable: false },
    );
  }
  if (response.status === 429) {
    return new AppError(ErrorCodes.PcThrottled, `Partner Center is throttling requests ${suffix}`, {
      ...base,
      retryable: true,
      retryAfterSeconds: response.retryAfterSeconds,
    });
  }
  if (response.status >= 500) {
    return new AppError(ErrorCodes.PcUnavailable, `Partner Center is unavailable ${suffix}`, { ...base, retryable: true });
  }
  return new AppError(
    ErrorCodes.PcBadResponse,
    `Partner Center answered an unexpected status; check PARTNER_CENTER_BASE_URL and PARTNER_CENTER_PRINCIPALS_PATH ${suffix}`,
    { ...base, expected: false },
  );
}

export function errorFromTransport(error: HttpTransportError, correlationId: string): AppError {
  const what = error.kind === 'timeout' ? 'did not answer in time' : 'could not be reached';
  return new AppError(
    ErrorCodes.PcUnavailable,
    `Partner Center ${what} after ${error.attempts} attempt(s) (correlation id ${correlationId})`,
    { retryable: true, details: { correlationId, attempts: error.attempts, kind: error.kind }, cause: error },
  );
}

export function badResponse(reason: string, correlationId: string, details: Record<string, unknown> = {}): AppError {
  return new AppError(ErrorCodes.PcBadResponse, `Partner Center's answer was not understood: ${reason} (correlation id ${correlationId})`, {
    expected: false,
    details: { correlationId, ...details },
  });
}
