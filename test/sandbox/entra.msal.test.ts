import {
  ConfidentialClientApplication,
  PublicClientApplication,
  type AuthenticationResult,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import { ADMIN_AGENT, decodeJwtPayload, PARTNER_TENANT_ID, startSandbox, type SandboxHandle } from '../../sandbox';
import { amrOf, getJson, postForm, waitFor } from './helpers';

/**
 * Proves the sandbox Entra works with @azure/msal-node 2.16 when msal's calls to
 * https://login.microsoftonline.com/<rest> go to <sandbox>/entra/<rest>, the way the bot does it
 * with `system.networkClient`.
 */
class RewritingNetworkClient implements INetworkModule {
  readonly calls: string[] = [];

  constructor(private readonly sandboxUrl: string) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private async send<T>(method: string, url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    const original = new URL(url);
    if (original.host !== 'login.microsoftonline.com') throw new Error(`unexpected host in ${url}`);
    const target = `${this.sandboxUrl}/entra${original.pathname}${original.search}`;
    this.calls.push(`${method} ${original.pathname}`);
    const res = await fetch(target, { method, headers: options?.headers, body: options?.body });
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { status: res.status, headers, body: JSON.parse(await res.text()) as T };
  }
}

const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const AUTHORITY = `https://login.microsoftonline.com/${PARTNER_TENANT_ID}`;
const PC_SCOPE = 'https://api.partnercenter.microsoft.com/user_impersonation';
const PC_PATH = '/pc/v1/nonMfaCompliantPartnerPrincipals';

function publicApp(sandbox: SandboxHandle, extra: { skipAuthorityMetadataCache?: boolean } = {}): { app: PublicClientApplication; network: RewritingNetworkClient } {
  const network = new RewritingNetworkClient(sandbox.url);
  const app = new PublicClientApplication({
    auth: { clientId: CLIENT_ID, authority: AUTHORITY, ...extra },
    system: { networkClient: network },
  });
  return { app, network };
}

function cachedRefreshToken(app: PublicClientApplication): string {
  const cache = JSON.parse(app.getTokenCache().serialize()) as { RefreshToken: Record<string, { secret: string }> };
  const secret = Object.values(cache.RefreshToken)[0]?.secret;
  if (secret === undefined) throw new Error('no refresh token in the msal cache');
  return secret;
}

async function deviceCodeLogin(app: PublicClientApplication, onCode: (userCode: string) => void = () => undefined): Promise<AuthenticationResult> {
  const result = await app.acquireTokenByDeviceCode({ scopes: [PC_SCOPE], deviceCodeCallback: (r) => onCode(r.userCode) });
  if (result === null) throw new Error('device code flow returned null');
  return result;
}

describe('sandbox Entra ID with msal-node through a rewriting network client', () => {
  let sandbox: SandboxHandle;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.stop();
  });
  beforeEach(() => sandbox.control.reset());

  it('when device codes are auto-approved, then the first poll yields an MFA token that Partner Center accepts', async () => {
    const { app } = publicApp(sandbox);

    const result = await deviceCodeLogin(app);

    const claims = decodeJwtPayload(result.accessToken);
    expect(claims['amr']).toEqual(['pwd', 'mfa']);
    expect(claims['aud']).toBe('https://api.partnercenter.microsoft.com');
    expect(claims['scp']).toBe('user_impersonation');
    expect(claims['tid']).toBe(PARTNER_TENANT_ID);
    expect(claims['oid']).toBe(ADMIN_AGENT.objectId);
    expect(result.account?.username).toBe(ADMIN_AGENT.userPrincipalName);
    expect(result.account?.homeAccountId).toBe(`${ADMIN_AGENT.objectId}.${PARTNER_TENANT_ID}`);
    const tokenPolls = sandbox.control.requests('entra').filter((r) => r.path.includes('/oauth2/v2.0/token'));
    expect(tokenPolls.map((r) => r.status)).toEqual([200]);

    const pc = await getJson<{ items: unknown[] }>(`${sandbox.url}${PC_PATH}`, { authorization: `Bearer ${result.accessToken}` });
    expect(pc.status).toBe(200);
    expect(pc.body.items.length).toBeGreaterThan(0);
  });

  it('when approval waits and is given without MFA through the control API, then msal polls past authorization_pending and gets amr ["pwd"], which Partner Center rejects with 900421', async () => {
    sandbox.control.configure({ autoApproveDeviceCodes: false });
    const { app } = publicApp(sandbox);
    const pendingSeen = (): boolean =>
      sandbox.control.requests('entra').some((r) => r.path.includes('/oauth2/v2.0/token') && r.status === 400);

    const login = deviceCodeLogin(app);
    await waitFor(pendingSeen, 'a first authorization_pending poll');
    sandbox.control.approveDeviceCode({ mfa: false });
    const result = await login;

    expect(amrOf(result.accessToken)).toEqual(['pwd']);
    const pc = await getJson<{ code: number }>(`${sandbox.url}${PC_PATH}`, { authorization: `Bearer ${result.accessToken}` });
    expect(pc.status).toBe(401);
    expect(pc.body.code).toBe(900421);
  });

  it('when a person approves on the /entra/devicelogin page with "Sign in with MFA" checked, then the token carries mfa', async () => {
    sandbox.control.configure({ autoApproveDeviceCodes: false });
    const { app } = publicApp(sandbox);
    let userCode = '';

    const login = deviceCodeLogin(app, (code) => {
      userCode = code;
    });
    await waitFor(() => userCode !== '', 'the device code callback');
    const page = await fetch(`${sandbox.url}/entra/devicelogin`).then((r) => r.text());
    expect(page).toContain('name="mfa" checked');
    const approval = await postForm(`${sandbox.url}/entra/devicelogin`, { user_code: userCode.toLowerCase(), mfa: 'on' });
    expect(approval.status).toBe(200);
    expect(approval.text).toContain('with MFA');
    const result = await login;

    expect(amrOf(result.accessToken)).toEqual(['pwd', 'mfa']);
  });

  it('when a stored refresh token is redeemed by a new app instance, then it keeps the MFA flag of the original sign-in', async () => {
    const first = publicApp(sandbox);
    await deviceCodeLogin(first.app);
    const refreshToken = cachedRefreshToken(first.app);

    const second = publicApp(sandbox);
    const refreshed = await second.app.acquireTokenByRefreshToken({ refreshToken, scopes: [PC_SCOPE] });

    expect(refreshed).not.toBeNull();
    expect(amrOf(refreshed?.accessToken ?? '')).toEqual(['pwd', 'mfa']);
    const grants = sandbox.control.requests('entra').map((r) => new URLSearchParams(r.body ?? '').get('grant_type'));
    expect(grants).toContain('refresh_token');
  });

  it('when a confidential client redeems a refresh token issued without MFA, then the new token still lacks mfa', async () => {
    sandbox.control.configure({ autoApproveDeviceCodes: false });
    const first = publicApp(sandbox);
    await deviceCodeLogin(first.app, (userCode) => sandbox.control.approveDeviceCode({ userCode, mfa: false }));
    const network = new RewritingNetworkClient(sandbox.url);
    const cca = new ConfidentialClientApplication({
      auth: { clientId: CLIENT_ID, clientSecret: 'sandbox-secret', authority: AUTHORITY },
      system: { networkClient: network },
    });

    const refreshed = await cca.acquireTokenByRefreshToken({ refreshToken: cachedRefreshToken(first.app), scopes: [PC_SCOPE] });

    expect(amrOf(refreshed?.accessToken ?? '')).toEqual(['pwd']);
  });

  it('when the refresh token is unknown or revoked, then msal fails with invalid_grant', async () => {
    const first = publicApp(sandbox);
    await deviceCodeLogin(first.app);
    const refreshToken = cachedRefreshToken(first.app);
    expect(sandbox.control.revokeRefreshTokens()).toBeGreaterThan(0);

    await expect(publicApp(sandbox).app.acquireTokenByRefreshToken({ refreshToken, scopes: [PC_SCOPE] })).rejects.toMatchObject({
      errorCode: 'invalid_grant',
    });
  });

  it('when a confidential client uses client credentials for Graph, then the app token has roles and Graph accepts it', async () => {
    const network = new RewritingNetworkClient(sandbox.url);
    const cca = new ConfidentialClientApplication({
      auth: { clientId: CLIENT_ID, clientSecret: 'sandbox-secret', authority: AUTHORITY },
      system: { networkClient: network },
    });

    const result = await cca.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });

    const claims = decodeJwtPayload(result?.accessToken ?? '');
    expect(claims['aud']).toBe('https://graph.microsoft.com');
    expect(claims['roles']).toContain('AuditLog.Read.All');
    expect(claims['scp']).toBeUndefined();
    const logged = sandbox.control.requests('entra').find((r) => r.path.includes('/oauth2/v2.0/token'));
    expect(new URLSearchParams(logged?.body ?? '').get('client_secret')).toBe('***');
    const graph = await getJson(`${sandbox.url}/graph/v1.0/users/${ADMIN_AGENT.objectId}`, { authorization: `Bearer ${result?.accessToken ?? ''}` });
    expect(graph.status).toBe(200);
  });

  it('when msal skips its hard-coded metadata, then instance discovery and the OpenID configuration are fetched from the sandbox with real-host endpoints', async () => {
    const { app, network } = publicApp(sandbox, { skipAuthorityMetadataCache: true });

    const result = await deviceCodeLogin(app);

    expect(amrOf(result.accessToken)).toEqual(['pwd', 'mfa']);
    expect(network.calls).toEqual([
      'GET /common/discovery/instance',
      `GET /${PARTNER_TENANT_ID}/v2.0/.well-known/openid-configuration`,
      `POST /${PARTNER_TENANT_ID}/oauth2/v2.0/devicecode`,
      `POST /${PARTNER_TENANT_ID}/oauth2/v2.0/token`,
    ]);
    const config = await getJson<Record<string, string>>(`${sandbox.url}/entra/${PARTNER_TENANT_ID}/v2.0/.well-known/openid-configuration`);
    expect(config.body['token_endpoint']).toBe(`https://login.microsoftonline.com/${PARTNER_TENANT_ID}/oauth2/v2.0/token`);
    const tenantDiscovery = await getJson(`${sandbox.url}/entra/${PARTNER_TENANT_ID}/discovery/instance?api-version=1.1`);
    expect(tenantDiscovery.status).toBe(200);
  });

  it('when Entra is throttled once, then msal surfaces the 429 and a later app instance signs in', async () => {
    sandbox.control.addFault({ target: 'entra', kind: 'throttle', times: 1, retryAfterSeconds: 7 });

    await expect(deviceCodeLogin(publicApp(sandbox).app)).rejects.toThrow();
    const throttled = sandbox.control.requests('entra').find((r) => r.fault === 'throttle');
    expect(throttled?.status).toBe(429);

    const result = await deviceCodeLogin(publicApp(sandbox).app);
    expect(amrOf(result.accessToken)).toEqual(['pwd', 'mfa']);
  });
});
