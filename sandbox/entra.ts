import { DEVICE_CODE_POLL_INTERVAL_SECONDS, DEVICE_CODE_LIFETIME_SECONDS, toView } from './deviceCodes';
import { html, json, type Reply, type SandboxRequest } from './http';
import { deviceLoginPage } from './html';
import { ADMIN_AGENT, APP_SERVICE_PRINCIPAL_ID } from './seed';
import type { SandboxState } from './state';
import { notFound, type TargetHandler } from './target';
import {
  ACCESS_TOKEN_LIFETIME_SECONDS,
  appClaims,
  base64UrlJson,
  delegatedClaims,
  encodeJwt,
  GRAPH_RESOURCE,
  pairwiseSubject,
  PARTNER_CENTER_RESOURCE,
  REFRESH_TOKEN_LIFETIME_SECONDS,
  v2Issuer,
} from './tokens';
import { SandboxError, type ActiveFault, type FaultKind } from './types';

/**
 * Entra ID stand-in, mounted at /entra, for @azure/msal-node 2.16 whose network client rewrites
 * `https://login.microsoftonline.com/<rest>` to `<sandbox>/entra/<rest>`. Metadata names the REAL
 * host (msal validates it); the rewriting client brings the calls back here.
 */

export const LOGIN_HOST = 'https://login.microsoftonline.com';
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const PARTNER_CENTER_APP_ID = 'fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd';
const DEVICE_CODE_GRANTS = new Set(['device_code', 'urn:ietf:params:oauth:grant-type:device_code']);

const ROUTES = {
  discovery: /^\/entra\/([^/]+)\/discovery\/instance\/?$/i,
  openidConfiguration: /^\/entra\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration\/?$/i,
  keys: /^\/entra\/([^/]+)\/discovery\/v2\.0\/keys\/?$/i,
  deviceCode: /^\/entra\/([^/]+)\/oauth2\/v2\.0\/devicecode\/?$/i,
  token: /^\/entra\/([^/]+)\/oauth2\/v2\.0\/token\/?$/i,
} as const;
const DEVICE_LOGIN_ROUTE = /^\/entra\/devicelogin\/?$/i;

interface Resource {
  /** The access token's `aud`. */
  audience: string;
  /** `scp` names, e.g. ["user_impersonation"]. */
  names: string[];
}

/** The resource of the first non-OIDC scope; Graph's User.Read when there is none. */
export function resourceOf(scopes: string[]): Resource {
  const first = scopes.find((s) => !OIDC_SCOPES.has(s.toLowerCase()));
  if (first === undefined) return { audience: GRAPH_RESOURCE, names: ['User.Read'] };
  const slash = first.lastIndexOf('/');
  let audience = slash < 0 ? GRAPH_RESOURCE : first.slice(0, slash);
  const lower = audience.toLowerCase();
  if (lower === GRAPH_APP_ID || lower === GRAPH_RESOURCE) audience = GRAPH_RESOURCE;
  if (lower === PARTNER_CENTER_APP_ID || lower === PARTNER_CENTER_RESOURCE) audience = PARTNER_CENTER_RESOURCE;
  const names = scopes
    .filter((s) => !OIDC_SCOPES.has(s.toLowerCase()))
    .map((s) => (s.lastIndexOf('/') < 0 ? s : s.slice(s.lastIndexOf('/') + 1)))
    .flatMap((name) => (name === '.default' ? [audience === PARTNER_CENTER_RESOURCE ? 'user_impersonation' : 'User.Read'] : [name]));
  return { audience, names: [...new Set(names)] };
}

export function createEntra(state: SandboxState): TargetHandler {
  const tenantOf = (segment: string): string =>
    ['common', 'organizations', 'consumers'].includes(segment.toLowerCase()) ? state.partnerTenantId : decodeURIComponent(segment);

  function oauthError(req: SandboxRequest, status: number, error: string, aadsts: number, description: string, headers: Record<string, string> = {}): Reply {
    const timestamp = state.now().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
    const correlationId = req.url.searchParams.get('client-request-id') ?? req.headers['client-request-id'] ?? '00000000-0000-0000-0000-000000000000';
    return json(status, {
      error,
      error_description: `AADSTS${aadsts}: ${description} Trace ID: sandbox Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [aadsts],
      timestamp,
      trace_id: 'sandbox',
      correlation_id: correlationId,
      error_uri: `${LOGIN_HOST}/error?code=${aadsts}`,
    }, headers);
  }

  function discovery(req: SandboxRequest): Reply {
    const authorizeEndpoint = req.url.searchParams.get('authorization_endpoint') ?? '';
    const tenant = /^https:\/\/[^/]+\/([^/]+)\//.exec(authorizeEndpoint)?.[1] ?? '{tenant}';
    return json(200, {
      tenant_discovery_endpoint: `${LOGIN_HOST}/${tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [
        {
          preferred_network: 'login.microsoftonline.com',
          preferred_cache: 'login.windows.net',
          aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
        },
      ],
    });
  }

  function openidConfiguration(segment: string): Reply {
    const tenant = decodeURIComponent(segment);
    const multiTenant = ['common', 'organizations', 'consumers'].includes(tenant.toLowerCase());
    const base = `${LOGIN_HOST}/${tenant}`;
    return json(200, {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: multiTenant ? `${LOGIN_HOST}/{tenantid}/v2.0` : v2Issuer(tenant),
      request_uri_parameter_supported: false,
      userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    });
  }

  function deviceCode(req: SandboxRequest, segment: string): Reply {
    const form = new URLSearchParams(req.body);
    const clientId = form.get('client_id');
    const scopes = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
    if (!clientId) return oauthError(req, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
    if (scopes.length === 0) return oauthError(req, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
    const code = state.deviceCodes.create({
      clientId,
      tenant: tenantOf(segment),
      scopes,
      now: state.nowMs(),
      approvedWithMfa: state.config.autoApproveDeviceCodes ? true : null,
    });
    const verificationUri = `${req.baseUrl}/entra/devicelogin`;
    return json(200, {
      user_code: code.userCode,
      device_code: code.deviceCode,
      verification_uri: verificationUri,
      expires_in: DEVICE_CODE_LIFETIME_SECONDS,
      interval: DEVICE_CODE_POLL_INTERVAL_SECONDS,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${code.userCode} to authenticate.`,
    });
  }

  /** Access, refresh and id tokens for a user, as Entra answers a delegated grant. */
  function userTokens(input: { userId: string; tenantId: string; clientId: string; scopes: string[]; mfa: boolean }): Reply {
    const now = Math.floor(state.nowMs() / 1000);
    const user = state.directory.find(input.userId) ?? { ...ADMIN_AGENT };
    const resource = resourceOf(input.scopes);
    const claims = delegatedClaims({
      user,
      tenantId: input.tenantId,
      clientId: input.clientId,
      audience: resource.audience,
      scopeNames: resource.names,
      mfa: input.mfa,
      nowSeconds: now,
    });
    const requested = new Set(input.scopes.map((s) => s.toLowerCase()));
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      scope: resource.names.map((n) => (resource.audience === GRAPH_RESOURCE ? n : `${resource.audience}/${n}`)).join(' '),
      expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
      ext_expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
      access_token: state.tokens.mintAccessToken(claims),
    };
    if (requested.has('offline_access')) {
      body['refresh_token'] = state.tokens.issueRefreshToken({ userId: user.objectId, tenantId: input.tenantId, clientId: input.clientId, mfa: input.mfa, issuedAt: now });
      body['refresh_token_expires_in'] = REFRESH_TOKEN_LIFETIME_SECONDS;
    }
    if (requested.has('openid')) {
      body['id_token'] = encodeJwt({
        ver: '2.0',
        iss: v2Issuer(input.tenantId),
        sub: pairwiseSubject(user.objectId, input.clientId),
        aud: input.clientId,
        exp: now + ACCESS_TOKEN_LIFETIME_SECONDS,
        iat: now,
        nbf: now,
        name: user.displayName,
        preferred_username: user.userPrincipalName,
        oid: user.objectId,
        tid: input.tenantId,
      });
    }
    body['client_info'] = base64UrlJson({ uid: user.objectId, utid: input.tenantId });
    return json(200, body);
  }

  function appToken(req: SandboxRequest, form: URLSearchParams, tenantId: string): Reply {
    const clientId = form.get('client_id');
    if (!clientId || !(form.get('client_secret') || form.get('client_assertion'))) {
      return oauthError(req, 401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }
    const scopes = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
    if (scopes.length !== 1 || !scopes[0]?.endsWith('/.default')) {
      return oauthError(req, 400, 'invalid_scope', 1002012, 'The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.');
    }
    const audience = resourceOf(scopes).audience;
    const token = state.tokens.mintAccessToken(
      appClaims({ servicePrincipalId: APP_SERVICE_PRINCIPAL_ID, tenantId, clientId, audience, nowSeconds: Math.floor(state.nowMs() / 1000) }),
    );
    return json(200, { token_type: 'Bearer', expires_in: ACCESS_TOKEN_LIFETIME_SECONDS, ext_expires_in: ACCESS_TOKEN_LIFETIME_SECONDS, access_token: token });
  }

  function token(req: SandboxRequest, segment: string): Reply {
    const form = new URLSearchParams(req.body);
    const grantType = form.get('grant_type') ?? '';
    const clientId = form.get('client_id') ?? '';
    const scopes = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
    const tenantId = tenantOf(segment);
    const nowMs = state.nowMs();

    if (DEVICE_CODE_GRANTS.has(grantType)) {
      const code = state.deviceCodes.byDeviceCode(form.get('device_code') ?? '', nowMs);
      if (code === undefined || code.clientId !== clientId) return oauthError(req, 400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.');
      switch (code.status) {
        case 'pending':
          return oauthError(req, 400, 'authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.');
        case 'expired':
          return oauthError(req, 400, 'expired_token', 70020, 'The provided value for the input parameter device_code is expired.');
        case 'redeemed':
          return oauthError(req, 400, 'invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed.');
        case 'approved':
          code.status = 'redeemed';
          return userTokens({ userId: ADMIN_AGENT.objectId, tenantId: code.tenant, clientId, scopes: scopes.length > 0 ? scopes : code.scopes, mfa: code.mfa === true });
      }
    }
    if (grantType === 'refresh_token') {
      const grant = state.tokens.lookupRefreshToken(form.get('refresh_token') ?? '');
      if (grant === undefined) return oauthError(req, 400, 'invalid_grant', 9002313, 'Invalid request. The refresh token is not known to the sandbox (revoked or never issued).');
      if (grant.clientId !== clientId) return oauthError(req, 400, 'invalid_grant', 70000, 'The refresh token was issued to a different client id.');
      if ((grant.issuedAt + REFRESH_TOKEN_LIFETIME_SECONDS) * 1000 <= nowMs) {
        return oauthError(req, 400, 'invalid_grant', 700082, 'The refresh token has expired due to inactivity.');
      }
      return userTokens({ userId: grant.userId, tenantId: grant.tenantId, clientId, scopes, mfa: grant.mfa });
    }
    if (grantType === 'client_credentials') return appToken(req, form, tenantId);
    return oauthError(req, 400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
  }

  function deviceLogin(req: SandboxRequest): Reply {
    if (req.method === 'GET') return html(200, deviceLoginPage({ userCode: req.url.searchParams.get('code') ?? '' }));
    if (req.method !== 'POST') return html(405, deviceLoginPage({ userCode: '', error: `Method ${req.method} is not allowed.` }));
    const form = new URLSearchParams(req.body);
    const userCode = form.get('user_code') ?? '';
    const mfa = form.get('mfa') !== null;
    try {
      const code = state.deviceCodes.approve(userCode, mfa, state.nowMs());
      return html(200, deviceLoginPage({ userCode: '', approved: { view: toView(code), upn: ADMIN_AGENT.userPrincipalName } }));
    } catch (err) {
      if (err instanceof SandboxError) return html(400, deviceLoginPage({ userCode, error: err.message }));
      throw err;
    }
  }

  function route(req: SandboxRequest): Reply {
    if (DEVICE_LOGIN_ROUTE.test(req.path)) return deviceLogin(req);
    const get = (r: RegExp): string | undefined => (req.method === 'GET' ? r.exec(req.path)?.[1] : undefined);
    const post = (r: RegExp): string | undefined => (req.method === 'POST' ? r.exec(req.path)?.[1] : undefined);
    let segment = get(ROUTES.discovery);
    if (segment !== undefined) return discovery(req);
    segment = get(ROUTES.openidConfiguration);
    if (segment !== undefined) return openidConfiguration(segment);
    if (get(ROUTES.keys) !== undefined) return json(200, { keys: [state.signingKey.jwk] });
    segment = post(ROUTES.deviceCode);
    if (segment !== undefined) return deviceCode(req, segment);
    segment = post(ROUTES.token);
    if (segment !== undefined) return token(req, segment);
    return notFound('entra', req);
  }

  return {
    target: 'entra',
    prefix: '/entra',
    // Only the OAuth endpoints fail: msal caches metadata, so faulting it would be unpredictable.
    acceptsFault: (kind: FaultKind, req) =>
      req.method === 'POST' && (ROUTES.token.test(req.path) || ROUTES.deviceCode.test(req.path)) && kind !== 'mfaRequired' && kind !== 'tokenRefused' && kind !== 'nonPremium',
    faultReply(fault: ActiveFault, req): Reply {
      if (fault.kind === 'throttle') {
        return oauthError(req, 429, 'temporarily_unavailable', 50196, 'Too many requests (sandbox fault "throttle").', { 'retry-after': String(fault.retryAfterSeconds) });
      }
      return oauthError(req, 500, 'server_error', 50000, 'There was an error issuing a token (sandbox fault "serverError").');
    },
    handle: (req) => Promise.resolve(route(req)),
  };
}
