import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Clock } from '../domain/clock';
import { AppError, ErrorCodes } from '../domain/errors';
import { canonicalId } from '../domain/principal';

/**
 * Validation of the Compliance tab's Teams SSO tokens (from `authentication.getAuthToken()`):
 * RS256 signature through the issuer's JWKS (Entra's, or the sandbox's locally), an issuer of the
 * partner tenant, one of our audiences, `tid` = the partner tenant, a lifetime that holds now, and
 * an `oid`. Anything else is UNAUTHENTICATED (401). An unreachable JWKS is an outage (503), not
 * the caller's fault.
 */

export interface TabIdentity {
  oid: string;
  name?: string;
  upn?: string;
}

export interface TabAuthOptions {
  jwksUrl: string;
  issuers: string[];
  audiences: string[];
  tenantId: string;
  clock: Clock;
  /** Seconds of clock skew allowed on exp/nbf (default 120, Entra's own tolerance is 5 minutes). */
  clockToleranceSeconds?: number;
  /** Tests: a key set instead of the URL. */
  keys?: JWTVerifyGetKey;
}

export type ValidateTabToken = (authorization: string | undefined) => Promise<TabIdentity>;

const MAX_TOKEN_CHARS = 16_000;

function unauthenticated(message: string): AppError {
  return new AppError(ErrorCodes.Unauthenticated, message, { status: 401 });
}

export function createTabTokenValidator(options: TabAuthOptions): ValidateTabToken {
  if (options.audiences.length === 0) {
    throw new AppError(ErrorCodes.ConfigInvalid, 'The Compliance tab needs an audience: set TAB_AUDIENCE (or PUBLIC_BASE_URL with BOT_ID).', { expected: false });
  }
  const keys = options.keys ?? createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000, cacheMaxAge: 60 * 60_000 });
  const tenant = canonicalId(options.tenantId);

  return async (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const token = match?.[1];
    if (token === undefined) throw unauthenticated('Sign in: this request has no bearer token.');
    if (token.length > MAX_TOKEN_CHARS) throw unauthenticated('The token is too long.');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: options.issuers,
        audience: options.audiences,
        algorithms: ['RS256'],
        clockTolerance: options.clockToleranceSeconds ?? 120,
        currentDate: options.clock.now(),
        requiredClaims: ['exp', 'iat', 'tid', 'oid'],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWKSTimeout || (error instanceof Error && !(error instanceof joseErrors.JOSEError))) {
        throw new AppError(ErrorCodes.IdentityUnavailable, 'The sign-in keys could not be read; try again shortly.', { retryable: true, cause: error, status: 503 });
      }
      const code = error instanceof joseErrors.JOSEError ? error.code : 'ERR_UNKNOWN';
      throw unauthenticated(`The sign-in token is not valid (${code}).`);
    }
    const tid = typeof payload['tid'] === 'string' ? canonicalId(payload['tid']) : '';
    if (tid !== tenant) throw unauthenticated('The sign-in token is for another tenant.');
    const oid = typeof payload['oid'] === 'string' ? payload['oid'].trim().toLowerCase() : '';
    if (oid === '') throw unauthenticated('The sign-in token names no user.');
    const name = typeof payload['name'] === 'string' ? payload['name'] : undefined;
    const upnClaim = payload['preferred_username'] ?? payload['upn'];
    return { oid, ...(name ? { name } : {}), ...(typeof upnClaim === 'string' ? { upn: upnClaim } : {}) };
  };
}
