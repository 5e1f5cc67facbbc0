import { contosoObjectId, PLAYGROUND_USER_ID, startSandbox, type SandboxHandle } from '../../sandbox';
import { getJson, http, postJson } from './helpers';

interface Registration {
  id: string;
  userPrincipalName: string;
  isMfaRegistered: boolean;
  isMfaCapable: boolean;
  methodsRegistered: string[];
  userPreferredMethodForSecondaryAuthentication: string;
}
interface GraphError {
  error: { code: string; message: string };
}

const ALEX = PLAYGROUND_USER_ID;
const APP_ID = 'a1b2c3d4-0000-0000-0000-00000000beef';
const REGISTERED_CONTOSO = contosoObjectId(3);

describe('sandbox Graph', () => {
  let sandbox: SandboxHandle;
  let token: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    token = sandbox.control.mintToken({ audience: 'graph' });
  });
  afterAll(async () => {
    await sandbox.stop();
  });
  beforeEach(() => sandbox.control.reset());

  const auth = (): Record<string, string> => ({ authorization: `Bearer ${token}` });
  const registrationUrl = (id: string): string => `${sandbox.url}/graph/v1.0/reports/authenticationMethods/userRegistrationDetails/${encodeURIComponent(id)}`;
  const methodsUrl = (id: string): string => `${sandbox.url}/graph/v1.0/users/${encodeURIComponent(id)}/authentication/methods`;

  it('when the Playground user is not registered, then the report says so and registering through the control API flips it consistently in both endpoints', async () => {
    const before = await getJson<Registration>(registrationUrl(ALEX), auth());
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ id: ALEX, userPrincipalName: 'alexw@example.com', isMfaRegistered: false, methodsRegistered: [] });
    const methodsBefore = await getJson<{ value: { '@odata.type': string }[] }>(methodsUrl(ALEX), auth());
    expect(methodsBefore.body.value.map((m) => m['@odata.type'])).toEqual(['#microsoft.graph.passwordAuthenticationMethod']);

    const set = await postJson(`${sandbox.url}/_sandbox/users/${encodeURIComponent(ALEX)}/registration`, { isMfaRegistered: true });
    expect(set.status).toBe(200);

    const after = await getJson<Registration>(registrationUrl(ALEX), auth());
    expect(after.body).toMatchObject({
      isMfaRegistered: true,
      isMfaCapable: true,
      methodsRegistered: ['microsoftAuthenticatorPush'],
      userPreferredMethodForSecondaryAuthentication: 'push',
    });
    const methodsAfter = await getJson<{ value: { '@odata.type': string }[] }>(methodsUrl(ALEX), auth());
    expect(methodsAfter.body.value.map((m) => m['@odata.type'])).toEqual([
      '#microsoft.graph.passwordAuthenticationMethod',
      '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod',
    ]);
  });

  it('when a seed principal is already registered, then verification succeeds for it', async () => {
    const res = await getJson<Registration>(registrationUrl(REGISTERED_CONTOSO), auth());

    expect(res.body.isMfaRegistered).toBe(true);
    expect(sandbox.control.state().principals.filter((p) => p.isMfaRegistered).length).toBeGreaterThanOrEqual(4);
  });

  it('when the user is unknown, then it answers 404 Request_ResourceNotFound', async () => {
    const res = await getJson<GraphError>(registrationUrl('no-such-user'), auth());

    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('Request_ResourceNotFound');
  });

  it('when the tenant is set non-premium, then the report answers 403 with the non-premium code while the methods fallback still works', async () => {
    sandbox.control.configure({ premium: false });

    const res = await getJson<GraphError>(registrationUrl(ALEX), auth());
    const fallback = await http(methodsUrl(ALEX), { headers: auth() });

    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('Authentication_RequestFromNonPremiumTenantOrB2CTenant');
    expect(fallback.status).toBe(200);
  });

  it('when the nonPremium fault is set once, then only the next report request answers 403', async () => {
    sandbox.control.addFault({ target: 'graph', kind: 'nonPremium', times: 1 });

    const methods = await http(methodsUrl(ALEX), { headers: auth() });
    const first = await http(registrationUrl(ALEX), { headers: auth() });
    const second = await http(registrationUrl(ALEX), { headers: auth() });

    expect([methods.status, first.status, second.status]).toEqual([200, 403, 200]);
  });

  it('when throttled, failing or malformed, then Graph answers 429 with Retry-After, 500, and 200 with broken JSON', async () => {
    sandbox.control.addFault({ target: 'graph', kind: 'throttle', times: 1, retryAfterSeconds: 4 });
    sandbox.control.addFault({ target: 'graph', kind: 'serverError', times: 1 });
    sandbox.control.addFault({ target: 'graph', kind: 'malformed', times: 1 });

    const throttled = await http(registrationUrl(ALEX), { headers: auth() });
    const failed = await getJson<GraphError>(registrationUrl(ALEX), auth());
    const malformed = await http(registrationUrl(ALEX), { headers: auth() });

    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('4');
    expect(failed.status).toBe(500);
    expect(failed.body.error.code).toBe('generalException');
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformed.text) as unknown).toThrow(SyntaxError);
  });

  it('when the Playground user has a manager, then it is returned; without one, 404', async () => {
    const manager = await getJson<{ displayName: string }>(`${sandbox.url}/graph/v1.0/users/${ALEX}/manager`, auth());
    const none = await getJson<GraphError>(`${sandbox.url}/graph/v1.0/users/${contosoObjectId(0)}/manager`, auth());

    expect(manager.status).toBe(200);
    expect(manager.body.displayName).toBe('Adele Vance');
    expect(none.status).toBe(404);
  });

  it('when the bot installs its app for a user, then the first install answers 201 and the second 409', async () => {
    const url = `${sandbox.url}/graph/v1.0/users/${ALEX}/teamwork/installedApps`;
    const body = { 'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${APP_ID}` };

    const first = await postJson(url, body, auth());
    const second = await postJson<GraphError>(url, body, auth());

    expect(first.status).toBe(201);
    expect(second.status).toBe(409);
    expect(sandbox.control.state().users.find((u) => u.objectId === ALEX)?.installedApps).toEqual([APP_ID]);
  });

  it('when the install body has no app binding, then it answers 400', async () => {
    const res = await postJson<GraphError>(`${sandbox.url}/graph/v1.0/users/${ALEX}/teamwork/installedApps`, { foo: 1 }, auth());

    expect(res.status).toBe(400);
  });

  it('when the token is missing, unknown or delegated, then Graph answers 401', async () => {
    const delegated = sandbox.control.mintToken({ audience: 'partnerCenter' });
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer nope' }, { authorization: `Bearer ${delegated}` }];
    for (const headers of attempts) {
      const res = await getJson<GraphError>(registrationUrl(ALEX), headers);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('InvalidAuthenticationToken');
    }
  });
});
