import { randomUUID } from 'node:crypto';
import type { DeviceCodePrompt, PartnerCenterAuth } from '../../src/app/ports';
import { AppError } from '../../src/domain/errors';
import {
  createNetworkClient,
  createPartnerCenterAuth,
  decodeJwtPayload,
  rewriteIdentityUrl,
  TOKEN_CACHE_SECRET,
  tokenHasMfa,
} from '../../src/integrations/identity';
import { createPartnerCenterClient } from '../../src/integrations/partner-center';
import { ADMIN_AGENT, PARTNER_TENANT_ID } from '../../sandbox';
import { failure, MemorySecretStore, recordingHttp, useSandbox } from './support/harness';

const CLIENT_ID = '11111111-2222-4333-8444-555555555555';

describe('Partner Center connection (msal-node device code + silent refresh) against the sandbox Entra', () => {
  const env = useSandbox();
  let secrets: MemorySecretStore;

  const newAuth = (store = secrets): PartnerCenterAuth =>
    createPartnerCenterAuth({
      clientId: CLIENT_ID,
      tenantId: PARTNER_TENANT_ID,
      secrets: store,
      networkClient: createNetworkClient({ endpointOverride: `${env().sandbox.url}/entra` }),
    });

  /** Shows the prompt by approving it in the sandbox, as an admin would on the sign-in page. */
  const approveWith = (mfa: boolean, seen: DeviceCodePrompt[] = []) => async (prompt: DeviceCodePrompt): Promise<void> => {
    seen.push(prompt);
    await env().control.approveDeviceCode(prompt.userCode, mfa);
  };

  const tokenGrants = async (): Promise<string[]> =>
    (await env().control.requests('entra'))
      .filter((e) => e.method === 'POST' && e.path.includes('/oauth2/v2.0/token'))
      .map((e) => new URLSearchParams(e.body ?? '').get('grant_type') ?? '');

  /** msal's cache without its access tokens: the next silent call must redeem the refresh token. */
  const dropCachedAccessTokens = (store: MemorySecretStore): void => {
    const cache = JSON.parse(store.values.get(TOKEN_CACHE_SECRET) ?? '{}') as Record<string, unknown>;
    cache['AccessToken'] = {};
    store.values.set(TOKEN_CACHE_SECRET, JSON.stringify(cache));
  };

  beforeEach(async () => {
    secrets = new MemorySecretStore();
    await env().control.configure({ autoApproveDeviceCodes: false });
  });

  it('when the admin consents with MFA through the device code, then the token has MFA and the cache is stored as a secret', async () => {
    const auth = newAuth();
    const prompts: DeviceCodePrompt[] = [];
    expect(await auth.status()).toEqual({ connected: false });

    const startedAt = Date.now();
    const token = await auth.connectWithDeviceCode(approveWith(true, prompts));

    expect(token.hasMfa).toBe(true);
    expect(token.account).toBe(ADMIN_AGENT.userPrincipalName);
    expect(token.expiresOn.getTime()).toBeGreaterThan(Date.now());
    expect(decodeJwtPayload(token.token)?.['aud']).toBe('https://api.partnercenter.microsoft.com');
    expect(prompts).toHaveLength(1);
    expect(prompts[0]?.userCode).toMatch(/^[A-Z]{9}$/);
    expect(prompts[0]?.verificationUri).toContain('/entra/devicelogin');
    expect(prompts[0]?.message).toContain(prompts[0]?.userCode);
    expect(prompts[0]?.expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(secrets.values.get(TOKEN_CACHE_SECRET)).toContain('RefreshToken');
    const status = await auth.status();
    expect(status).toEqual({ connected: true, account: ADMIN_AGENT.userPrincipalName, connectedAt: expect.any(Date) as unknown });
    expect(status.connectedAt!.getTime()).toBeGreaterThanOrEqual(startedAt);
    expect(status.connectedAt!.getTime()).toBeLessThanOrEqual(Date.now());
    const deviceCodeRequest = (await env().control.requests('entra')).find((e) => e.path.endsWith('/oauth2/v2.0/devicecode'));
    expect(deviceCodeRequest?.path).toBe(`/entra/${PARTNER_TENANT_ID}/oauth2/v2.0/devicecode`);
    expect(new URLSearchParams(deviceCodeRequest?.body ?? '').get('scope')).toContain('https://api.partnercenter.microsoft.com/user_impersonation');
  });

  it('when a new instance shares the SecretStore, then it redeems the stored refresh token silently and Partner Center accepts the token', async () => {
    await newAuth().connectWithDeviceCode(approveWith(true));
    dropCachedAccessTokens(secrets);
    const grantsBefore = await tokenGrants();

    const later = newAuth();
    expect(await later.status()).toMatchObject({ connected: true, account: ADMIN_AGENT.userPrincipalName });
    const token = await later.getAccessToken();

    expect(token.hasMfa).toBe(true);
    expect((await tokenGrants()).slice(grantsBefore.length)).toEqual(['refresh_token']);
    const pc = createPartnerCenterClient({ baseUrl: `${env().sandbox.url}/pc`, principalsPath: '/v1/nonMfaCompliantPartnerPrincipals', http: recordingHttp().http });
    const listing = await pc.listNonMfaCompliantPrincipals({ correlationId: randomUUID(), accessToken: token.token });
    expect(listing.isMfaCompliant).toBe(true);
  });

  it('when a fresh token is forced while the cached one is still valid, then the refresh token is redeemed once and a new token returned', async () => {
    const auth = newAuth();
    const first = await auth.connectWithDeviceCode(approveWith(true));
    const grantsBefore = await tokenGrants();

    const forced = await auth.getAccessToken({ forceRefresh: true });

    expect(forced.hasMfa).toBe(true);
    expect(forced.token).not.toBe(first.token);
    expect((await tokenGrants()).slice(grantsBefore.length)).toEqual(['refresh_token']);
  });

  it('when the cached access token is still valid, then getAccessToken answers from the cache without calling Entra', async () => {
    await newAuth().connectWithDeviceCode(approveWith(true));
    const grantsBefore = await tokenGrants();

    const token = await newAuth().getAccessToken();

    expect(token.hasMfa).toBe(true);
    expect(await tokenGrants()).toEqual(grantsBefore);
  });

  it('when the admin consents without MFA and nobody was connected, then it reports hasMfa false with a warning and keeps nothing', async () => {
    const warnings: string[] = [];
    const auth = createPartnerCenterAuth({
      clientId: CLIENT_ID,
      tenantId: PARTNER_TENANT_ID,
      secrets,
      networkClient: createNetworkClient({ endpointOverride: `${env().sandbox.url}/entra` }),
      logger: { debug: () => undefined, info: () => undefined, warn: (_o, m) => warnings.push(m), error: () => undefined },
    });

    const token = await auth.connectWithDeviceCode(approveWith(false));

    expect(token.hasMfa).toBe(false);
    expect(tokenHasMfa(token.token)).toBe(false);
    expect(warnings).toEqual([expect.stringContaining('WITHOUT MFA')]);
    expect(await newAuth().status()).toEqual({ connected: false });
    await expect(newAuth().getAccessToken()).rejects.toMatchObject({ code: 'PC_NOT_CONNECTED' });
  });

  it('when a connection with MFA exists and someone consents again without MFA, then the working connection stays', async () => {
    await newAuth().connectWithDeviceCode(approveWith(true));
    const auth = newAuth();
    const refused = await auth.connectWithDeviceCode(approveWith(false));
    expect(refused.hasMfa).toBe(false);
    expect((await auth.getAccessToken()).hasMfa).toBe(true);
    dropCachedAccessTokens(secrets);
    expect((await newAuth().getAccessToken()).hasMfa).toBe(true);
  });

  it('when the admin consents again, then the new consent replaces the old one in the stored cache', async () => {
    const auth = newAuth();
    await auth.connectWithDeviceCode(approveWith(false));
    const token = await auth.connectWithDeviceCode(approveWith(true));
    expect(token.hasMfa).toBe(true);
    const cache = JSON.parse(secrets.values.get(TOKEN_CACHE_SECRET) ?? '{}') as { Account?: Record<string, unknown> };
    expect(Object.keys(cache.Account ?? {})).toHaveLength(1);
    expect((await newAuth().getAccessToken()).hasMfa).toBe(true);
  });

  it('when nobody has connected yet, then getAccessToken throws PC_NOT_CONNECTED telling the admin what to run', async () => {
    const error = await failure(newAuth().getAccessToken());
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'PC_NOT_CONNECTED', retryable: false });
    expect((error as AppError).message).toContain('connect partner center');
  });

  it('when the stored refresh token was revoked, then getAccessToken throws PC_NOT_CONNECTED', async () => {
    await newAuth().connectWithDeviceCode(approveWith(true));
    dropCachedAccessTokens(secrets);
    expect((await env().control.revokeRefreshTokens()).revoked).toBeGreaterThan(0);

    const error = await failure(newAuth().getAccessToken());

    expect(error).toMatchObject({ code: 'PC_NOT_CONNECTED', details: { msalCode: 'invalid_grant' } });
    expect((error as AppError).message).toContain('connect partner center');
  });

  it('when the stored refresh token is unknown to Entra, then getAccessToken throws PC_NOT_CONNECTED and never logs the token', async () => {
    await newAuth().connectWithDeviceCode(approveWith(true));
    dropCachedAccessTokens(secrets);
    const cache = JSON.parse(secrets.values.get(TOKEN_CACHE_SECRET) ?? '{}') as { RefreshToken: Record<string, { secret: string }> };
    for (const entry of Object.values(cache.RefreshToken)) entry.secret = 'unknown-refresh-token';
    secrets.values.set(TOKEN_CACHE_SECRET, JSON.stringify(cache));
    const logged: string[] = [];
    const auth = createPartnerCenterAuth({
      clientId: CLIENT_ID,
      tenantId: PARTNER_TENANT_ID,
      secrets,
      networkClient: createNetworkClient({ endpointOverride: `${env().sandbox.url}/entra` }),
      logger: {
        debug: (o, m) => logged.push(JSON.stringify(o) + m),
        info: (o, m) => logged.push(JSON.stringify(o) + m),
        warn: (o, m) => logged.push(JSON.stringify(o) + m),
        error: (o, m) => logged.push(JSON.stringify(o) + m),
      },
    });

    const error = await failure(auth.getAccessToken());

    expect(error).toMatchObject({ code: 'PC_NOT_CONNECTED' });
    expect(logged.join('\n')).not.toContain('unknown-refresh-token');
    expect((error as AppError).message).not.toContain('unknown-refresh-token');
  });

  it('when showing the device code fails, then polling stops and connect rejects with that failure', async () => {
    const shown = new Error('Teams could not show the code');
    const error = await failure(newAuth().connectWithDeviceCode(() => Promise.reject(shown)));
    expect(error).toBe(shown);
    expect(await newAuth().status()).toEqual({ connected: false });
  });

  it('when Entra fails to answer the token request, then IDENTITY_UNAVAILABLE (retryable), not a lost connection', async () => {
    await newAuth().connectWithDeviceCode(approveWith(true));
    dropCachedAccessTokens(secrets);
    await env().control.fault({ target: 'entra', kind: 'serverError' });

    const error = await failure(newAuth().getAccessToken());

    expect(error).toMatchObject({ code: 'IDENTITY_UNAVAILABLE', retryable: true });
  });
});

describe('identity URL rewriting', () => {
  it('when an override is set, then only login.microsoftonline.com URLs are sent to it', () => {
    const override = 'http://127.0.0.1:4000/entra/';
    expect(rewriteIdentityUrl('https://login.microsoftonline.com/t/oauth2/v2.0/token?x=1', override)).toBe('http://127.0.0.1:4000/entra/t/oauth2/v2.0/token?x=1');
    expect(rewriteIdentityUrl('https://graph.microsoft.com/v1.0/me', override)).toBe('https://graph.microsoft.com/v1.0/me');
  });

  it('when no override is set, then URLs are unchanged', () => {
    expect(rewriteIdentityUrl('https://login.microsoftonline.com/t/oauth2/v2.0/token', undefined)).toBe('https://login.microsoftonline.com/t/oauth2/v2.0/token');
  });
});
