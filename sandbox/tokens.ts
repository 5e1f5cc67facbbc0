import { createHash, randomBytes } from 'node:crypto';

/**
 * JWT-shaped tokens (alg "none"; the signature part is random and never checked) and the store
 * that remembers what the sandbox issued: only issued tokens are accepted, so a test cannot
 * "forge" an MFA claim by hand.
 */

export const PARTNER_CENTER_RESOURCE = 'https://api.partnercenter.microsoft.com';
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const ACCESS_TOKEN_LIFETIME_SECONDS = 3599;
export const REFRESH_TOKEN_LIFETIME_SECONDS = 90 * 24 * 3600;

export interface AccessTokenClaims {
  aud: string;
  iss: string;
  tid: string;
  oid: string;
  sub: string;
  appid: string;
  iat: number;
  nbf: number;
  exp: number;
  ver: '1.0';
  /** Delegated tokens only. */
  upn?: string;
  name?: string;
  scp?: string;
  amr?: string[];
  /** App tokens only. */
  roles?: string[];
  idtyp?: 'app' | 'user';
}

export interface RefreshTokenGrant {
  userId: string;
  tenantId: string;
  clientId: string;
  mfa: boolean;
  /** Seconds since epoch. */
  issuedAt: number;
}

export function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function encodeJwt(payload: object): string {
  const header = base64UrlJson({ typ: 'JWT', alg: 'none', kid: 'sandbox' });
  return `${header}.${base64UrlJson(payload)}.${randomBytes(16).toString('base64url')}`;
}

/** The payload of a JWT-shaped token; throws on anything else. */
export function decodeJwtPayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (part === undefined) throw new Error('not a JWT: expected header.payload.signature');
  const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('not a JWT: payload is not an object');
  }
  return value as Record<string, unknown>;
}

export function v1Issuer(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

export function v2Issuer(tenantId: string): string {
  return `https://login.microsoftonline.com/${tenantId}/v2.0`;
}

export const GRAPH_APP_ROLES = [
  'AuditLog.Read.All',
  'UserAuthenticationMethod.Read.All',
  'TeamsAppInstallation.ReadWriteSelfForUser.All',
  'User.Read.All',
  'GroupMember.Read.All',
];

/** Claims of a v1 delegated (App+User) access token; `amr` carries "mfa" when the sign-in used MFA. */
export function delegatedClaims(input: {
  user: { objectId: string; userPrincipalName: string; displayName: string };
  tenantId: string;
  clientId: string;
  audience: string;
  scopeNames: string[];
  mfa: boolean;
  nowSeconds: number;
}): AccessTokenClaims {
  return {
    aud: input.audience,
    iss: v1Issuer(input.tenantId),
    tid: input.tenantId,
    oid: input.user.objectId,
    sub: pairwiseSubject(input.user.objectId, input.audience),
    appid: input.clientId,
    iat: input.nowSeconds,
    nbf: input.nowSeconds,
    exp: input.nowSeconds + ACCESS_TOKEN_LIFETIME_SECONDS,
    ver: '1.0',
    upn: input.user.userPrincipalName,
    name: input.user.displayName,
    scp: input.scopeNames.join(' '),
    amr: input.mfa ? ['pwd', 'mfa'] : ['pwd'],
    idtyp: 'user',
  };
}

/** Claims of a v1 application (client credentials) access token: `roles`, no `scp`, no `amr`. */
export function appClaims(input: { servicePrincipalId: string; tenantId: string; clientId: string; audience: string; nowSeconds: number }): AccessTokenClaims {
  return {
    aud: input.audience,
    iss: v1Issuer(input.tenantId),
    tid: input.tenantId,
    oid: input.servicePrincipalId,
    sub: input.servicePrincipalId,
    appid: input.clientId,
    iat: input.nowSeconds,
    nbf: input.nowSeconds,
    exp: input.nowSeconds + ACCESS_TOKEN_LIFETIME_SECONDS,
    ver: '1.0',
    roles: input.audience === GRAPH_RESOURCE ? [...GRAPH_APP_ROLES] : [],
    idtyp: 'app',
  };
}

/** A stable per-audience subject, like Entra's pairwise `sub`. */
export function pairwiseSubject(objectId: string, audience: string): string {
  return createHash('sha256').update(`${objectId}|${audience}`).digest('base64url').slice(0, 43);
}

export class TokenStore {
  private readonly access = new Map<string, AccessTokenClaims>();
  private readonly refresh = new Map<string, RefreshTokenGrant>();

  mintAccessToken(claims: AccessTokenClaims): string {
    const token = encodeJwt(claims);
    this.access.set(token, claims);
    return token;
  }

  lookupAccessToken(token: string): AccessTokenClaims | undefined {
    return this.access.get(token);
  }

  issueRefreshToken(grant: RefreshTokenGrant): string {
    // Opaque, like Entra's ("0.A..." followed by a long blob).
    const token = `0.SBX${randomBytes(48).toString('base64url')}`;
    this.refresh.set(token, grant);
    return token;
  }

  lookupRefreshToken(token: string): RefreshTokenGrant | undefined {
    return this.refresh.get(token);
  }

  revokeRefreshTokens(): number {
    const count = this.refresh.size;
    this.refresh.clear();
    return count;
  }
}
