import { AuthError, InteractionRequiredAuthError } from '@azure/msal-node';
import { AppError, ErrorCodes } from '../../domain/errors';

/** Entra answers meaning "the stored sign-in is gone": sign in again. */
const RECONNECT_CODES = new Set([
  'invalid_grant',
  'interaction_required',
  'consent_required',
  'login_required',
  'no_tokens_found',
  'refresh_token_expired',
  'bad_token',
  'no_account_in_silent_request',
]);

/** Device-code sign-ins that ended without a token (expired, declined, cancelled). */
const DEVICE_CODE_ENDED = new Set([
  'device_code_expired',
  'device_code_polling_cancelled',
  'user_timeout_reached',
  'expired_token',
  'authorization_declined',
  'access_denied',
  'bad_verification_code',
]);

/** Our app registration or its secret is rejected. */
const CLIENT_REJECTED = new Set(['invalid_client', 'unauthorized_client', 'invalid_scope', 'invalid_resource']);

export const RECONNECT_HINT = 'An admin must run "connect partner center" in the bot and sign in with MFA.';

export interface MsalErrorInfo {
  code: string;
  /** Entra's AADSTS text or msal's message; never contains tokens. */
  message: string;
}

/** msal errors carry the server's `error` in errorCode, or (post_request_failed) in errorMessage. */
export function msalErrorInfo(error: unknown): MsalErrorInfo {
  if (error instanceof AuthError) {
    const code = error.errorCode === 'post_request_failed' && error.errorMessage ? error.errorMessage.trim() : error.errorCode;
    return { code: code || 'unknown', message: error.errorMessage || error.message };
  }
  if (error instanceof Error) return { code: 'unexpected', message: error.message };
  return { code: 'unexpected', message: String(error) };
}

export function isReconnectNeeded(error: unknown): boolean {
  if (error instanceof InteractionRequiredAuthError) return true;
  const { code, message } = msalErrorInfo(error);
  return RECONNECT_CODES.has(code) || /\binvalid_grant\b/.test(message);
}

export function notConnected(reason: string, cause?: unknown): AppError {
  return new AppError(ErrorCodes.PcNotConnected, `Partner Center is not connected: ${reason}. ${RECONNECT_HINT}`, {
    retryable: false,
    cause,
    details: cause === undefined ? {} : { msalCode: msalErrorInfo(cause).code },
  });
}

/**
 * A token request for the Partner Center connection failed. msal's errors are mapped to stable
 * codes; anything else (an AppError, a failing SecretStore) is returned unchanged.
 */
export function partnerCenterAuthError(error: unknown, during: 'silent' | 'deviceCode'): unknown {
  if (!(error instanceof AuthError)) return error;
  const info = msalErrorInfo(error);
  if (isReconnectNeeded(error)) return notConnected(`Entra ID no longer accepts the stored sign-in (${info.code})`, error);
  if (during === 'deviceCode' && DEVICE_CODE_ENDED.has(info.code)) {
    return notConnected(`the device code sign-in did not complete (${info.code})`, error);
  }
  if (CLIENT_REJECTED.has(info.code)) {
    return new AppError(
      ErrorCodes.IdentityUnavailable,
      `Entra ID rejected the Partner Center app registration (${info.code}): check PARTNER_CENTER_CLIENT_ID and that public client flows are enabled. ${info.message}`,
      { expected: false, retryable: false, cause: error, details: { msalCode: info.code } },
    );
  }
  return identityUnavailable(info, error);
}

export function identityUnavailable(info: MsalErrorInfo, cause: unknown): AppError {
  return new AppError(ErrorCodes.IdentityUnavailable, `Entra ID sign-in service failed (${info.code}): ${info.message}`, {
    retryable: true,
    cause,
    details: { msalCode: info.code },
  });
}

/** A client-credentials request for Graph failed (msal errors mapped; others unchanged). */
export function appTokenError(error: unknown): unknown {
  if (!(error instanceof AuthError)) return error;
  const info = msalErrorInfo(error);
  if (CLIENT_REJECTED.has(info.code)) {
    return new AppError(
      ErrorCodes.GraphForbidden,
      `Entra ID refused the Graph app's credentials (${info.code}): check GRAPH_CLIENT_ID / GRAPH_CLIENT_SECRET. ${info.message}`,
      { expected: false, retryable: false, cause: error, details: { msalCode: info.code } },
    );
  }
  return identityUnavailable(info, error);
}
