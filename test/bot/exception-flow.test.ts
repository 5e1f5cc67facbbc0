/**
 * The technical-exception workflow through the real /api/messages: the requester's form, the
 * approvers' cards, two approvers racing, the admins' Partner Center side, history, SLA and export,
 * with what the bot sends captured by the local connector and what it stores read back from Azurite.
 */
import { DateTime } from 'luxon';
import { PARTNER_TENANT_ID, PLAYGROUND_USER_ID } from '../../sandbox';
import type { TestUser } from '../support/activities';
import { ADMIN, startBotHarness, type BotHarness } from '../support/bot-harness';
import { allCardText, cardActions } from '../support/connector';
import { COMPLETE_FORM } from '../support/exception-fixtures';

const ALEX: TestUser = { aadObjectId: PLAYGROUND_USER_ID, name: 'Alex Wilber', tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Berlin' };
const ANNA: TestUser = { aadObjectId: 'approver-anna', name: 'Anna Approver', tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Berlin' };
const BEN: TestUser = { aadObjectId: 'approver-ben', name: 'Ben Approver', tenantId: PARTNER_TENANT_ID, timezone: 'America/New_York' };
const EVE: TestUser = { aadObjectId: 'someone-else', name: 'Eve Bystander', tenantId: PARTNER_TENANT_ID };


interface InvokeAnswer {
  statusCode: number;
  type: string;
  value: Record<string, unknown> | string;
}

describe('technical-exception workflow through /api/messages', () => {
  let h: BotHarness;
  let requestId = '';

  beforeAll(async () => {
    h = await startBotHarness({ env: { APPROVER_AAD_OBJECT_IDS: `${ANNA.aadObjectId},${BEN.aadObjectId},${ALEX.aadObjectId}` } });
    await h.connect();
    await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
    for (const user of [ALEX, ANNA, BEN, ADMIN, EVE]) await h.post(h.a.message(user, 'my status'));
    await h.settle();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const click = async (user: TestUser, verb: string, data: Record<string, unknown> = {}) => {
    const response = await h.post(h.a.execute(user, verb, data));
    expect(response.status).toBe(200);
    const answer = response.body as InvokeAnswer;
    await h.settle();
    return { answer, text: typeof answer.value === 'string' ? answer.value : allCardText(answer.value), card: answer.value };
  };
  const say = async (user: TestUser, text: string) => {
    await h.post(h.a.message(user, text));
    await h.settle();
    return allCardText(h.connector.cards(h.a.conversationId(user)).at(-1));
  };
  const sentTo = (user: TestUser) => h.connector.sent.filter((s) => s.conversationId === h.a.conversationId(user));

  it('when the user types "exception", then the first card asks for the reason and lists what Microsoft will not accept', async () => {
    const text = await say(ALEX, 'exception');
    expect(text).toMatch(/reason/i);
    expect(text).toMatch(/service account/i);
    const requests = await h.shepherd.storage.exceptions.listByRequester(ALEX.aadObjectId);
    expect(requests).toHaveLength(1);
    requestId = requests[0]!.id;
    expect(requestId).toMatch(/^EXC-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  });

  it('when the user picks a reason Microsoft does not accept, then the card says so plainly and offers the MFA walkthrough instead', async () => {
    const { text, card } = await click(ALEX, 'exc.reason', { requestId, reasonCategory: 'serviceAccount' });
    expect(text).toMatch(/does not grant technical exceptions for service accounts/);
    expect(cardActions(card).map((a) => a.verb)).toContain('mfa.setup');
    expect((await h.shepherd.storage.exceptions.get(requestId))?.fields.reasonCategory).toBeUndefined();
  });

  it('when the user submits an incomplete form, then the errors come back on the same card with what was typed kept, and nothing is submitted', async () => {
    await click(ALEX, 'exc.reason', { requestId, reasonCategory: 'thirdPartyMfaCannotPassClaim' });
    const typed = 'Only a short note ${1+1}';
    const { text, card } = await click(ALEX, 'exc.submit', { requestId, round: 0, reasonCategory: 'thirdPartyMfaCannotPassClaim', technicalDescription: typed });
    expect(text).toMatch(/Not submitted yet/);
    expect(JSON.stringify(card)).toContain(JSON.stringify(typed).slice(1, -1));
    const stored = await h.shepherd.storage.exceptions.get(requestId);
    expect(stored?.status).toBe('draft');
  });

  it('when the user saves twice without a change, then one save is recorded in the history', async () => {
    const first = await click(ALEX, 'exc.save', { requestId, round: 0, ...COMPLETE_FORM });
    expect(first.text).toMatch(/Draft saved/);
    const second = await click(ALEX, 'exc.save', { requestId, round: 0, ...COMPLETE_FORM });
    expect(second.text).toMatch(/Nothing changed/);
    const saves = (await h.shepherd.storage.exceptions.history(requestId)).filter((e) => e.action === 'saveDraft');
    expect(saves).toHaveLength(2); // the reason chosen, then the complete form; not the unchanged repeat
  });

  it('when the user submits the complete form, then every approver but the requester gets the approval card with the three buttons', async () => {
    const sentBefore = h.connector.sent.length;
    const { text } = await click(ALEX, 'exc.submit', { requestId, round: 0, ...COMPLETE_FORM });
    expect(text).toMatch(/in review|waiting/i);
    const newCards = h.connector.sent.slice(sentBefore).filter((s) => s.activity.attachments?.length);
    const to = new Set(newCards.filter((s) => s.activity.summary?.includes('needs a decision')).map((s) => s.conversationId));
    expect(to).toEqual(new Set([h.a.conversationId(ANNA), h.a.conversationId(BEN)]));
    for (const s of newCards.filter((c) => c.activity.summary?.includes('needs a decision'))) {
      const buttons = cardActions(s.activity.attachments![0]!.content).filter((a) => a.verb !== 'exc.approval.refresh');
      expect(buttons.map((a) => a.verb).sort()).toEqual(['exc.approve', 'exc.changes', 'exc.reject']);
    }
    expect((await h.shepherd.storage.exceptions.listApprovalCards(requestId, 1)).length).toBe(2);
  });

  it('when the requester tries to approve their own request, then it is refused and nothing changes', async () => {
    const { text } = await click(ALEX, 'exc.approve', { requestId, round: 1 });
    expect(text).toMatch(/your own request/);
    expect((await h.shepherd.storage.exceptions.get(requestId))?.status).toBe('inReview');
  });

  it('when someone who is not an approver clicks Approve, then it is refused and nothing changes', async () => {
    const { text } = await click(EVE, 'exc.approve', { requestId, round: 1 });
    expect(text).toMatch(/not|only/i);
    expect((await h.shepherd.storage.exceptions.get(requestId))?.status).toBe('inReview');
  });

  it('when an approver rejects without a reason, then the card asks for one and keeps the request in review', async () => {
    const { text } = await click(ANNA, 'exc.reject', { requestId, round: 1, comment: '' });
    expect(text).toMatch(/reason is required/i);
    expect((await h.shepherd.storage.exceptions.get(requestId))?.status).toBe('inReview');
  });

  it('when a card sends malformed data, then the answer says so and nothing changes', async () => {
    const { text } = await click(ANNA, 'exc.approve', { requestId: '<script>', round: 'one' });
    expect(text).toMatch(/did not expect/);
    expect((await h.shepherd.storage.exceptions.get(requestId))?.status).toBe('inReview');
  });

  it('when two approvers click at once, then exactly one decision is recorded and the second sees who decided', async () => {
    const sentBefore = h.connector.sent.length;
    const [anna, ben] = await Promise.all([
      h.post(h.a.execute(ANNA, 'exc.approve', { requestId, round: 1, comment: 'Vendor letter checked.' })),
      h.post(h.a.execute(BEN, 'exc.approve', { requestId, round: 1, comment: 'Fine by me.' })),
    ]);
    await h.settle();
    const texts = [anna, ben].map((r) => allCardText((r.body as InvokeAnswer).value));
    const decisions = (await h.shepherd.storage.exceptions.history(requestId)).filter((e) => ['approve', 'reject', 'requestChanges'].includes(e.action));
    expect(decisions).toHaveLength(1);
    const winner = decisions[0]!.actor === ANNA.aadObjectId ? 0 : 1;
    expect(texts[1 - winner]).toMatch(/already/i);
    expect(texts[1 - winner]).toContain(winner === 0 ? 'Anna Approver' : 'Ben Approver');

    // Every posted approval card is replaced by the decided view (Bot Connector PUT), for everyone.
    const updates = h.connector.sent.slice(sentBefore).filter((s) => s.method === 'PUT');
    expect(new Set(updates.map((u) => u.conversationId))).toEqual(new Set([h.a.conversationId(ANNA), h.a.conversationId(BEN)]));
    for (const u of updates) expect(cardActions(u.activity.attachments![0]!.content).filter((a) => a.verb === 'exc.approve')).toHaveLength(0);
    // The requester is told in their 1:1 chat.
    expect(allCardText(sentTo(ALEX).at(-1)?.activity.attachments?.[0]?.content)).toMatch(/approved/i);
    expect(sentTo(ALEX).filter((s) => allCardText(s.activity.attachments?.[0]?.content).match(/was approved/i))).toHaveLength(1);
  });

  it('when the request is approved, then the admins get the ready-to-paste Partner Center submission', async () => {
    const pack = sentTo(ADMIN).flatMap((s) => s.activity.attachments ?? []).map((a) => allCardText(a.content)).find((t) => t.includes('MFA - Request for exception'));
    expect(pack).toBeDefined();
    expect(pack).toContain('Okta');
    expect(pack).toContain('about 40 orders a day');
  });

  it('when an admin records the submission with a bad case number, then the card says why and keeps it approved', async () => {
    const { text } = await click(ADMIN, 'exc.ms.submitted', { requestId, caseNumber: 'case #1; DROP' });
    expect(text).toMatch(/letters, digits and hyphens/);
    expect((await h.shepherd.storage.exceptions.get(requestId))?.status).toBe('approved');
  });

  it('when an admin records the submission, then the SLA clock starts and "sla" lists the request with its due time', async () => {
    const { text } = await click(ADMIN, 'exc.ms.submitted', { requestId, caseNumber: '2411220010001234' });
    expect(text).toMatch(/2411220010001234/);
    const stored = await h.shepherd.storage.exceptions.get(requestId);
    expect(stored?.status).toBe('submittedToMicrosoft');
    expect(await say(ADMIN, 'sla')).toContain(requestId);
    expect(await say(ALEX, 'sla')).toMatch(/Only MFA Shepherd admins/);
  });

  it('when an admin records that Microsoft granted it until a date, then the requester is told and the request covers them', async () => {
    const until = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
    const { text } = await click(ADMIN, 'exc.ms.granted', { requestId, endDate: until, reason: '' });
    expect(text).toMatch(/granted/i);
    const stored = await h.shepherd.storage.exceptions.get(requestId);
    expect(stored?.status).toBe('granted');
    // Through the last day given: 23:59:59.999 of it in the business calendar's zone (London in these tests).
    expect(stored?.grantedUntil?.getTime()).toBe(DateTime.fromISO(until, { zone: h.config.businessCalendar.zone }).endOf('day').toMillis());
    expect(allCardText(sentTo(ALEX).at(-1)?.activity.attachments?.[0]?.content)).toMatch(/granted/i);
  });

  it('when the requester types "history <request>", then every state change is listed with who did it', async () => {
    const text = await say(ALEX, `history ${requestId.toLowerCase()}`);
    for (const done of ['submitted it for review', 'approved it', 'recorded it as submitted to Microsoft', 'recorded that Microsoft granted it']) expect(text).toContain(done);
    expect(text).toMatch(/Anna Approver|Ben Approver/);
    expect(await say(EVE, `history ${requestId}`)).toMatch(/no exception request/i);
  });

  it('when an admin asks for an export, then both links download CSV over HTTP and a non-admin cannot get links', async () => {
    await h.post(h.a.message(ADMIN, 'export'));
    const card = h.connector.cards(h.a.conversationId(ADMIN)).at(-1);
    const urls = JSON.stringify(card).match(/http:\/\/[^"]+\/exports\/[^"]+/g) ?? [];
    expect(urls).toHaveLength(2);
    for (const url of urls) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/csv/);
      expect(await response.text()).toContain(requestId);
    }
    expect(await say(EVE, 'export')).toMatch(/Only MFA Shepherd admins/);
  });

  it('when a justification of 10,000 characters is submitted, then the limit is named on the card, the text is kept on it, and nothing is submitted', async () => {
    await say(EVE, 'exception');
    const [request] = await h.shepherd.storage.exceptions.listByRequester(EVE.aadObjectId);
    const huge = `${'A'.repeat(9_990)} the end`;
    const { text, card } = await click(EVE, 'exc.submit', { requestId: request!.id, round: 0, ...COMPLETE_FORM, technicalDescription: huge });
    expect(text).toMatch(/at most 4,000 characters \(it has 9,998\)/);
    expect(Buffer.byteLength(JSON.stringify(card), 'utf8')).toBeLessThan(28_000);
    expect((await h.shepherd.storage.exceptions.get(request!.id))?.status).toBe('draft');
  });

  it('when a justification holds template expressions and markdown links, then the approvers card shows it inert, and storage keeps it exactly', async () => {
    const hostile = `\${if(true,'EVALUATED','x')} [click](https://evil.example) ${'B'.repeat(3_900)}`;
    const [request] = await h.shepherd.storage.exceptions.listByRequester(EVE.aadObjectId);
    const sentBefore = h.connector.sent.length;
    const { text } = await click(EVE, 'exc.submit', { requestId: request!.id, round: 0, ...COMPLETE_FORM, technicalDescription: hostile });
    expect(text).toMatch(/in review|waiting/i);
    expect((await h.shepherd.storage.exceptions.get(request!.id))?.fields.technicalDescription).toBe(hostile);
    const card = h.connector.sent.slice(sentBefore).find((s) => s.conversationId === h.a.conversationId(ANNA))?.activity.attachments?.[0]?.content;
    const shown = allCardText(card);
    expect(shown).toContain("\\$\\{if(true,'EVALUATED','x')\\}"); // the expression is text, never evaluated
    expect(shown).not.toMatch(/(^|[^\\])\[click\]\(https/); // the link is escaped, so it renders as text
    expect(Buffer.byteLength(JSON.stringify(card), 'utf8')).toBeLessThan(28_000);
    expect(shown.match(/B{100,}/)?.[0].length ?? 0).toBeLessThanOrEqual(2_000); // bounded on the approval card
  });

  it('when a user clicks "exception" twice at once, then one draft is opened, not two', async () => {
    const carol: TestUser = { aadObjectId: 'requester-carol', name: 'Carol Clicker', tenantId: PARTNER_TENANT_ID };
    await Promise.all([h.post(h.a.execute(carol, 'exc.start', {})), h.post(h.a.execute(carol, 'exc.start', {})), h.post(h.a.message(carol, 'exception'))]);
    expect(await h.shepherd.storage.exceptions.listByRequester(carol.aadObjectId)).toHaveLength(1);
  });

  it('when the same invoke is delivered twice, then it is processed once', async () => {
    await say(BEN, 'exception');
    const [request] = await h.shepherd.storage.exceptions.listByRequester(BEN.aadObjectId);
    const activity = h.a.execute(BEN, 'exc.withdraw', { requestId: request!.id });
    await h.post(activity);
    await h.post(activity);
    await h.settle();
    const withdrawals = (await h.shepherd.storage.exceptions.history(request!.id)).filter((e) => e.action === 'withdraw');
    expect(withdrawals).toHaveLength(1);
  });
});
