import type { Graph } from '../../src/app/ports';
import { createGraphClient } from '../../src/integrations/graph';
import { createAppTokenProvider, createNetworkClient, type AppTokenProvider } from '../../src/integrations/identity';
import { FEDERATED_DOMAIN, FEDERATED_PLAYGROUND_USER_ID, PARTNER_TENANT_ID, PLAYGROUND_USER_ID } from '../../sandbox';
import { failure, recordingHttp, useSandbox, type RecordingHttp } from './support/harness';

/** Sign-in logs and tenant domains over real HTTP against the sandbox's Graph. */
describe('Graph sign-ins and domains over HTTP against the sandbox', () => {
  const env = useSandbox();
  let rec: RecordingHttp;
  let tokens: AppTokenProvider;
  let graph: Graph;
  let acquired: number;
  const user = PLAYGROUND_USER_ID;

  const client = (signInsPath?: string): Graph =>
    createGraphClient({
      baseUrl: `${env().sandbox.url}/graph`,
      getToken: () => tokens.getToken(),
      http: rec.http,
      reportsLimiter: { acquire: async () => void (acquired += 1) },
      ...(signInsPath === undefined ? {} : { signInsPath }),
    });
  const graphRequests = () => env().control.requests('graph');
  /** The sandbox's clock is the real one: sign-ins are placed relative to it. */
  const minutesAgo = (m: number): Date => new Date(Date.now() - m * 60_000);

  beforeEach(() => {
    rec = recordingHttp();
    acquired = 0;
    tokens = createAppTokenProvider({
      clientId: 'graph-app-id',
      clientSecret: 'graph-app-secret',
      tenantId: PARTNER_TENANT_ID,
      networkClient: createNetworkClient({ endpointOverride: `${env().sandbox.url}/entra` }),
    });
    graph = client();
  });

  it('when the user signed in with MFA, then the sign-in comes back with its requirement and steps, newest first, through the reports limiter', async () => {
    await env().control.addSignIn(user, { kind: 'mfa', at: minutesAgo(10).toISOString(), app: 'Microsoft Partner Center' });
    const since = minutesAgo(60);

    const signIns = await graph.listSignIns!(user, { since, top: 20 });

    expect(signIns[0]).toMatchObject({
      appDisplayName: 'Microsoft Partner Center',
      requirement: 'multiFactorAuthentication',
      succeeded: true,
      steps: [
        { method: 'Password', succeeded: true, requirement: 'Primary authentication', resultDetail: 'Correct password' },
        { method: 'Mobile app notification', succeeded: true, requirement: 'Multifactor authentication', resultDetail: 'MFA successfully completed' },
      ],
    });
    expect(signIns[0]?.mfaDetail).toBeUndefined();
    expect(signIns.every((s) => s.createdAt.getTime() >= since.getTime())).toBe(true);
    const [request] = await graphRequests();
    const url = new URL(request?.path ?? '', 'http://x');
    expect(url.pathname).toBe('/graph/v1.0/auditLogs/signIns');
    expect(url.searchParams.get('$filter')).toBe(`userId eq '${user}' and createdDateTime ge ${since.toISOString()}`);
    expect(url.searchParams.get('$top')).toBe('20');
    expect(acquired).toBe(1);
  });

  it('when the path is configured to beta, then the sign-in carries mfaDetail too', async () => {
    await env().control.addSignIn(user, { kind: 'mfa', at: minutesAgo(5).toISOString() });
    const signIns = await client('/beta/auditLogs/signIns').listSignIns!(user, { since: minutesAgo(60), top: 5 });
    expect(signIns[0]?.mfaDetail).toEqual({ authMethod: 'PhoneAppNotification' });
    expect((await graphRequests())[0]?.path).toMatch(/^\/graph\/beta\/auditLogs\/signIns\?/);
  });

  it('when a federated user signed in, then the step says the external provider satisfied MFA', async () => {
    const signIns = await graph.listSignIns!(FEDERATED_PLAYGROUND_USER_ID, { since: minutesAgo(7 * 24 * 60), top: 5 });
    expect(signIns[0]?.steps.map((s) => s.resultDetail)).toContain('MFA requirement satisfied by claim provided by external provider');
  });

  it('when an id holds a quote, then it is escaped in the OData literal and matches nobody', async () => {
    const signIns = await graph.listSignIns!("o'brien", { since: minutesAgo(60), top: 5 });
    expect(signIns).toEqual([]);
    const url = new URL((await graphRequests())[0]?.path ?? '', 'http://x');
    expect(url.searchParams.get('$filter')).toMatch(/^userId eq 'o''brien' and /);
  });

  it('when the tenant has no Entra ID P1/P2, then sign-ins fail with GRAPH_NOT_PREMIUM, once, naming the sign-in logs', async () => {
    await env().control.configure({ premium: false });
    const error = await failure(graph.listSignIns!(user, { since: minutesAgo(60), top: 5 }));
    expect(error).toMatchObject({ code: 'GRAPH_NOT_PREMIUM', status: 403 });
    expect((error as Error).message).toMatch(/sign-in logs are unavailable/);
    expect(await graphRequests()).toHaveLength(1);
  });

  it('when the nonPremium fault is on, then the sign-ins endpoint refuses like the registration report', async () => {
    await env().control.fault({ target: 'graph', kind: 'nonPremium', times: 1 });
    expect(await failure(graph.listSignIns!(user, { since: minutesAgo(60), top: 5 }))).toMatchObject({ code: 'GRAPH_NOT_PREMIUM' });
  });

  it('when Graph throttles the sign-ins once, then the call waits Retry-After and succeeds, each attempt through the limiter', async () => {
    await env().control.fault({ target: 'graph', kind: 'throttle', times: 1, retryAfterSeconds: 2 });
    await graph.listSignIns!(user, { since: minutesAgo(60), top: 5 });
    expect(rec.waits).toEqual([2000]);
    expect((await graphRequests()).map((e) => e.status)).toEqual([429, 200]);
    expect(acquired).toBe(2);
  });

  it('when the sign-ins endpoint keeps failing with 500, then GRAPH_UNAVAILABLE after the bounded attempts', async () => {
    await env().control.fault({ target: 'graph', kind: 'serverError' });
    expect(await failure(graph.listSignIns!(user, { since: minutesAgo(60), top: 5 }))).toMatchObject({ code: 'GRAPH_UNAVAILABLE', retryable: true });
    expect(await graphRequests()).toHaveLength(3);
  });

  it('when a domain is federated, managed or unknown, then Graph says Federated, Managed or nothing', async () => {
    expect(await graph.getDomain!(FEDERATED_DOMAIN)).toEqual({ id: FEDERATED_DOMAIN, authenticationType: 'Federated', isVerified: true });
    expect(await graph.getDomain!('example.com')).toMatchObject({ authenticationType: 'Managed' });
    expect(await graph.getDomain!('nowhere.example')).toBeUndefined();
    expect(acquired).toBe(0);
  });

  it('when the domains endpoint fails, then GRAPH_UNAVAILABLE (the nonPremium fault does not apply to it)', async () => {
    await expect(env().control.fault({ target: 'graph', kind: 'nonPremium', times: 1 })).resolves.toBeDefined();
    expect(await graph.getDomain!(FEDERATED_DOMAIN)).toMatchObject({ authenticationType: 'Federated' });
    await env().control.fault({ target: 'graph', kind: 'serverError' });
    expect(await failure(graph.getDomain!(FEDERATED_DOMAIN))).toMatchObject({ code: 'GRAPH_UNAVAILABLE' });
  });

  it('when a user is read, then the UPN comes back', async () => {
    expect(await graph.getUser!(FEDERATED_PLAYGROUND_USER_ID)).toMatchObject({ userPrincipalName: `pattif@${FEDERATED_DOMAIN}` });
  });
});
