import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { contosoObjectId, PARTNER_TENANT_ID, PLAYGROUND_USER_ID, startSandbox, type SandboxHandle, type SandboxStateSnapshot } from '../../sandbox';
import { getJson, http, postForm, postJson } from './helpers';

const NOW = new Date('2026-11-21T12:00:00.000Z');

describe('sandbox control API and pages', () => {
  let sandbox: SandboxHandle;

  beforeAll(async () => {
    sandbox = await startSandbox({ now: () => NOW });
  });
  afterAll(async () => {
    await sandbox.stop();
  });
  beforeEach(() => sandbox.control.reset());

  const state = async (): Promise<SandboxStateSnapshot> => (await getJson<SandboxStateSnapshot>(`${sandbox.url}/_sandbox/state`)).body;

  it('when things change and the sandbox is reset, then seed, config, faults and logs come back', async () => {
    const seeded = await state();
    await postJson(`${sandbox.url}/_sandbox/config`, { pageSize: 3, premium: false });
    await postJson(`${sandbox.url}/_sandbox/faults`, { target: 'graph', kind: 'throttle' });
    await postJson(`${sandbox.url}/_sandbox/records`, [{ objectId: 'x-1', upn: 'x@y.example', tenantId: PARTNER_TENANT_ID }]);
    await http(`${sandbox.url}/pc/v1/nonMfaCompliantPartnerPrincipals`);

    const changed = await state();
    expect(changed.recordCount).toBe(seeded.recordCount + 1);
    expect(changed.faults).toHaveLength(1);
    expect(changed.requestCount).toBe(1);
    expect((await postJson(`${sandbox.url}/_sandbox/reset`, {})).status).toBe(200);

    const after = await state();
    expect(after.config).toEqual(seeded.config);
    expect(after.faults).toEqual([]);
    expect(after.requestCount).toBe(0);
    expect(after.recordCount).toBe(seeded.recordCount);
    expect(after.principals).toEqual(seeded.principals);
  });

  it('when records are replaced over HTTP, then only those are stored and their principals become directory users', async () => {
    const records = [
      { objectId: 'p-1', tenantId: PARTNER_TENANT_ID, upn: 'p.one@contoso-partner.example', lastNonMfaCompliantLoginDateTime: '2026-11-21T10:00:00.000' },
      { objectId: 'p-1', tenantId: PARTNER_TENANT_ID, upn: 'p.one@contoso-partner.example', lastNonMfaCompliantRequestDateTime: '2026-11-21T11:00:00.000' },
    ];

    const res = await postJson<{ recordCount: number }>(`${sandbox.url}/_sandbox/records`, { records }, {}, 'PUT');

    expect(res.body.recordCount).toBe(2);
    const snapshot = await state();
    expect(snapshot.principals).toEqual([
      expect.objectContaining({ objectId: 'p-1', recordCount: 2, lastNonMfaAt: '2026-11-21T11:00:00.000Z', isMfaRegistered: false }),
    ]);
    expect(snapshot.users.some((u) => u.objectId === 'p-1' && u.userPrincipalName === 'p.one@contoso-partner.example')).toBe(true);
  });

  it('when a record has no objectId or the body is bad, then the control API answers 400 invalid_request', async () => {
    const missing = await postJson<{ error: { code: string } }>(`${sandbox.url}/_sandbox/records`, [{ upn: 'a@b' }]);
    const broken = await http(`${sandbox.url}/_sandbox/records`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[{' });
    const badFault = await postJson<{ error: { code: string } }>(`${sandbox.url}/_sandbox/faults`, { target: 'pc', kind: 'throttle' });

    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('invalid_request');
    expect(broken.status).toBe(400);
    expect(badFault.status).toBe(400);
  });

  it('when generating the benchmark data twice with the same clock, then the records are identical and all inside the window', async () => {
    const first = await postJson<{ records: number; principals: number }>(`${sandbox.url}/_sandbox/generate`, { records: 10_000, principals: 1000 });
    const a = sandbox.control.records();
    sandbox.control.generate({ records: 10_000, principals: 1000 });
    const b = sandbox.control.records();

    expect(first.body).toEqual({ records: 10_000, principals: 1000 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(new Set(a.map((r) => r['objectId'])).size).toBe(1000);
    const oldest = Math.min(...a.map((r) => Date.parse(`${String(r['lastNonMfaCompliantLoginDateTime'] ?? r['lastNonMfaCompliantRequestDateTime'])}Z`)));
    expect(NOW.getTime() - oldest).toBeLessThan(7 * 24 * 3600_000);
  });

  it('when a registration disagrees with its methods or the user is unknown, then it is refused', async () => {
    const inconsistent = await postJson<{ error: { code: string } }>(`${sandbox.url}/_sandbox/users/${PLAYGROUND_USER_ID}/registration`, { isMfaRegistered: true, methods: ['email'] });
    const unknown = await postJson<{ error: { code: string } }>(`${sandbox.url}/_sandbox/users/nobody/registration`, { isMfaRegistered: true });

    expect(inconsistent.status).toBe(400);
    expect(inconsistent.body.error.code).toBe('inconsistent_registration');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('user_not_found');
  });

  it('when a non-MFA record is added for a user, then the user reappears with a record at now', async () => {
    const before = sandbox.control.state().principals.find((p) => p.objectId === PLAYGROUND_USER_ID);

    const res = await postJson<Record<string, string>>(`${sandbox.url}/_sandbox/users/${PLAYGROUND_USER_ID}/nonMfaRecord`, {});

    expect(res.status).toBe(201);
    const after = sandbox.control.state().principals.find((p) => p.objectId === PLAYGROUND_USER_ID);
    expect(after?.recordCount).toBe((before?.recordCount ?? 0) + 1);
    expect(after?.lastNonMfaAt).toBe(NOW.toISOString());
  });

  it('when there is no pending device code, then approving answers 404 no_pending_device_code', async () => {
    const res = await postJson<{ error: { code: string } }>(`${sandbox.url}/_sandbox/devicecodes/approve`, { mfa: true });

    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('no_pending_device_code');
  });

  it('when a manager is set, then Graph-facing state shows it', async () => {
    const res = await postJson<{ managerId: string }>(`${sandbox.url}/_sandbox/users/${contosoObjectId(9)}/manager`, { managerId: contosoObjectId(0) });

    expect(res.body.managerId).toBe(contosoObjectId(0));
  });

  it('when a UPN contains markup, then the overview page escapes it and keeps the control buttons', async () => {
    sandbox.control.appendRecords([{ objectId: 'evil-1', tenantId: PARTNER_TENANT_ID, upn: '<script>alert(1)</script>@x.example', lastNonMfaCompliantLoginDateTime: '2026-11-21T11:00:00.000' }]);
    sandbox.control.addFault({ target: 'partnerCenter', kind: 'throttle', times: 2 });

    const page = await http(`${sandbox.url}/`);

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;@x.example');
    expect(page.text).toContain('alexw@example.com');
    expect(page.text).toContain('Register MFA');
    expect(page.text).toContain('Add non-MFA record');
    expect(page.text).toContain('Clear all faults');
    expect(page.text).toContain('2 more');
  });

  it('when a user completes MFA registration on /mfasetup, then Graph-facing state says registered and the Playground user is listed first', async () => {
    const before = await http(`${sandbox.url}/mfasetup`);
    const firstRow = before.text.indexOf('Complete MFA registration');
    expect(before.text.indexOf('alexw@example.com')).toBeLessThan(firstRow);

    const res = await postForm(`${sandbox.url}/mfasetup`, { objectId: PLAYGROUND_USER_ID });

    expect(res.status).toBe(303);
    const alex = sandbox.control.state().users.find((u) => u.objectId === PLAYGROUND_USER_ID);
    expect(alex).toMatchObject({ isMfaRegistered: true, methods: ['microsoftAuthenticatorPush'] });
    const done = await http(`${sandbox.url}${res.headers.get('location') ?? ''}`);
    expect(done.text).toContain('MFA registration completed for Alex Wilber');
  });

  it('when the CLI is started and gets SIGTERM, then it logs its URL, serves, and exits 0', async () => {
    const root = resolve(__dirname, '../..');
    const child = spawn(process.execPath, ['--import', 'tsx', 'sandbox/main.ts', '--port', '0', '--seed', 'empty'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const url = await new Promise<string>((ok, fail) => {
      child.stdout.on('data', (d: Buffer) => {
        output += d.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match?.[1] !== undefined) ok(match[1]);
      });
      child.once('exit', (code) => fail(new Error(`CLI exited early (${String(code)}): ${output}`)));
    });

    const served = await getJson<SandboxStateSnapshot>(`${url}/_sandbox/state`);
    const exit = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    child.kill('SIGTERM');

    expect(served.body.recordCount).toBe(0);
    expect(await exit).toBe(0);
  });
});
