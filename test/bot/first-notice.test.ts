import { PLAYGROUND_USER_ID, PARTNER_TENANT_ID } from '../../sandbox';
import { FixedClock } from '../../src/domain/clock';
import type { TestUser } from '../support/activities';
import { startBotHarness, type BotHarness } from '../support/bot-harness';
import { cardActions, cardText } from '../support/connector';

const ALEX: TestUser = { aadObjectId: PLAYGROUND_USER_ID, name: 'Alex Wilber', tenantId: PARTNER_TENANT_ID, timezone: 'America/New_York' };

const isFirstNotice = (card: Record<string, unknown>) => /Partner Center saw requests from you without MFA/.test(cardText(card));

/** "17:33 GMT-5": the hour and zone New York shows for `at`. */
function newYorkTime(at: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'shortOffset' }).formatToParts(at);
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}

describe('first notice', () => {
  let h: BotHarness;
  // The bot and the sandbox share a fixed clock (a Monday in November, New York on EST), so the
  // records and the zone shown do not depend on the day the suite runs.
  const clock = new FixedClock('2026-11-23T15:00:00Z');
  beforeEach(async () => {
    clock.set(new Date('2026-11-23T15:00:00Z'));
    h = await startBotHarness({ overrides: { clock }, sandboxNow: () => clock.now() });
  });
  afterEach(async () => {
    await h.stop();
  });

  it('when a listed user installs the app after a sync, then they get one first notice card with its four buttons', async () => {
    await h.connect();
    const run = await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
    expect(run.outcome).toBe('succeeded');
    expect(run.counts?.listed).toBeGreaterThan(20);

    const response = await h.post(h.a.membersAdded(ALEX));
    expect(response.status).toBe(200);
    await h.settle();

    const cards = h.connector.cards(h.a.conversationId(ALEX));
    expect(cards).toHaveLength(1);
    const text = cardText(cards[0]);
    expect(isFirstNotice(cards[0]!)).toBe(true);
    expect(text).toMatch(/Hi Alex Wilber/);
    // Shown in the user's own time zone: the UTC time Partner Center reported, as New York reads it.
    const reportedUtc = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/.exec(text)?.[0];
    expect(reportedUtc).toBeDefined();
    expect(newYorkTime(new Date(reportedUtc!))).toMatch(/ GMT-5$/);
    expect(text).toContain(newYorkTime(new Date(reportedUtc!)));
    expect(cardActions(cards[0]).map((a) => a.title)).toEqual(['Set up MFA now', 'I already use MFA', 'Why am I seeing this?', 'MFA is technically impossible for me']);
  });

  it('when the install event is delivered again and the bot restarts, then the user still has exactly one first notice', async () => {
    await h.connect();
    await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
    const install = h.a.membersAdded(ALEX);
    await h.post(install);
    await h.post(install); // Teams redelivery: same activity id
    await h.post(h.a.message(ALEX, 'help')); // a new activity: must not resend the notice
    await h.settle();
    await h.restart();
    await h.post(h.a.message(ALEX, 'status'));
    await h.settle();
    await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
    await h.shepherd.deps.notices.sweep(); // and the sweep after the next sync sends nothing new
    await h.settle();
    const notices = h.connector.cards(h.a.conversationId(ALEX)).filter(isFirstNotice);
    expect(notices).toHaveLength(1);
  });

  it('when the sync runs after the user installed, then the sweep sends the notice', async () => {
    await h.post(h.a.message(ALEX, 'hello'));
    await h.settle();
    expect(h.connector.cards(h.a.conversationId(ALEX)).some(isFirstNotice)).toBe(false);
    await h.connect();
    await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
    const tally = await h.shepherd.deps.notices.sweep();
    expect(tally.queued).toBe(1); // Alex: the only listed user with a chat
    expect(tally.unreachable).toBeGreaterThan(20); // everyone else: not installed, no catalog id
    await h.settle();
    expect(h.connector.cards(h.a.conversationId(ALEX)).filter(isFirstNotice)).toHaveLength(1);
    const ledger = await h.shepherd.storage.notices.list(PARTNER_TENANT_ID);
    expect(ledger.filter((n) => n.kind === 'first').map((n) => [n.objectId, n.status])).toEqual([[ALEX.aadObjectId, 'sent']]);
    const marked = await h.shepherd.storage.contacts.listUnreachable(PARTNER_TENANT_ID);
    expect(marked.length).toBe(tally.unreachable);

    // The next sweep finds the same people unreachable and writes nothing new for them.
    const before = new Map(marked.map((c) => [c.aadObjectId, c.etag]));
    await h.shepherd.deps.notices.sweep();
    const after = await h.shepherd.storage.contacts.listUnreachable(PARTNER_TENANT_ID);
    expect(after.every((c) => before.get(c.aadObjectId) === c.etag)).toBe(true);
  });

  it('when a user Partner Center does not list installs, then both install events together produce one welcome', async () => {
    const stranger: TestUser = { aadObjectId: 'not-listed-user', name: 'Nora Newcomer', tenantId: PARTNER_TENANT_ID };
    await Promise.all([h.post(h.a.install(stranger)), h.post(h.a.membersAdded(stranger))]);
    await h.post(h.a.install(stranger)); // a page reload: new activity ids again
    await h.settle();
    const cards = h.connector.cards(h.a.conversationId(stranger));
    expect(cards).toHaveLength(1);
    expect(cardText(cards[0])).toMatch(/Welcome|MFA Shepherd/);
    expect(cards.filter(isFirstNotice)).toHaveLength(0);
  });

  it('when Partner Center once answers with an empty list, then users are resolved and come back without a second notice', async () => {
    await h.connect();
    await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
    await h.post(h.a.membersAdded(ALEX));
    await h.settle();
    const seeded = h.sandbox.control.records();

    h.sandbox.control.replaceRecords([]);
    const empty = await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
    expect(empty.counts?.resolved).toBeGreaterThan(20);

    h.sandbox.control.replaceRecords(seeded);
    const back = await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
    expect(back.counts).toMatchObject({ new: 0, reappeared: 0, nonCompliant: empty.counts?.resolved });
    await h.shepherd.deps.notices.sweep();
    await h.settle();
    expect(h.connector.cards(h.a.conversationId(ALEX)).filter(isFirstNotice)).toHaveLength(1);
    expect((await h.shepherd.deps.status.userStatus(ALEX.aadObjectId)).principal).toMatchObject({ status: 'nonCompliant', episode: 1 });
  });
});
