import { createHash } from 'node:crypto';
import { PLAYGROUND_USERS, PARTNER_TENANT_ID, formatPartnerCenterTime, LOGIN_TIME_FIELD } from '../../sandbox';
import { BILLING_SERVICE_ACCOUNT } from '../../sandbox/integrations';
import { withoutExcluded } from '../../src/app/exclusions';
import { startBotHarness, type BotHarness } from '../support/bot-harness';
import { parseCsv } from '../app/csv-parse';
import { ensureTabBuilt } from '../support/tab-build';

/**
 * The Compliance tab's API through the real server: tokens signed by the sandbox's Entra (its
 * JWKS over HTTP), storage on Azurite, roles from the id lists and the sandbox Graph's groups.
 */

const [ALEX, MEGAN] = PLAYGROUND_USERS;
const APPROVER_GROUP = 'c0000000-0000-4000-8000-00000000a001';
const HOSTILE_UPN = '=HYPERLINK("https://evil.example","x")@contoso-partner.example';
const HOSTILE_ID = 'd0000000-0000-4000-8000-0000000000e1';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked by the assertions themselves
type Json = Record<string, any>;

let h: BotHarness;
/** Another non-compliant account (not Alex, Megan or the hostile one), picked after the first sync. */
const ADELE = { objectId: '' };

async function control(path: string, body: unknown, method = 'POST'): Promise<Record<string, unknown>> {
  const response = await fetch(`${h.sandbox.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

async function tabToken(oid: string, extra: Record<string, unknown> = {}): Promise<string> {
  return (await control('/_sandbox/tokens/tab', { oid, ...extra }))['token'] as string;
}

async function api(path: string, token: string | undefined, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${h.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, headers: response.headers, text, json: type.includes('json') ? (JSON.parse(text) as Json) : undefined };
}

async function auditEntries(admin: string) {
  return ((await api('/api/dashboard/audit?limit=1000', admin)).json?.['admin'] ?? []) as { action: string; target?: string; correlationId: string; actorId: string; note?: string }[];
}

beforeAll(async () => {
  h = await startBotHarness({ env: { ADMIN_AAD_OBJECT_IDS: ALEX.objectId, APPROVER_AAD_OBJECT_IDS: ALEX.objectId, APPROVER_GROUP_ID: APPROVER_GROUP } });
  await control('/_sandbox/records', [{ objectId: HOSTILE_ID, tenantId: PARTNER_TENANT_ID, upn: HOSTILE_UPN, [LOGIN_TIME_FIELD]: formatPartnerCenterTime(Date.parse('2026-11-30T10:00:00Z')) }]);
  await h.connect();
  const run = await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
  expect(run.outcome).toBe('succeeded');
  const listed = await api('/api/dashboard/principals?status=nonCompliant&sort=upn&pageSize=200', await tabToken(ALEX.objectId));
  const other = (listed.json?.['rows'] as { objectId: string }[]).find((r) => ![ALEX.objectId, MEGAN.objectId, HOSTILE_ID].includes(r.objectId));
  ADELE.objectId = other?.objectId ?? '';
  expect(ADELE.objectId).not.toBe('');
});

afterAll(async () => {
  await h?.stop();
});

describe('the tab page', () => {
  it('when the page is asked for, then it is served with a frame-ancestors policy for Teams; paths outside it are 404', async () => {
    ensureTabBuilt();
    const page = await fetch(`${h.url}/tab/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain('frame-ancestors');
    expect(page.headers.get('content-security-policy')).toContain('https://teams.microsoft.com');
    for (const path of ['/tab/..%2f..%2fpackage.json', '/tab/%2e%2e/%2e%2e/package.json', '/tab/assets/nope.js']) {
      expect({ path, status: (await fetch(`${h.url}${path}`)).status }).toEqual({ path, status: 404 });
    }
  });
});

describe('tab token validation (sandbox JWKS)', () => {
  it('when the token is valid, then /me answers with the signed-in user', async () => {
    const res = await api('/api/dashboard/me', await tabToken(ALEX.objectId));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ user: { oid: ALEX.objectId }, roles: { admin: true }, listed: true, row: { objectId: ALEX.objectId } });
  });

  it('when there is no token, then 401 with a Bearer challenge', async () => {
    const res = await api('/api/dashboard/me', undefined);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(res.json).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it.each([
    ['expired', { expiresInSeconds: -3600 }],
    ['for another audience', { audience: 'api://elsewhere.example/other-app' }],
    ['for another tenant', { tenantId: 'e0000000-0000-4000-8000-000000000999' }],
  ])('when the token is %s, then 401', async (_name, extra) => {
    const res = await api('/api/dashboard/me', await tabToken(ALEX.objectId, extra));
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('when the token is unsigned (alg none) or its signature altered, then 401', async () => {
    const valid = await tabToken(ALEX.objectId);
    const [, payload, signature] = valid.split('.') as [string, string, string];
    const none = `${Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'none' })).toString('base64url')}.${payload}.`;
    const forged = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const altered = `${valid.split('.')[0]}.${Buffer.from(JSON.stringify({ ...forged, oid: MEGAN.objectId })).toString('base64url')}.${signature}`;
    for (const token of [none, altered, 'not-a-jwt', createHash('sha256').update('x').digest('hex')]) {
      expect((await api('/api/dashboard/me', token)).status).toBe(401);
    }
  });

  it('when a non-admin calls an admin route, then 403; their own status still answers', async () => {
    const megan = await tabToken(MEGAN.objectId);
    for (const path of ['/api/dashboard/summary', '/api/dashboard/principals', '/api/dashboard/exceptions', '/api/dashboard/audit']) {
      const res = await api(path, megan);
      expect({ path, status: res.status, code: res.json?.['code'] as unknown }).toEqual({ path, status: 403, code: 'NOT_ADMIN' });
    }
    const me = await api('/api/dashboard/me', megan);
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ user: { oid: MEGAN.objectId }, roles: { admin: false } });
    expect(me.json).toMatchObject({ row: { objectId: MEGAN.objectId } });
    const bulk = await api('/api/dashboard/actions/exclude', megan, { method: 'POST', body: { objectIds: [ADELE.objectId], reason: 'x', until: '2099-01-01T00:00:00Z' } });
    expect(bulk.status).toBe(403);
  });
});

describe('the who-list', () => {
  it('when filtered, searched and paged, then pages are disjoint, stable and add up to the total', async () => {
    const admin = await tabToken(ALEX.objectId);
    const all = await api('/api/dashboard/principals?status=open&sort=upn&pageSize=200', admin);
    expect(all.status).toBe(200);
    const total = all.json?.['total'] as number;
    expect(total).toBeGreaterThan(10);
    const seen: string[] = [];
    for (let page = 1; page <= Math.ceil(total / 7); page++) {
      const res = await api(`/api/dashboard/principals?status=open&sort=upn&pageSize=7&page=${page}`, admin);
      seen.push(...(res.json?.['rows'] as { objectId: string }[]).map((r) => r.objectId));
    }
    expect(seen).toEqual((all.json?.['rows'] as { objectId: string }[]).map((r) => r.objectId));
    const upns = (all.json?.['rows'] as { upn: string }[]).map((r) => r.upn);
    expect(upns).toEqual([...upns].sort((a, b) => a.localeCompare(b)));

    const search = await api(`/api/dashboard/principals?q=${encodeURIComponent('MEGANB@')}`, admin);
    expect((search.json?.['rows'] as { objectId: string }[]).map((r) => r.objectId)).toEqual([MEGAN.objectId]);
  });

  it('when a query parameter is out of range, then 400 naming it', async () => {
    const admin = await tabToken(ALEX.objectId);
    for (const q of ['status=bogus', 'pageSize=0', 'pageSize=5000', 'sort=password', 'reachable=maybe', `q=${'x'.repeat(300)}`]) {
      const res = await api(`/api/dashboard/principals?${q}`, admin);
      expect({ q, status: res.status, code: res.json?.['code'] as unknown }).toEqual({ q, status: 400, code: 'INPUT_INVALID' });
    }
  });

  it('when downloaded as CSV, then every matching row is there, formulas neutralised, and the export is audited', async () => {
    const admin = await tabToken(ALEX.objectId);
    const res = await api('/api/dashboard/principals?format=csv&status=nonCompliant', admin);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="mfa-shepherd-principals-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = parseCsv(res.text.replace(/^\uFEFF/, ''));
    const json = await api('/api/dashboard/principals?status=nonCompliant&pageSize=200', admin);
    expect(rows.length - 1).toBe(json.json?.['total']);
    const hostile = rows.find((r) => r[0] === HOSTILE_ID);
    expect(hostile?.[1]).toBe(`'${HOSTILE_UPN}`);
    const audit = await auditEntries(admin);
    expect(audit.find((e) => e.action === 'export.principals')).toMatchObject({ actorId: ALEX.objectId });
  });
});

describe('the integration behind an account', () => {
  it('when an app called Partner Center without MFA as an account, then its row (and its CSV line) names the app', async () => {
    const admin = await tabToken(ALEX.objectId);
    const res = await api(`/api/dashboard/principals?q=${encodeURIComponent(BILLING_SERVICE_ACCOUNT.userPrincipalName)}`, admin);
    expect(res.status).toBe(200);
    const row = (res.json?.['rows'] as Json[]).find((r) => r['objectId'] === BILLING_SERVICE_ACCOUNT.objectId);
    expect(row?.['integrations']).toEqual([expect.objectContaining({ name: 'Billing Export Script', applicationId: 'a1b2c3d4-0000-4000-8000-00000000a002' })]);
    const megan = (await api(`/api/dashboard/principals?q=${encodeURIComponent(MEGAN.objectId)}`, admin)).json?.['rows'] as Json[];
    expect(megan.find((r) => r['objectId'] === MEGAN.objectId)?.['integrations']).toEqual([expect.objectContaining({ name: 'CSP Provisioning Tool' })]);
    const alex = (await api(`/api/dashboard/principals?q=${encodeURIComponent(ALEX.objectId)}`, admin)).json?.['rows'] as Json[];
    expect(alex.find((r) => r['objectId'] === ALEX.objectId)?.['integrations']).toBeUndefined();
    const csv = parseCsv((await api(`/api/dashboard/principals?format=csv&q=${encodeURIComponent(BILLING_SERVICE_ACCOUNT.userPrincipalName)}`, admin)).text.replace(/^\uFEFF/, ''));
    const column = csv[0]?.indexOf('integrations') ?? -1;
    expect(csv.find((r) => r[0] === BILLING_SERVICE_ACCOUNT.objectId)?.[column]).toBe('Billing Export Script (a1b2c3d4-0000-4000-8000-00000000a002)');
  });
});

describe('bulk actions, each audited', () => {
  it('when an admin excludes two accounts, then both show as excluded with the reason, each has an audit entry under one correlation id, and the sweeps skip them', async () => {
    const admin = await tabToken(ALEX.objectId);
    const until = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const res = await api('/api/dashboard/actions/exclude', admin, { method: 'POST', body: { objectIds: [ADELE.objectId, HOSTILE_ID], reason: 'Break-glass account', until } });
    expect(res.status).toBe(200);
    expect(res.json?.['done']).toEqual([ADELE.objectId, HOSTILE_ID]);
    const excluded = await api('/api/dashboard/principals?excluded=yes', admin);
    expect((excluded.json?.['rows'] as { objectId: string; exclusion: { reason: string } }[]).map((r) => [r.objectId, r.exclusion.reason]).sort()).toEqual(
      [[ADELE.objectId, 'Break-glass account'], [HOSTILE_ID, 'Break-glass account']].sort(),
    );
    const entries = (await auditEntries(admin)).filter((e) => e.action === 'exclusion.add');
    expect(entries.map((e) => e.target).sort()).toEqual([ADELE.objectId, HOSTILE_ID].sort());
    expect(new Set(entries.map((e) => e.correlationId))).toEqual(new Set([res.json?.['correlationId']]));

    const shepherded = await withoutExcluded(h.shepherd.storage.principals, h.shepherd.storage.exclusions, h.shepherd.deps.clock).listAll(PARTNER_TENANT_ID);
    expect(shepherded.map((p) => p.objectId)).not.toContain(ADELE.objectId);
    expect(shepherded.map((p) => p.objectId)).toContain(MEGAN.objectId);
  });

  it('when an exclusion has no reason or a past expiry, then 400 and nothing is written', async () => {
    const admin = await tabToken(ALEX.objectId);
    const before = (await auditEntries(admin)).length;
    for (const body of [
      { objectIds: [MEGAN.objectId], reason: '   ', until: '2099-01-01T00:00:00Z' },
      { objectIds: [MEGAN.objectId], reason: 'ok', until: '2001-01-01T00:00:00Z' },
      { objectIds: [MEGAN.objectId], reason: 'ok', until: 'tomorrow' },
      { objectIds: 'everyone', reason: 'ok', until: '2099-01-01T00:00:00Z' },
      '{"objectIds": [',
    ]) {
      const res = await api('/api/dashboard/actions/exclude', admin, { method: 'POST', body });
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    expect((await auditEntries(admin)).length).toBe(before);
    const megan = await api(`/api/dashboard/principals?q=${MEGAN.objectId}`, admin);
    expect((megan.json?.['rows'] as { exclusion?: unknown }[])[0]?.exclusion).toBeUndefined();
  });

  it('when an admin reminds a list now, then the listed get a reminder through the outbox, the excluded are skipped, and each reminder is audited', async () => {
    const meganUser = { aadObjectId: MEGAN.objectId, name: MEGAN.displayName, tenantId: PARTNER_TENANT_ID };
    await h.post(h.a.install(meganUser));
    await h.settle();
    h.connector.clear();
    const admin = await tabToken(ALEX.objectId);
    const res = await api('/api/dashboard/actions/remind', admin, { method: 'POST', body: { objectIds: [MEGAN.objectId, ADELE.objectId, 'no-such-user'] } });
    expect(res.status).toBe(200);
    expect(res.json?.['done']).toEqual([MEGAN.objectId]);
    expect(res.json?.['skipped']).toEqual([
      { objectId: ADELE.objectId, why: 'excluded' },
      { objectId: 'no-such-user', why: 'not on the list' },
    ]);
    const entries = (await auditEntries(admin)).filter((e) => e.action === 'remind.now');
    expect(entries).toEqual([expect.objectContaining({ target: MEGAN.objectId, correlationId: res.json?.['correlationId'] as unknown })]);
    await h.settle();
    const sent = h.connector.sent.filter((s) => s.conversationId === h.a.conversationId(meganUser)).map((s) => JSON.stringify(s.activity));
    expect(sent).toEqual([expect.stringMatching(/Reminder 1/)]);
  });

  it('when an admin ends an exclusion, then the account is shepherded again and the end is audited', async () => {
    const admin = await tabToken(ALEX.objectId);
    const res = await api('/api/dashboard/actions/end-exclusion', admin, { method: 'POST', body: { objectId: ADELE.objectId } });
    expect(res.status).toBe(200);
    const again = await api('/api/dashboard/actions/end-exclusion', admin, { method: 'POST', body: { objectId: ADELE.objectId } });
    expect(again.status).toBe(404);
    expect((await auditEntries(admin)).filter((e) => e.action === 'exclusion.end').map((e) => e.target)).toEqual([ADELE.objectId]);
    const adele = await api(`/api/dashboard/principals?q=${ADELE.objectId}`, admin);
    expect((adele.json?.['rows'] as { exclusion?: unknown }[])[0]?.exclusion).toBeUndefined();
  });

  it('when the audit is downloaded as CSV, then it lists the actions and the download itself is audited', async () => {
    const admin = await tabToken(ALEX.objectId);
    const res = await api('/api/dashboard/audit?format=csv', admin);
    expect(res.status).toBe(200);
    const rows = parseCsv(res.text.replace(/^\uFEFF/, ''));
    expect(rows[0]).toEqual(['at', 'actorId', 'action', 'channel', 'target', 'from', 'to', 'correlationId', 'note']);
    expect(rows.map((r) => r[2])).toEqual(expect.arrayContaining(['exclusion.add', 'exclusion.end', 'remind.now', 'export.principals']));
    expect((await auditEntries(admin)).filter((e) => e.action === 'export.audit')).toHaveLength(1);
  });
});

describe('admin actions in chat are audited too', () => {
  it('when an admin pauses and resumes nudges and syncs in chat, then each is in the admin audit, the sync with its run correlation id', async () => {
    const alex = { aadObjectId: ALEX.objectId, name: ALEX.displayName, tenantId: PARTNER_TENANT_ID };
    for (const text of ['pause nudges', 'resume nudges', 'sync now']) {
      expect((await h.post(h.a.message(alex, text))).status).toBe(200);
      await h.settle();
    }
    const entries = await auditEntries(await tabToken(ALEX.objectId));
    const chat = entries.filter((e) => ['nudges.pause', 'nudges.resume', 'sync.now'].includes(e.action));
    expect(chat.map((e) => e.action)).toEqual(['sync.now', 'nudges.resume', 'nudges.pause']);
    const latest = await h.shepherd.storage.syncRuns.latest(PARTNER_TENANT_ID, 1);
    expect(chat[0]?.correlationId).toBe(latest[0]?.correlationId);
  });
});

describe('roles from Entra groups', () => {
  it('when a user is added to the approver group in Graph, then after a refresh (no restart) they are an approver in chat and in the tab', async () => {
    const isApprover = (id: string) => h.shepherd.isApprover(id);
    expect(isApprover(MEGAN.objectId)).toBe(false);
    await control(`/_sandbox/groups/${APPROVER_GROUP}/members`, { objectId: MEGAN.objectId });
    const admin = await tabToken(ALEX.objectId);
    const refreshed = await api('/api/dashboard/roles/refresh', admin, { method: 'POST', body: {} });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json).toMatchObject({ failed: [] });
    expect(isApprover(MEGAN.objectId)).toBe(true);
    const me = await api('/api/dashboard/me', await tabToken(MEGAN.objectId));
    expect(me.json?.['roles']).toEqual({ admin: false, approver: true });
    expect((await auditEntries(admin)).filter((e) => e.action === 'roles.refresh')).toHaveLength(1);

    // Graph failing: the last members read stay (nobody loses or gains a role by an outage).
    await control('/_sandbox/faults', { target: 'graph', kind: 'serverError', times: 20 });
    const failed = await api('/api/dashboard/roles/refresh', admin, { method: 'POST', body: {} });
    expect(failed.json).toMatchObject({ failed: [{ groupId: APPROVER_GROUP, code: 'GRAPH_UNAVAILABLE' }] });
    expect(isApprover(MEGAN.objectId)).toBe(true);
    await fetch(`${h.sandbox.url}/_sandbox/faults`, { method: 'DELETE' });

    await control(`/_sandbox/groups/${APPROVER_GROUP}/members/${MEGAN.objectId}`, {}, 'DELETE');
    await api('/api/dashboard/roles/refresh', admin, { method: 'POST', body: {} });
    expect(isApprover(MEGAN.objectId)).toBe(false);
  });
});
