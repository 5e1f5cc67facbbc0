/**
 * Refusals of the exception workflow through the real /api/messages: each is titled for what it is
 * (never "cannot reach its storage"), carries its own code, and tells someone who may not see a
 * request exactly what it tells them about a request that does not exist.
 */
import { PARTNER_TENANT_ID } from '../../sandbox';
import type { TestUser } from '../support/activities';
import { ADMIN, startBotHarness, type BotHarness } from '../support/bot-harness';
import { allCardText } from '../support/connector';
import { COMPLETE_FORM } from '../support/exception-fixtures';

const RITA: TestUser = { aadObjectId: 'requester-rita', name: 'Rita Requester', tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Berlin' };
const ANNA: TestUser = { aadObjectId: 'approver-anna', name: 'Anna Approver', tenantId: PARTNER_TENANT_ID };
const BEN: TestUser = { aadObjectId: 'approver-ben', name: 'Ben Approver', tenantId: PARTNER_TENANT_ID };
const SECOND_ADMIN: TestUser = { aadObjectId: 'admin-0002', name: 'Sam Second-Admin', tenantId: PARTNER_TENANT_ID };
const EVE: TestUser = { aadObjectId: 'someone-else', name: 'Eve Bystander', tenantId: PARTNER_TENANT_ID };

interface InvokeAnswer {
  value: Record<string, unknown> | string;
}

describe('refusals of the exception workflow', () => {
  let h: BotHarness;
  let requestId = '';

  beforeAll(async () => {
    h = await startBotHarness({ env: { APPROVER_AAD_OBJECT_IDS: `${ANNA.aadObjectId},${BEN.aadObjectId}`, ADMIN_AAD_OBJECT_IDS: `${ADMIN.aadObjectId},${SECOND_ADMIN.aadObjectId}` } });
    for (const user of [RITA, ANNA, BEN, ADMIN, SECOND_ADMIN, EVE]) await h.post(h.a.message(user, 'help'));
    await h.settle();
    await h.post(h.a.message(RITA, 'exception'));
    requestId = (await h.shepherd.storage.exceptions.listByRequester(RITA.aadObjectId))[0]!.id;
  });
  afterAll(async () => {
    await h?.stop();
  });

  const click = async (user: TestUser, verb: string, data: Record<string, unknown> = {}) => {
    const response = await h.post(h.a.execute(user, verb, data));
    expect(response.status).toBe(200);
    await h.settle();
    const value = (response.body as InvokeAnswer).value;
    return typeof value === 'string' ? value : allCardText(value);
  };
  const historyLength = async () => (await h.shepherd.storage.exceptions.history(requestId)).length;

  it('when a request is opened, then its id is random and typed as EXC-XXXX-XXXX', () => {
    expect(requestId).toMatch(/^EXC-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  });

  it('when an approver clicks a card from an earlier review round, then the card says so, with its own code, and nothing changes', async () => {
    await click(RITA, 'exc.submit', { requestId, round: 0, ...COMPLETE_FORM });
    await click(ANNA, 'exc.changes', { requestId, round: 1, comment: 'Attach the vendor letter, please.' });
    await click(RITA, 'exc.submit', { requestId, round: 1, ...COMPLETE_FORM, workaroundTried: `${COMPLETE_FORM.workaroundTried} Vendor letter attached.` });
    expect((await h.shepherd.storage.exceptions.get(requestId))).toMatchObject({ status: 'inReview', reviewRound: 2 });
    const before = await historyLength();

    const text = await click(BEN, 'exc.approve', { requestId, round: 1, comment: 'Looks fine.' });

    expect(text).toContain('This card is from an earlier review round');
    expect(text).toContain('EXCEPTION_STALE_REVIEW');
    expect(text).toMatch(/review the latest version/);
    expect(text).not.toMatch(/storage/i);
    expect(await h.shepherd.storage.exceptions.get(requestId)).toMatchObject({ status: 'inReview', reviewRound: 2 });
    expect(await historyLength()).toBe(before);
  });

  it('when a second admin records a case number already recorded, then the card says who did it first, with its own code, and the first case number stays', async () => {
    await click(BEN, 'exc.approve', { requestId, round: 2, comment: 'Vendor letter checked.' });
    expect(await click(ADMIN, 'exc.ms.submitted', { requestId, caseNumber: '2411220010001234' })).toMatch(/2411220010001234/);
    const before = await historyLength();

    const text = await click(SECOND_ADMIN, 'exc.ms.submitted', { requestId, caseNumber: '2411220010009999' });

    expect(text).toContain('Someone already did this');
    expect(text).toContain('EXCEPTION_ALREADY_DECIDED');
    expect(text).toMatch(/already recorded/i);
    expect(text).not.toMatch(/storage/i);
    const stored = await h.shepherd.storage.exceptions.get(requestId);
    expect(stored).toMatchObject({ status: 'submittedToMicrosoft', supportCaseNumber: '2411220010001234' });
    expect(await historyLength()).toBe(before);
  });

  it('when someone who may not see a request acts on it, then the answer is the one for a request that does not exist', async () => {
    const missing = 'EXC-0000-0000';
    const answers = async (id: string) => [
      await click(EVE, 'exc.approve', { requestId: id, round: 2 }),
      await click(EVE, 'exc.withdraw', { requestId: id }),
      await click(EVE, 'exc.ms.submitted', { requestId: id, caseNumber: '1' }),
      await click(EVE, 'exc.open', { requestId: id }),
      await click(EVE, 'exc.history', { requestId: id }),
    ];
    const forExisting = (await answers(requestId)).map((t) => t.replaceAll(requestId, '<id>'));
    const forMissing = (await answers(missing)).map((t) => t.replaceAll(missing, '<id>'));

    expect(forExisting).toEqual(forMissing);
    for (const text of forExisting) {
      expect(text).toMatch(/no exception request <id> that you can see/);
      for (const secret of ['Rita', RITA.aadObjectId, 'submitted', 'Microsoft', 'Ben', ADMIN.aadObjectId, '2411220010001234']) expect(text).not.toContain(secret);
    }
  });
});
