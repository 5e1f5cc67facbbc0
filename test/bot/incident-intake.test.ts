/**
 * POST /api/incidents against the real server: per-integration keys created and revoked in Teams,
 * 202 with an incident id, alerts to the owner and the admins once per app and hour (a fixed clock
 * moved by hand), and every hostile request refused with a 4xx and nothing stored.
 */
import { PARTNER_TENANT_ID } from '../../sandbox';
import { FixedClock } from '../../src/domain/clock';
import type { TestUser } from '../support/activities';
import { ADMIN, startBotHarness, type BotHarness } from '../support/bot-harness';
import { textOf } from '../support/connector';

const OWNER: TestUser = { aadObjectId: 'owner-0002', name: 'Omar Owner', tenantId: PARTNER_TENANT_ID };
const START = '2026-11-21T12:05:00.000Z';

describe('incident intake', () => {
  let h: BotHarness;
  const clock = new FixedClock(START);
  let secret = '';
  let key = '';

  beforeAll(async () => {
    h = await startBotHarness({ overrides: { clock, intakeRate: { perSecond: 1, burst: 12 } } });
    for (const user of [ADMIN, OWNER]) await h.post(h.a.message(user, 'help'));
    await h.post(h.a.message(ADMIN, 'integration add Quarterly Rebate Script'));
    await h.post(h.a.execute(ADMIN, 'int.save', { key: 'manual:quarterly-rebate-script', ownerId: OWNER.aadObjectId, ownerName: OWNER.name }));
    await h.post(h.a.message(ADMIN, 'incident key create Rebate pipeline'));
    const reply = h.connector.sent.filter((s) => s.conversationId === h.a.conversationId(ADMIN)).map(textOf).find((t) => t.includes('Shown once'))!;
    secret = /msk_[a-f0-9]{12}_[\w-]+/.exec(reply)![0];
    key = secret.split('_')[1]!;
    await h.settle();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const incident = (over: Record<string, unknown> = {}) => ({ name: 'Quarterly Rebate Script', status: 401, errorCode: '900421', correlationId: 'c-1', operationName: 'Get /v1/rebates', occurredAt: '2026-11-21T12:00:00Z', ...over });
  const post = async (body: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${h.url}/api/incidents`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}`, ...headers }, body });
    return { status: response.status, body: (await response.text()) || '' };
  };
  const stored = () => h.shepherd.deps.integrations!.incidents.recent(ADMIN.aadObjectId, 100);
  const alertsTo = (user: TestUser) => h.connector.sent.filter((s) => s.conversationId === h.a.conversationId(user) && /^Incident INC-/.test(s.activity.summary ?? ''));

  it('when the key is stored, then only its hash is kept', async () => {
    const [k] = await h.shepherd.deps.integrations!.incidents.listKeys(ADMIN.aadObjectId);
    expect(k?.id).toBe(key);
    expect(JSON.stringify(k)).not.toContain(secret.split('_')[2]);
  });

  it('when hostile requests arrive, then each gets a clear 4xx and nothing is stored', async () => {
    const cases: [string, Promise<{ status: number; body: string }>, number][] = [
      ['no key', post(JSON.stringify(incident()), { authorization: '' }), 401],
      ['wrong key', post(JSON.stringify(incident()), { authorization: `Bearer ${secret.slice(0, -4)}AAAA` }), 401],
      ['unknown key id', post(JSON.stringify(incident()), { authorization: `Bearer msk_000000000000_${'x'.repeat(32)}` }), 401],
      ['bad JSON', post('{"name": "x", "status": 4'), 400],
      ['an array (JSON, but not one incident object)', post('[1,2]'), 400],
      ['missing app', post(JSON.stringify(incident({ name: undefined }))), 400],
      ['bad status', post(JSON.stringify(incident({ status: 'teapot' }))), 400],
      ['bad date', post(JSON.stringify(incident({ occurredAt: 'yesterday' }))), 400],
      ['unknown field', post(JSON.stringify(incident({ password: 'x' }))), 400],
      ['oversized', post(JSON.stringify(incident({ operationName: 'x'.repeat(9000) }))), 413],
      ['far oversized', post(JSON.stringify(incident({ operationName: 'x'.repeat(2 * 1024 * 1024) }))), 413],
    ];
    for (const [what, answer, expected] of cases) {
      const { status, body } = await answer;
      expect([what, status]).toEqual([what, expected]);
      if (status !== 413) expect(body.length).toBeGreaterThan(0);
    }
    expect(await stored()).toEqual([]);
  });

  it('when a valid key posts, then 202 with an incident id, and the owner and the admins are alerted once in the hour', async () => {
    const first = await post(JSON.stringify(incident()));
    expect(first.status).toBe(202);
    const { incidentId } = JSON.parse(first.body) as { incidentId: string };
    expect(incidentId).toMatch(/^INC-/);
    clock.advance(20 * 60_000);
    const second = await post(JSON.stringify(incident({ correlationId: 'c-2' })));
    expect(second.status).toBe(202);
    await h.settle();
    expect((await stored()).map((x) => x.correlationId).sort()).toEqual(['c-1', 'c-2']);
    expect(alertsTo(OWNER)).toHaveLength(1);
    expect(alertsTo(ADMIN)).toHaveLength(1);
    expect(textOf(alertsTo(OWNER)[0]!)).toContain(incidentId);

    clock.advance(60 * 60_000); // the next hour: a new alert
    expect((await post(JSON.stringify(incident({ correlationId: 'c-3' })))).status).toBe(202);
    await h.settle();
    expect(alertsTo(OWNER)).toHaveLength(2);
    expect(alertsTo(ADMIN)).toHaveLength(2);
  });

  it('when a key posts faster than its rate, then 429 with Retry-After and the excess is not stored', async () => {
    const before = (await stored()).length;
    const answers = await Promise.all(Array.from({ length: 15 }, (_, i) => post(JSON.stringify(incident({ correlationId: `burst-${i}` })))));
    const accepted = answers.filter((a) => a.status === 202).length;
    expect(answers.filter((a) => a.status === 429)).toHaveLength(15 - accepted);
    expect(accepted).toBeLessThan(15);
    expect((await stored()).length).toBe(before + accepted);
    clock.advance(60_000);
  });

  it('when an admin revokes the key, then it gets 401 and nothing more is stored', async () => {
    await h.post(h.a.message(ADMIN, `incident key revoke ${key}`));
    const before = (await stored()).length;
    const answer = await post(JSON.stringify(incident()));
    expect(answer.status).toBe(401);
    expect((await stored()).length).toBe(before);
  });
});
