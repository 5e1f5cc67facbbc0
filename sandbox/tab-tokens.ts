import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { base64UrlJson, v2Issuer } from './tokens';

/**
 * Signed (RS256) Teams SSO tokens for the admin tab. The tab in Teams gets its token from
 * `authentication.getAuthToken()`; locally there is no Teams host, so the sandbox's Entra stand-in
 * issues the same shape (a v2 access token for the bot's own API) and publishes its public key as
 * a JWKS, exactly where Entra publishes its keys. The bot validates these with the same code it
 * uses in production: only the JWKS and issuer URLs differ.
 */

/** The audience the bot expects in local mode (its TAB_AUDIENCE default without BOT_ID). */
export const LOCAL_TAB_AUDIENCE = 'api://localhost/mfa-shepherd-local';
export const TAB_TOKEN_LIFETIME_SECONDS = 3600;
/** The Teams desktop client's id: Teams asks Entra for the tab's token on its own behalf. */
const TEAMS_CLIENT_ID = '1fec8e78-bce4-4aaf-ab1b-5451cc387264';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

export function createSigningKey(kid = 'sandbox-tab-key-1'): SigningKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = createPublicKey(createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }))).export({ format: 'jwk' });
  return { kid, privateKey, jwk: { ...jwk, kid, use: 'sig', alg: 'RS256', kty: 'RSA' } };
}

export function signJwt(payload: object, key: SigningKey): string {
  const signingInput = `${base64UrlJson({ typ: 'JWT', alg: 'RS256', kid: key.kid })}.${base64UrlJson(payload)}`;
  const signature = sign('RSA-SHA256', Buffer.from(signingInput), key.privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

export interface TabTokenRequest {
  user: { objectId: string; userPrincipalName: string; displayName: string };
  tenantId: string;
  audience: string;
  nowSeconds: number;
  /** Seconds until expiry from now (negative: already expired). */
  expiresInSeconds?: number;
}

export function tabTokenClaims(input: TabTokenRequest): Record<string, unknown> {
  const exp = input.nowSeconds + (input.expiresInSeconds ?? TAB_TOKEN_LIFETIME_SECONDS);
  return {
    aud: input.audience,
    iss: v2Issuer(input.tenantId),
    tid: input.tenantId,
    oid: input.user.objectId,
    sub: input.user.objectId,
    azp: TEAMS_CLIENT_ID,
    name: input.user.displayName,
    preferred_username: input.user.userPrincipalName,
    scp: 'access_as_user',
    iat: Math.min(input.nowSeconds, exp - 60),
    nbf: Math.min(input.nowSeconds, exp - 60),
    exp,
    ver: '2.0',
  };
}
