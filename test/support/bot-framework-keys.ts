import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Bot Framework's OpenID metadata and signing keys
 * (login.botframework.com/v1/.well-known/openidconfiguration and its jwks_uri), and a minter of
 * Bot Connector tokens signed with its test keys. The bot is pointed at it with
 * BOT_OPENID_METADATA_URL, so the real token validation runs offline.
 */

export const CHANNEL_ISSUER = 'https://api.botframework.com';

interface TestKey {
  kid: string;
  privateKey: KeyObject;
  publicPem: string;
  publicJwk: Record<string, unknown>;
  endorsements: string[];
}

function rsaKey(kid: string, endorsements: string[]): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  return { kid, privateKey, publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(), publicJwk: { kty: 'RSA', use: 'sig', kid, n: jwk.n, e: jwk.e }, endorsements };
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface TokenOptions {
  /** Claims to set or override (null removes one). */
  claims?: Record<string, unknown>;
  /** Header fields to set or override. */
  header?: Record<string, unknown>;
  /** Which key signs: 'teams' (endorsed for msteams, the default), 'webchat' (not), 'stranger' (not published). */
  key?: 'teams' | 'webchat' | 'stranger';
  /** How the token is signed: RS256 (default), 'none' (no signature) or HS256 keyed with the public key. */
  alg?: 'RS256' | 'none' | 'HS256';
}

export class BotFrameworkKeys {
  private server?: http.Server;
  private readonly keys = { teams: rsaKey('teams-key', ['msteams', 'webchat']), webchat: rsaKey('webchat-key', ['webchat']), stranger: rsaKey('stranger-key', ['msteams']) };
  /** Requests served, by path (the bot fetches the metadata, then the keys). */
  readonly requests: string[] = [];
  url = '';

  get metadataUrl(): string {
    return `${this.url}/v1/.well-known/openidconfiguration`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.requests.push(req.url ?? '');
      if (req.url === '/v1/.well-known/openidconfiguration') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ issuer: CHANNEL_ISSUER, authorization_endpoint: `${this.url}/authorize`, jwks_uri: `${this.url}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ['RS256'], token_endpoint_auth_methods_supported: ['private_key_jwt'] }));
        return;
      }
      if (req.url === '/v1/.well-known/keys') {
        const published = [this.keys.teams, this.keys.webchat].map((k) => ({ ...k.publicJwk, endorsements: k.endorsements }));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: published }));
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A Bot Connector token for `appId` about `serviceUrl`, valid for an hour from now (botbuilder checks against the wall clock). */
  token(appId: string, serviceUrl: string, options: TokenOptions = {}): string {
    const key = this.keys[options.key ?? 'teams'];
    const alg = options.alg ?? 'RS256';
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = { iss: CHANNEL_ISSUER, aud: appId, serviceurl: serviceUrl, nbf: now - 60, iat: now - 60, exp: now + 3600, ...options.claims };
    for (const [name, value] of Object.entries(claims)) if (value === null) delete claims[name];
    const header = { alg, typ: 'JWT', kid: key.kid, x5t: key.kid, ...options.header };
    const signingInput = `${b64(header)}.${b64(claims)}`;
    if (alg === 'none') return `${signingInput}.`;
    if (alg === 'HS256') {
      // The classic confusion attack: the RSA public key (as PEM) used as an HMAC secret.
      return `${signingInput}.${createHmac('sha256', key.publicPem).update(signingInput).digest('base64url')}`;
    }
    return `${signingInput}.${sign('sha256', Buffer.from(signingInput), key.privateKey).toString('base64url')}`;
  }
}
