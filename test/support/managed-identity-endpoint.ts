import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for App Service's managed-identity endpoint: the local http service App Service
 * announces to the app through IDENTITY_ENDPOINT and IDENTITY_HEADER. @azure/identity's
 * ManagedIdentityCredential (MSAL's "AppService" source) asks it
 *
 *   GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=<resource>&client_id=<user-assigned id>
 *   X-IDENTITY-HEADER: {IDENTITY_HEADER}
 *
 * and expects `{ access_token, expires_on (epoch seconds, as a string), resource, token_type, client_id }`.
 *
 * The token is a JWT with the claims Azurite's `--oauth basic` checks (issuer sts.windows.net, the
 * audience = the resource asked for, nbf/iat/exp). Azurite does not check signatures, so it is
 * signed with a random HMAC key. Its lifetime is real time (now + 1 h): Azurite compares it with
 * its own clock, as Azure Storage would.
 */

export interface TokenRequest {
  apiVersion: string | null;
  resource: string | null;
  clientId: string | null;
  /** X-IDENTITY-HEADER carried the secret this endpoint was started with. */
  headerMatched: boolean;
  /** What the endpoint answered. */
  status: number;
}

export interface ManagedIdentityEndpoint {
  /** For IDENTITY_ENDPOINT. */
  url: string;
  /** For IDENTITY_HEADER. */
  secret: string;
  /** Every token request, in order. */
  readonly requests: readonly TokenRequest[];
  close(): Promise<void>;
}

export interface ManagedIdentityEndpointOptions {
  /** The user-assigned identity attached to the "app": any other client_id is refused, as App Service does. */
  clientId: string;
  tenantId: string;
  /**
   * Mint tokens for this audience instead of the resource asked for: a token storage refuses
   * (as it refuses one whose identity lacks a data role), for the refusal paths.
   */
  tokenAudience?: string;
}

const API_VERSION = '2019-08-01';
const TOKEN_LIFETIME_S = 3600;

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

function mintJwt(claims: Record<string, unknown>, key: Buffer): string {
  const unsigned = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  return `${unsigned}.${base64url(createHmac('sha256', key).update(unsigned).digest())}`;
}

export async function startManagedIdentityEndpoint(options: ManagedIdentityEndpointOptions): Promise<ManagedIdentityEndpoint> {
  const secret = randomBytes(16).toString('hex');
  const signingKey = randomBytes(32);
  const requests: TokenRequest[] = [];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: TokenRequest = {
      apiVersion: url.searchParams.get('api-version'),
      resource: url.searchParams.get('resource'),
      clientId: url.searchParams.get('client_id'),
      headerMatched: req.headers['x-identity-header'] === secret,
      status: 200,
    };
    requests.push(record);
    const answer = (status: number, body: Record<string, unknown>): void => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || url.pathname !== '/msi/token') return answer(404, { statusCode: 404, message: 'Not found' });
    if (!record.headerMatched) return answer(401, { statusCode: 401, message: 'X-IDENTITY-HEADER is missing or wrong' });
    if (record.apiVersion !== API_VERSION || record.resource === null) {
      return answer(400, { statusCode: 400, message: `api-version=${API_VERSION} and resource are required` });
    }
    if (record.clientId !== options.clientId) {
      return answer(400, { statusCode: 400, message: 'Unable to load the proper Managed Identity.', correlationId: randomUUID() });
    }
    const now = Math.floor(Date.now() / 1000);
    const expiresOn = now + TOKEN_LIFETIME_S;
    const accessToken = mintJwt(
      {
        aud: options.tokenAudience ?? record.resource,
        iss: `https://sts.windows.net/${options.tenantId}/`,
        iat: now,
        nbf: now,
        exp: expiresOn,
        appid: options.clientId,
        oid: randomUUID(),
        sub: randomUUID(),
        tid: options.tenantId,
        ver: '1.0',
      },
      signingKey,
    );
    return answer(200, { access_token: accessToken, expires_on: String(expiresOn), resource: record.resource, token_type: 'Bearer', client_id: options.clientId });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/msi/token`,
    secret,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
