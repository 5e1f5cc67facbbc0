import { bearerToken, json, withHeaders, type Reply, type SandboxRequest } from './http';
import type { SandboxState } from './state';
import { notFound, type TargetHandler } from './target';
import { PARTNER_CENTER_RESOURCE } from './tokens';
import type { ActiveFault, FaultKind, RawRecord } from './types';
import { requestsWindow } from './integrations';

/**
 * Partner Center stand-in, mounted at /pc:
 * `GET /pc/v1/nonMfaCompliantPartnerPrincipals`, `/pc/v1/applicationmfaadoptionstatus` and
 * `/pc/v1/partnerRequests` (and `/pc/pcapi/v1/...`), App+User tokens from
 * the sandbox Entra only, 401/900421 without the MFA claim, the collection envelope with
 * `MS-ContinuationToken` paging.
 */

const PRINCIPALS_ROUTE = /^\/pc(?:\/pcapi)?\/v1\/nonMfaCompliantPartnerPrincipals\/?$/i;
const ADOPTION_ROUTE = /^\/pc(?:\/pcapi)?\/v1\/applicationmfaadoptionstatus\/?$/i;
const REQUESTS_ROUTE = /^\/pc(?:\/pcapi)?\/v1\/partnerRequests\/?$/i;
export const MFA_REQUIRED_CODE = 900421;

interface ContinuationToken {
  /** Offset of the next page. */
  o: number;
  /** Epoch ms the first page was computed at: every page sees the same 7-day window. */
  t: number;
}

export function pcError(status: number, code: number, description: string, headers: Record<string, string> = {}): Reply {
  return json(status, { code, description, data: [], source: 'PartnerCenter' }, headers);
}

function mfaRequired(): Reply {
  return pcError(
    401,
    MFA_REQUIRED_CODE,
    'MFA required. The access token does not carry the multi-factor authentication claim; sign in with MFA and try again.',
    { 'www-authenticate': 'Bearer error="invalid_token", error_description="MFA required: the token has no MFA claim (900421)"' },
  );
}

function encodeContinuation(token: ContinuationToken): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

function decodeContinuation(value: string): ContinuationToken | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { o, t } = parsed as Record<string, unknown>;
    if (typeof o !== 'number' || typeof t !== 'number' || !Number.isInteger(o) || o < 0) return undefined;
    return { o, t };
  } catch {
    return undefined;
  }
}

export function createPartnerCenter(state: SandboxState): TargetHandler {
  /** Checks the caller; returns the error answer, or the token's MFA flag. */
  function authenticate(req: SandboxRequest): Reply | { mfa: boolean } {
    const raw = bearerToken(req);
    if (raw === undefined) {
      return pcError(401, 401, 'Authorization header with a Bearer token is required.', { 'www-authenticate': 'Bearer' });
    }
    const claims = state.tokens.lookupAccessToken(raw);
    if (claims === undefined) {
      return pcError(401, 401, 'The access token is not valid (not issued by the sandbox Entra ID).', { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    if (claims.exp * 1000 <= state.nowMs()) {
      return pcError(401, 401, 'The access token has expired.', { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    if (claims.aud !== PARTNER_CENTER_RESOURCE) {
      return pcError(401, 401, `The access token audience "${claims.aud}" is not Partner Center.`, { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    if (claims.scp === undefined) {
      return pcError(401, 401, 'This API supports App+User authentication only.', { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    return { mfa: claims.amr?.includes('mfa') === true };
  }

  /** The list a collection route serves at the first page's time `t`. */
  function listFor(req: SandboxRequest, t: number): RawRecord[] {
    if (ADOPTION_ROUTE.test(req.path)) return state.integrations.adoption;
    if (REQUESTS_ROUTE.test(req.path)) return requestsWindow(state.integrations.requests, t);
    return state.records.window(t);
  }

  function collection(req: SandboxRequest): Reply {
    if (req.method !== 'GET') return pcError(405, 405, `Method ${req.method} is not allowed.`, { allow: 'GET' });
    const auth = authenticate(req);
    if ('status' in auth) return auth;
    const validateMfa = req.headers['validatemfa']?.trim().toLowerCase() === 'true';
    const mfaHeader: Record<string, string> = validateMfa ? { isMfaCompliant: String(auth.mfa) } : {};
    if (!auth.mfa) return withHeaders(mfaRequired(), mfaHeader);

    const rawContinuation = req.headers['ms-continuationtoken'];
    let position: ContinuationToken = { o: 0, t: state.nowMs() };
    if (rawContinuation !== undefined && rawContinuation !== '') {
      const decoded = decodeContinuation(rawContinuation);
      if (decoded === undefined) return pcError(400, 400, 'The continuation token is not valid.', mfaHeader);
      position = decoded;
    }
    const all = listFor(req, position.t);
    const pageSize = state.config.pageSize;
    const items = all.slice(position.o, position.o + pageSize);
    const nextOffset = position.o + pageSize;
    const links: Record<string, unknown> = {};
    if (nextOffset < all.length) {
      const path = req.path.replace(/^\/pc/i, '');
      links['next'] = {
        uri: `${path}?seekOperation=Next`,
        method: 'GET',
        headers: [{ key: 'MS-ContinuationToken', value: encodeContinuation({ o: nextOffset, t: position.t }) }],
      };
    }
    // totalCount is the size of this page, as in Partner Center's seek-based collections.
    return json(200, { totalCount: items.length, items, links, attributes: { objectType: 'Collection' } }, mfaHeader);
  }

  // Faults apply to every collection route alike.
  const isPrincipals = (req: SandboxRequest): boolean => PRINCIPALS_ROUTE.test(req.path) || ADOPTION_ROUTE.test(req.path) || REQUESTS_ROUTE.test(req.path);

  return {
    target: 'partnerCenter',
    prefix: '/pc',
    acceptsFault: (_kind: FaultKind, req) => isPrincipals(req),
    faultReply(fault: ActiveFault): Reply {
      switch (fault.kind) {
        case 'throttle':
          return pcError(429, 429, `Rate limit is exceeded. Try again in ${fault.retryAfterSeconds} seconds.`, {
            'retry-after': String(fault.retryAfterSeconds),
          });
        case 'mfaRequired':
          return mfaRequired();
        case 'tokenRefused':
          return pcError(401, 401, 'The access token is not valid (sandbox fault "tokenRefused").', { 'www-authenticate': 'Bearer error="invalid_token"' });
        default:
          return pcError(500, 500, 'An unexpected error occurred in the sandbox Partner Center (fault "serverError").');
      }
    },
    handle: (req) => Promise.resolve(isPrincipals(req) ? collection(req) : notFound('partnerCenter', req)),
    finish(req, reply): Reply {
      const echo: Record<string, string> = {};
      const requestId = req.headers['ms-requestid'];
      const correlationId = req.headers['ms-correlationid'];
      if (requestId !== undefined) echo['MS-RequestId'] = requestId;
      if (correlationId !== undefined) echo['MS-CorrelationId'] = correlationId;
      return withHeaders(reply, echo);
    },
  };
}
