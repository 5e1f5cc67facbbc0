import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * JWT-shaped tokens and the store that remembers what the sandbox issued: access tokens are
 * signed (HS256) and only issued ones are accepted, so a test cannot "forge" an MFA claim by hand.
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
  /** Entra's unique token id; set when the token is minted. */
  uti?: string;
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

export interface SigningKey {
  kid: string;
  /** base64url HMAC-SHA256 secret. */
  secret: string;
}

interface PersistedTokens {
  version: 1;
  keys: SigningKey[];
  access: [string, AccessTokenClaims][];
  refresh: [string, RefreshTokenGrant][];
}

export const TOKEN_STATE_FILE = 'entra-tokens.json';

function newSigningKey(): SigningKey {
  return { kid: `sbx-${randomBytes(6).toString('hex')}`, secret: randomBytes(32).toString('base64url') };
}

function hmac(key: SigningKey, signingInput: string): Buffer {
  return createHmac('sha256', Buffer.from(key.secret, 'base64url')).update(signingInput).digest();
}

export interface TokenStoreOptions {
  /**
   * Where the signing keys and the issued tokens are kept, as a real Entra keeps them: a sandbox
   * restarted over the same directory still accepts what it issued. Absent: memory only.
   */
  dir?: string;
  /** Epoch ms; expired tokens are dropped when the state is written. */
  nowMs: () => number;
}

/**
 * What the sandbox Entra issued. Access tokens are HS256-signed with the current signing key and
 * accepted only while that key is current and the token's `uti` is still on record (so a revoke
 * or a key roll refuses tokens a client still holds in its cache, as Entra can).
 */
export class TokenStore {
  private keys: SigningKey[];
  private readonly access = new Map<string, AccessTokenClaims>();
  private readonly refresh = new Map<string, RefreshTokenGrant>();
  private readonly file: string | undefined;

  constructor(private readonly options: TokenStoreOptions) {
    this.file = options.dir === undefined ? undefined : join(options.dir, TOKEN_STATE_FILE);
    const stored = this.read();
    this.keys = stored?.keys.length ? stored.keys : [newSigningKey()];
    for (const [uti, claims] of stored?.access ?? []) this.access.set(uti, claims);
    for (const [token, grant] of stored?.refresh ?? []) this.refresh.set(token, grant);
    if (stored === undefined) this.write();
  }

  mintAccessToken(claims: AccessTokenClaims): string {
    const key = this.currentKey();
    const uti = randomBytes(16).toString('base64url');
    const withId = { ...claims, uti };
    const signingInput = `${base64UrlJson({ typ: 'JWT', alg: 'HS256', kid: key.kid })}.${base64UrlJson(withId)}`;
    this.access.set(uti, withId);
    this.write();
    return `${signingInput}.${hmac(key, signingInput).toString('base64url')}`;
  }

  /** The claims of a token this sandbox issued, signed with its current key and not revoked. */
  lookupAccessToken(token: string): AccessTokenClaims | undefined {
    const [header, payload, signature] = token.split('.');
    if (header === undefined || payload === undefined || signature === undefined) return undefined;
    let kid: unknown;
    let uti: unknown;
    try {
      kid = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>)['kid'];
      uti = decodeJwtPayload(token)['uti'];
    } catch {
      return undefined;
    }
    const key = this.keys.find((k) => k.kid === kid);
    if (key === undefined || typeof uti !== 'string') return undefined;
    const expected = hmac(key, `${header}.${payload}`);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return this.access.get(uti);
  }

  issueRefreshToken(grant: RefreshTokenGrant): string {
    // Opaque, like Entra's ("0.A..." followed by a long blob).
    const token = `0.SBX${randomBytes(48).toString('base64url')}`;
    this.refresh.set(token, grant);
    this.write();
    return token;
  }

  lookupRefreshToken(token: string): RefreshTokenGrant | undefined {
    return this.refresh.get(token);
  }

  revokeRefreshTokens(): number {
    const count = this.refresh.size;
    this.refresh.clear();
    this.write();
    return count;
  }

  /** Every access token issued so far is refused from now on; refresh tokens still redeem. */
  revokeAccessTokens(): number {
    const count = this.access.size;
    this.access.clear();
    this.write();
    return count;
  }

  /** A new signing key replaces the current one: tokens signed before are refused. */
  rollSigningKey(): { kid: string } {
    const key = newSigningKey();
    this.keys = [key];
    this.write();
    return { kid: key.kid };
  }

  private currentKey(): SigningKey {
    const key = this.keys[this.keys.length - 1];
    if (key === undefined) throw new Error('sandbox Entra has no signing key');
    return key;
  }

  private read(): PersistedTokens | undefined {
    if (this.file === undefined || !existsSync(this.file)) return undefined;
    const value = JSON.parse(readFileSync(this.file, 'utf8')) as PersistedTokens;
    if (value.version !== 1 || !Array.isArray(value.keys) || !Array.isArray(value.access) || !Array.isArray(value.refresh)) {
      throw new Error(`${this.file} is not sandbox token state (version 1); delete it to start fresh`);
    }
    return value;
  }

  /** Written whole on each change (a few hundred tokens at most), through a rename so a crash never leaves half a file. */
  private write(): void {
    if (this.file === undefined || this.options.dir === undefined) return;
    const nowSeconds = Math.floor(this.options.nowMs() / 1000);
    for (const [uti, claims] of this.access) if (claims.exp <= nowSeconds) this.access.delete(uti);
    for (const [token, grant] of this.refresh) if (grant.issuedAt + REFRESH_TOKEN_LIFETIME_SECONDS <= nowSeconds) this.refresh.delete(token);
    const value: PersistedTokens = { version: 1, keys: this.keys, access: [...this.access], refresh: [...this.refresh] };
    mkdirSync(this.options.dir, { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(value), { mode: 0o600 });
    renameSync(temp, this.file);
  }
}
