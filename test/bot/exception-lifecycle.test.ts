/**
 * The exception lifecycle through the real /api/messages, on a fixed clock: an admin files for a
 * service account, two approvers approve (EXCEPTION_APPROVALS_REQUIRED=2), the submission carries
 * what Microsoft's form needs, a grant without an end date is refused, and the notices before the
 * end are sent once each.
 */
import { PARTNER_TENANT_ID } from '../../sandbox';
import { FixedClock } from '../../src/domain/clock';
import type { TestUser } from '../support/activities';
import { ADMIN, startBotHarness, type BotHarness } from '../support/bot-harness';
import { allCardText, cardActions } from '../support/connector';
import { COMPLETE_FORM } from '../support/exception-fixtures';

const ANNA: TestUser = { aadObjectId: 'approver-anna', name: 'Anna Approver', tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Berlin' };
const BEN: TestUser = { aadObjectId: 'approver-ben', name: 'Ben Approver', tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Berlin' };
const EVE: TestUser = { aadObjectId: 'someone-else', name: 'Eve Bystander', tenantId: PARTNER_TENANT_ID };
const SERVICE_ACCOUNT = 'svc-billing@contoso.example';
/** Monday 2 November 2026, 10:00 UTC: business hours on the London calendar of the harness. */
const START = '2026-11-02T10:00:00.000Z';

describe('exception lifecycle through /api/messages', () => {
  let h: BotHarness;
  const clock = new FixedClock(START);
  let requestId = '';

  beforeAll(async () => {
    h = await startBotHarness({
      env: { APPROVER_AAD_OBJECT_IDS: `${ANNA.aadObjectId},${BEN.aadObjectId}`, EXCEPTION_APPROVALS_REQUIRED: '2', PARTNER_ID: '4871234' },
      overrides: { clock },
      sandboxNow: () => clock.now(),
    });
    for (const user of [ANNA, BEN, ADMIN, EVE]) await h.post(h.a.message(user, 'help'));
    await h.settle();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const click = async (user: TestUser, verb: string, data: Record<string, unknown> = {}) => {
    const response = await h.post(h.a.execute(user, verb, data));
    expect(response.status).toBe(200);
    await h.settle();
    const value = (response.body as { value: Record<string, unknown> | string }).value;
    return { text: typeof value === 'string' ? value : allCardText(value), card: value };
  };
  const say = async (user: TestUser, text: string) => {
    await h.post(h.a.message(user, text));
    await h.settle();
    return allCardText(h.connector.cards(h.a.conversationId(user)).at(-1));
  };
  const cardsTo = (user: TestUser) => h.connector.cards(h.a.conversationId(user)).map((c) => allCardText(c));
  const stored = async () => (await h.shepherd.storage.exceptions.get(requestId))!;

  it('when someone who is not an admin files for a service account, then it is refused and nothing is opened', async () => {
    expect(await say(EVE, `exception for ${SERVICE_ACCOUNT}`)).toMatch(/Only MFA Shepherd admins/);
    expect(await h.shepherd.storage.exceptions.listByRequester(EVE.aadObjectId)).toHaveLength(0);
  });

  it('when an admin files an exception for a service account, then a request for that account opens beside their own', async () => {
    const text = await say(ADMIN, `exception for ${SERVICE_ACCOUNT}`);
    expect(text).toMatch(/reason/i);
    const [request] = await h.shepherd.storage.exceptions.listByRequester(ADMIN.aadObjectId);
    requestId = request!.id;
    expect(request!.fields).toMatchObject({ subjectKind: 'serviceAccount', subjectName: SERVICE_ACCOUNT });
    await say(ADMIN, 'exception'); // their own request is a different one
    expect(await h.shepherd.storage.exceptions.listByRequester(ADMIN.aadObjectId)).toHaveLength(2);
  });

  it('when the admin submits it with what Microsoft asks for, then the form names the account and the approvers get the card', async () => {
    const chosen = await click(ADMIN, 'exc.reason', { requestId, reasonCategory: 'thirdPartyMfaCannotPassClaim' });
    expect(chosen.text).toContain(SERVICE_ACCOUNT);
    const form = {
      ...COMPLETE_FORM,
      mfaProduct: 'Okta Verify through federation',
      contact: 'Ada Admin, ada@contoso.example, +44 20 7946 0000',
      requestedDuration: '6months',
      evidenceLinks: 'https://contoso.example/evidence/okta-letter.pdf\nhttps://contoso.example/evidence/po-4711.pdf',
    };
    const { text } = await click(ADMIN, 'exc.submit', { requestId, round: 0, ...form });
    expect(text).toMatch(/in review|waiting/i);
    expect((await stored()).approvalsRequired).toBe(2);
    for (const approver of [ANNA, BEN]) expect(cardsTo(approver).some((t) => t.includes(SERVICE_ACCOUNT) && t.includes('okta-letter.pdf'))).toBe(true);
  });

  it('when the first approver approves, then the request stays in review and the cards show who has approved; a second click by them changes nothing', async () => {
    const sentBefore = h.connector.sent.length;
    const first = await click(ANNA, 'exc.approve', { requestId, round: 1, comment: 'Vendor letter checked.' });
    expect(first.text).toMatch(/Approved by Anna Approver .*1 of 2 approvals, waiting for 1 more/);
    expect((await stored()).status).toBe('inReview');
    // Every posted approval card now shows Anna's approval.
    const updates = h.connector.sent.slice(sentBefore).filter((s) => s.method === 'PUT');
    expect(new Set(updates.map((u) => u.conversationId))).toEqual(new Set([h.a.conversationId(ANNA), h.a.conversationId(BEN)]));
    for (const u of updates) expect(allCardText(u.activity.attachments![0]!.content)).toMatch(/Approved by Anna Approver/);

    const again = await click(ANNA, 'exc.approve', { requestId, round: 1 });
    expect(again.text).toMatch(/1 of 2 approvals/);
    expect(cardActions(again.card).map((a) => a.verb)).not.toContain('exc.approve');
    const approvals = (await h.shepherd.storage.exceptions.history(requestId)).filter((e) => e.action === 'approve');
    expect(approvals).toHaveLength(1);
    expect((await stored()).approvals).toHaveLength(1);
  });

  it('when the requester (an admin, not an approver here) clicks Approve, then it is refused', async () => {
    expect((await click(ADMIN, 'exc.approve', { requestId, round: 1 })).text).toMatch(/not|only|own/i);
    expect((await stored()).status).toBe('inReview');
  });

  it('when a second, different approver approves, then it is approved and the admins get a submission with what Microsoft\'s form needs', async () => {
    const second = await click(BEN, 'exc.approve', { requestId, round: 1 });
    expect(second.text).toMatch(/approved/i);
    const request = await stored();
    expect(request.status).toBe('approved');
    expect(request.approvals?.map((a) => a.by)).toEqual([ANNA.aadObjectId, BEN.aadObjectId]);
    const pack = cardsTo(ADMIN).find((t) => t.includes('Approved: file it with Microsoft'));
    expect(pack).toBeDefined();
    for (const needed of [
      `Partner tenant ID: ${PARTNER_TENANT_ID}`,
      'Partner ID (MPN ID): 4871234',
      'Contact: Ada Admin, ada@contoso.example',
      `Affected service account: ${SERVICE_ACCOUNT}`,
      'MFA provider or product: Okta Verify through federation',
      'Requested duration: 6 months',
      'https://contoso.example/evidence/po-4711.pdf',
    ]) {
      expect(pack).toContain(needed);
    }
  });

  it('when an admin records a grant without an end date, then it is refused, the card says why, and the request stays at Microsoft', async () => {
    await click(ADMIN, 'exc.ms.submitted', { requestId, caseNumber: '2611020040001234' });
    const { text } = await click(ADMIN, 'exc.ms.granted', { requestId, endDate: '', noEndDate: 'false', reason: '' });
    expect(text).toMatch(/Microsoft grants an exception for a period/);
    expect((await stored()).status).toBe('submittedToMicrosoft');
  });

  it('when the grant has an end date, then the notices before the end are sent once each, and at the end it is expired', async () => {
    await click(ADMIN, 'exc.ms.granted', { requestId, endDate: '2026-11-30', noEndDate: 'false', reason: '' });
    expect((await stored()).status).toBe('granted');
    const notices = () => cardsTo(ADMIN).filter((t) => /A technical exception (ends in|has ended)/.test(t));

    clock.set('2026-11-13T10:00:00.000Z'); // Friday: 11 business days left
    await h.shepherd.sweepExpiry();
    await h.settle();
    expect(notices()).toHaveLength(0);

    clock.set('2026-11-16T10:00:00.000Z'); // Monday: 10 business days left
    await h.shepherd.sweepExpiry();
    await h.shepherd.sweepExpiry();
    await h.settle();
    expect(notices()).toEqual([expect.stringMatching(/ends in 10 business days/)]);
    expect(notices()[0]).toContain(SERVICE_ACCOUNT);
    expect(cardActions(h.connector.cards(h.a.conversationId(ADMIN)).at(-1)).map((a) => a.verb)).toContain('exc.renew');

    clock.set('2026-11-26T10:00:00.000Z'); // Thursday: 2 business days left
    await h.shepherd.sweepExpiry();
    await h.shepherd.sweepExpiry();
    await h.settle();
    expect(notices().filter((t) => /ends in 2 business days/.test(t))).toHaveLength(1);

    clock.set('2026-12-01T10:00:00.000Z');
    await h.shepherd.sweepExpiry();
    await h.settle();
    expect(notices().filter((t) => /has ended/.test(t))).toHaveLength(1);
    expect(notices()).toHaveLength(3);
    expect(await say(ADMIN, 'my requests')).toMatch(/Expired/);
  });

  it('when the requester renews it, then a new request opens pre-filled from the old one', async () => {
    const { text } = await click(ADMIN, 'exc.renew', { requestId });
    expect(text).toMatch(/Renewal opened/);
    const renewal = (await h.shepherd.storage.exceptions.listByRequester(ADMIN.aadObjectId)).find((r) => r.renewalOf === requestId);
    expect(renewal?.status).toBe('draft');
    expect(renewal?.fields).toEqual((await stored()).fields);
    expect((await click(EVE, 'exc.renew', { requestId })).text).toMatch(/no exception request/i);
  });
});
