import type { Graph } from '../../src/app/ports';
import { FixedClock } from '../../src/domain/clock';
import { AppError } from '../../src/domain/errors';
import { createGraphClient, createTokenBucket } from '../../src/integrations/graph';
import { createAppTokenProvider, createNetworkClient, decodeJwtPayload, type AppTokenProvider } from '../../src/integrations/identity';
import { contosoObjectId, PARTNER_TENANT_ID, PLAYGROUND_USER_ID, PLAYGROUND_USERS } from '../../sandbox';
import { failure, recordingHttp, useSandbox, type RecordingHttp } from './support/harness';

const CATALOG_APP_ID = 'f1c5e8a0-0000-4000-8000-00000000beef';

describe('Graph client over HTTP against the sandbox', () => {
  const env = useSandbox();
  let rec: RecordingHttp;
  let tokens: AppTokenProvider;
  let graph: Graph;
  const user = PLAYGROUND_USER_ID;

  const graphRequests = async () => env().control.requests('graph');

  beforeEach(() => {
    rec = recordingHttp();
    tokens = createAppTokenProvider({
      clientId: 'graph-app-id',
      clientSecret: 'graph-app-secret',
      tenantId: PARTNER_TENANT_ID,
      networkClient: createNetworkClient({ endpointOverride: `${env().sandbox.url}/entra` }),
    });
    graph = createGraphClient({ baseUrl: `${env().sandbox.url}/graph`, getToken: () => tokens.getToken(), http: rec.http });
  });

  it('when the app asks for a Graph token, then msal\'s client-credentials token is app-only and reused from its cache', async () => {
    const first = await tokens.getToken();
    const second = await tokens.getToken();
    expect(second).toBe(first);
    expect(decodeJwtPayload(first)).toMatchObject({ aud: 'https://graph.microsoft.com', idtyp: 'app' });
    const grants = (await env().control.requests('entra')).filter((e) => e.path.includes('/oauth2/v2.0/token'));
    expect(grants).toHaveLength(1);
    expect(grants[0]?.body).toContain('grant_type=client_credentials');
    expect(grants[0]?.body).not.toContain('graph-app-secret');
  });

  it('when the user registered MFA, then the registration details say so, with methods and the preferred method', async () => {
    await env().control.setRegistration(user, { isMfaRegistered: true, methods: ['microsoftAuthenticatorPush', 'email'] });

    const details = await graph.getRegistrationDetails(user);

    expect(details).toEqual({
      isMfaRegistered: true,
      isMfaCapable: true,
      methodsRegistered: ['microsoftAuthenticatorPush', 'email'],
      preferredMethod: 'push',
    });
    const [request] = await graphRequests();
    expect(request?.path).toBe(`/graph/v1.0/reports/authenticationMethods/userRegistrationDetails/${user}`);
    expect(request?.headers['authorization']).toMatch(/^Bearer /);
    expect(request?.headers['client-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when the user has not registered MFA, then the registration details say not registered, without a preferred method', async () => {
    await env().control.setRegistration(user, { isMfaRegistered: false });
    expect(await graph.getRegistrationDetails(user)).toEqual({ isMfaRegistered: false, isMfaCapable: false, methodsRegistered: [] });
  });

  it('when the tenant has no Entra ID P1/P2, then GRAPH_NOT_PREMIUM', async () => {
    await env().control.configure({ premium: false });
    const error = await failure(graph.getRegistrationDetails(user));
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'GRAPH_NOT_PREMIUM', status: 403, details: { graphCode: 'Authentication_RequestFromNonPremiumTenantOrB2CTenant' } });
    expect(await graphRequests()).toHaveLength(1);
  });

  it('when the registration report is unavailable, then the authentication methods list their @odata.types', async () => {
    await env().control.configure({ premium: false });
    await env().control.setRegistration(user, { isMfaRegistered: true, methods: ['fido2', 'mobilePhone'] });

    const types = await graph.listAuthenticationMethods(user);

    expect(types).toEqual([
      '#microsoft.graph.passwordAuthenticationMethod',
      '#microsoft.graph.fido2AuthenticationMethod',
      '#microsoft.graph.phoneAuthenticationMethod',
    ]);
  });

  it('when the user does not exist, then GRAPH_NOT_FOUND, and the id is URL-encoded in the path', async () => {
    const error = await failure(graph.getRegistrationDetails('no/such user?'));
    expect(error).toMatchObject({ code: 'GRAPH_NOT_FOUND', status: 404 });
    expect((await graphRequests())[0]?.path).toBe('/graph/v1.0/reports/authenticationMethods/userRegistrationDetails/no%2Fsuch%20user%3F');
    expect(await failure(graph.listAuthenticationMethods('ghost'))).toMatchObject({ code: 'GRAPH_NOT_FOUND' });
  });

  it('when the app is installed for a user twice, then 201 means installed and 409 means already installed', async () => {
    const target = contosoObjectId(0);
    expect(await graph.installAppForUser(target, CATALOG_APP_ID)).toBe('installed');
    expect(await graph.installAppForUser(target, CATALOG_APP_ID)).toBe('alreadyInstalled');
    const posts = (await graphRequests()).filter((e) => e.method === 'POST');
    expect(posts.map((e) => e.status)).toEqual([201, 409]);
    expect(JSON.parse(posts[0]?.body ?? '{}')).toEqual({
      'teamsApp@odata.bind': `${env().sandbox.url}/graph/v1.0/appCatalogs/teamsApps/${CATALOG_APP_ID}`,
    });
  });

  it('when Graph throttles once, then the call waits Retry-After and succeeds', async () => {
    await env().control.fault({ target: 'graph', kind: 'throttle', times: 1, retryAfterSeconds: 3 });
    const details = await graph.getRegistrationDetails(user);
    expect(details.isMfaRegistered).toBe(false);
    expect(rec.waits).toEqual([3000]);
    const log = await graphRequests();
    expect(log.map((e) => e.status)).toEqual([429, 200]);
    expect(log[1]?.headers['client-request-id']).toBe(log[0]?.headers['client-request-id']);
  });

  it('when Graph keeps throttling, then GRAPH_THROTTLED with Retry-After after the bounded attempts', async () => {
    await env().control.fault({ target: 'graph', kind: 'throttle', retryAfterSeconds: 1 });
    const error = await failure(graph.listAuthenticationMethods(user));
    expect(error).toMatchObject({ code: 'GRAPH_THROTTLED', retryable: true, retryAfterSeconds: 1 });
    expect(await graphRequests()).toHaveLength(3);
  });

  it('when Graph keeps failing with 500, then GRAPH_UNAVAILABLE', async () => {
    await env().control.fault({ target: 'graph', kind: 'serverError' });
    const error = await failure(graph.installAppForUser(user, CATALOG_APP_ID));
    expect(error).toMatchObject({ code: 'GRAPH_UNAVAILABLE', retryable: true });
    expect(await graphRequests()).toHaveLength(3);
  });

  it('when Graph rejects the token, then GRAPH_FORBIDDEN names the permission the call needs', async () => {
    const wrongAudience = await env().control.mintToken({ audience: 'partnerCenter' });
    const denied = createGraphClient({ baseUrl: `${env().sandbox.url}/graph`, getToken: async () => wrongAudience, http: rec.http });

    const error = await failure(denied.getRegistrationDetails(user));

    expect(error).toMatchObject({ code: 'GRAPH_FORBIDDEN', status: 401 });
    expect((error as AppError).message).toContain('AuditLog.Read.All');
    expect(((await failure(denied.installAppForUser(user, CATALOG_APP_ID))) as AppError).message).toContain(
      'TeamsAppInstallation.ReadWriteSelfForUser.All',
    );
  });

  it('when the body is cut off, then GRAPH_BAD_RESPONSE', async () => {
    await env().control.fault({ target: 'graph', kind: 'malformed', times: 1 });
    expect(await failure(graph.getRegistrationDetails(user))).toMatchObject({ code: 'GRAPH_BAD_RESPONSE' });
  });

  it('when registration checks come in bulk, then the reports limiter spaces every attempt past 5 per 10 s', async () => {
    const clock = new FixedClock('2026-11-23T10:00:00Z'); // the bucket only counts time from here
    const limiterWaits: number[] = [];
    const limited = createGraphClient({
      baseUrl: `${env().sandbox.url}/graph`,
      getToken: () => tokens.getToken(),
      http: rec.http,
      reportsLimiter: createTokenBucket({
        capacity: 5,
        intervalMs: 10_000,
        clock,
        sleep: async (ms) => {
          limiterWaits.push(ms);
          clock.advance(ms);
        },
      }),
    });
    await env().control.fault({ target: 'graph', kind: 'throttle', times: 1, retryAfterSeconds: 0 });

    await Promise.all(Array.from({ length: 6 }, () => limited.getRegistrationDetails(user)));
    await limited.listAuthenticationMethods(user);

    // 7 report attempts (one retried after 429) against 5 tokens: two waits of 2 s; methods are not limited.
    expect(limiterWaits).toEqual([2000, 2000]);
    expect((await graphRequests()).filter((e) => e.path.includes('/reports/'))).toHaveLength(7);
  });

  describe('getManager', () => {
    const adele = PLAYGROUND_USERS[2];

    it("when the user has a manager, then the manager's id, name and UPN come back, asked for with $select", async () => {
      const manager = await graph.getManager!(user);
      expect(manager).toEqual({ id: adele.objectId, displayName: 'Adele Vance', userPrincipalName: 'adelev@example.com' });
      const [request] = await graphRequests();
      expect(request?.path).toBe(`/graph/v1.0/users/${user}/manager?$select=id,displayName,userPrincipalName`);
    });

    it('when the user exists without a manager (Graph: 404 Request_ResourceNotFound), then undefined, after a look-up of the user settles which 404 it was', async () => {
      expect(await graph.getManager!(adele.objectId)).toBeUndefined();
      await env().control.setManager(user, null);
      expect(await graph.getManager!(user)).toBeUndefined();
      const paths = (await graphRequests()).map((r) => r.path);
      expect(paths.filter((p) => p === `/graph/v1.0/users/${user}?$select=id`)).toHaveLength(1);
    });

    it('when the user is not in the tenant (Graph: the same 404 code, on the user), then GRAPH_NOT_FOUND', async () => {
      const error = await failure(graph.getManager!('gone-user'));
      expect(error).toMatchObject({ code: 'GRAPH_NOT_FOUND', status: 404, details: { graphCode: 'Request_ResourceNotFound' } });
    });

    it('when Graph answers the manager call with 500 throughout, then GRAPH_UNAVAILABLE, not "no manager"', async () => {
      await env().control.fault({ target: 'graph', kind: 'serverError' });
      expect(await failure(graph.getManager!(user))).toMatchObject({ code: 'GRAPH_UNAVAILABLE' });
    });
  });
});
