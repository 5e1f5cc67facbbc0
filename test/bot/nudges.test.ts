import { PLAYGROUND_USER_ID, PARTNER_TENANT_ID } from '../../sandbox';
import type { TestUser } from '../support/activities';
import { ADMIN, startBotHarness, type BotHarness } from '../support/bot-harness';
import { allCardText, cardActions } from '../support/connector';

const ALEX: TestUser = { aadObjectId: PLAYGROUND_USER_ID, name: 'Alex Wilber', tenantId: PARTNER_TENANT_ID, timezone: 'America/New_York' };

interface InvokeAnswer {
  statusCode: number;
  value: Record<string, unknown> | string;
}

describe('nudges through /api/messages', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
    await h.connect();
    await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
    await h.post(h.a.message(ALEX, 'hello'));
    await h.post(h.a.message(ADMIN, 'hello'));
    await h.settle();
    const summary = await h.shepherd.sweepNudges(); // creates every listed user's nudge state
    expect(summary).toMatchObject({ ran: true, paused: false, errors: 0 });
  });
  afterAll(async () => {
    await h.stop();
  });

  const lastCardText = (user: TestUser) => allCardText(h.connector.cards(h.a.conversationId(user)).at(-1));
  const say = async (user: TestUser, text: string) => {
    await h.post(h.a.message(user, text));
    await h.settle();
    return lastCardText(user);
  };
  const snooze = async (data: Record<string, unknown>) => {
    const response = await h.post(h.a.execute(ALEX, 'nudge.snooze', data));
    const answer = response.body as InvokeAnswer;
    return typeof answer.value === 'string' ? answer.value : allCardText(answer.value);
  };
  const snoozesUsed = async () => (await h.shepherd.storage.nudges.get(PARTNER_TENANT_ID, PLAYGROUND_USER_ID))?.snoozesUsed;

  it('when an admin types "nudges", then the card lists who gets what next, most imminent first, with totals', async () => {
    const text = await say(ADMIN, 'nudges');
    expect(text).toMatch(/Nudges: who gets what next/);
    expect(text).toMatch(/Non-compliant/);
    const total = Number(/Non-compliant (\d+)/.exec(text)?.[1]);
    expect(total).toBeGreaterThan(20);
    const rows = text.match(/reminder 1 of 3 → \S+/g) ?? [];
    expect(rows).toHaveLength(15); // bounded, then "and N more"
    expect(text).toContain(`…and ${total - 15} more.`);
    const times = [...text.matchAll(/\*\*(.+?)\*\* ·/g)].map((m) => m[1]);
    expect(times.length).toBe(15);
    expect(text).toMatch(/times in Europe\/Berlin/);
    expect(text).not.toMatch(/paused for everyone/);
  });

  it('when a non-admin types "nudges" or "pause nudges", then they are refused and nothing is paused', async () => {
    expect(await say(ALEX, 'nudges')).toMatch(/Only MFA Shepherd admins can see who gets nudged next/);
    expect(await say(ALEX, 'pause nudges')).toMatch(/Only MFA Shepherd admins can pause nudges/);
    expect(await h.shepherd.storage.settings.get('nudgesPaused')).toBeUndefined();
  });

  it('when an admin pauses nudges, then it is recorded with who and when, every "nudges" view says so, the sweep sends nothing, and resume lifts it', async () => {
    expect(await say(ADMIN, 'pause nudges')).toMatch(/Nudges paused/);
    const stored = await h.shepherd.storage.settings.get('nudgesPaused');
    expect(stored?.value).toMatchObject({ paused: true, by: ADMIN.aadObjectId });
    expect(stored?.value.at).toBeInstanceOf(Date);
    expect(await say(ADMIN, 'nudges')).toMatch(/Nudges are paused for everyone \(by Ada Admin/);
    expect(await h.shepherd.sweepNudges()).toMatchObject({ paused: true, sent: 0 });
    const resumed = await say(ADMIN, 'resume nudges');
    expect(resumed).toMatch(/Nudges resumed/);
    expect(resumed).not.toMatch(/paused for everyone/);
    expect(await say(ADMIN, 'nudges pls')).toMatch(/didn't get that|What I can do|help/i); // anchored: no substring match
  });

  it('when the user snoozes from the card, then valid days snooze, malformed data changes nothing, too many days and a fourth snooze are refused with the reason', async () => {
    const before = await snoozesUsed();
    expect(before).toBe(0);
    expect(await snooze({ days: 'abc' })).toMatch(/did not expect/);
    expect(await snooze({})).toMatch(/did not expect/);
    expect(await snoozesUsed()).toBe(0);
    expect(await snooze({ days: '15' })).toMatch(/a snooze lasts 1 to 14 days/);
    expect(await snoozesUsed()).toBe(0);

    expect(await snooze({ days: '3' })).toMatch(/Reminders snoozed until .*You can snooze 2 times more/s);
    expect(await snooze({ days: 1 })).toMatch(/You can snooze 1 time more/);
    expect(await snooze({ days: '2' })).toMatch(/That was your last snooze.*escalation to your manager/s);
    expect(await snooze({ days: '1' })).toMatch(/all 3 snoozes are used; the next step is escalation/);
    expect(await snoozesUsed()).toBe(3);
  });

  it('when the Action.Submit fallback sends the snooze, then the same rules apply and the answer comes as a message', async () => {
    await h.post(h.a.submit(ALEX, { verb: 'nudge.snooze', days: 'x' }));
    await h.settle();
    expect(lastCardText(ALEX)).toMatch(/did not expect/);
    expect(cardActions(h.connector.cards(h.a.conversationId(ALEX)).at(-1)).length).toBeGreaterThanOrEqual(0);
  });
});
