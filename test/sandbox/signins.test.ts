import { FEDERATED_PLAYGROUND_USER_ID, PLAYGROUND_USER_ID, startSandbox, type SandboxHandle, type StoredSignIn } from '../../sandbox';
import { getJson, postForm, postJson } from './helpers';

const NOW = new Date('2026-11-21T12:00:00.000Z');

describe('sandbox sign-ins (control API and the mfasetup page)', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await startSandbox({ now: () => NOW });
  });
  afterAll(async () => {
    await sandbox.stop();
  });
  beforeEach(() => sandbox.control.reset());

  const signInsOf = async (objectId: string) => (await getJson<StoredSignIn[]>(`${sandbox.url}/_sandbox/users/${objectId}/signIns`)).body;

  it('when the sandbox is seeded, then Alex has password-only sign-ins and the federated user a provider claim', async () => {
    expect((await signInsOf(PLAYGROUND_USER_ID)).map((s) => s.kind)).toEqual(['passwordOnly', 'passwordOnly', 'passwordOnly']);
    expect((await signInsOf(FEDERATED_PLAYGROUND_USER_ID)).map((s) => s.kind)).toEqual(['providerClaim']);
  });

  it('when a sign-in is added through the control API, then it is stored at the given time, newest first', async () => {
    const res = await postJson<StoredSignIn>(`${sandbox.url}/_sandbox/users/${PLAYGROUND_USER_ID}/signIns`, { kind: 'tokenClaim', at: '2026-11-21T11:59:00Z', app: 'Azure Portal' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'tokenClaim', at: '2026-11-21T11:59:00.000Z', app: 'Azure Portal', userId: PLAYGROUND_USER_ID });
    expect((await signInsOf(PLAYGROUND_USER_ID))[0]?.kind).toBe('tokenClaim');
  });

  it('when a sign-in is malformed or for an unknown user, then 400 / 404 with a stable code and nothing is stored', async () => {
    const bad = await postJson<{ error: { code: string } }>(`${sandbox.url}/_sandbox/users/${PLAYGROUND_USER_ID}/signIns`, { kind: 'magic' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    const unknown = await postJson<{ error: { code: string } }>(`${sandbox.url}/_sandbox/users/nobody/signIns`, { kind: 'mfa' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('user_not_found');
    expect(await signInsOf(PLAYGROUND_USER_ID)).toHaveLength(3);
  });

  it('when a user completes MFA registration on /mfasetup, then an MFA sign-in is recorded at that moment', async () => {
    await postForm(`${sandbox.url}/mfasetup`, { objectId: PLAYGROUND_USER_ID });
    expect((await signInsOf(PLAYGROUND_USER_ID))[0]).toMatchObject({ kind: 'mfa', at: NOW.toISOString(), method: 'Mobile app notification' });
  });
});
