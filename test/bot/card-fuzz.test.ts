/**
 * Card-submit fuzzing through the real /api/messages: random data for every card verb, as
 * Action.Execute invokes and as Action.Submit messages, from a partner user who is no party to the
 * existing request. Expected: never a 5xx, the process keeps answering, nothing is sent to anyone
 * else, and the workflow's state is unchanged (except where the verb legitimately starts the
 * actor's own draft).
 */
import fc from 'fast-check';
import { TableClient } from '@azure/data-tables';
import { Verbs } from '../../src/cards/verbs';
import { TABLES, tableName } from '../../src/storage';
import { PARTNER_TENANT_ID, PLAYGROUND_USER_ID } from '../../sandbox';
import type { TestUser } from '../support/activities';
import { startBotHarness, storageConnectionString, type BotHarness } from '../support/bot-harness';
import { COMPLETE_FORM } from '../support/exception-fixtures';

const ALEX: TestUser = { aadObjectId: PLAYGROUND_USER_ID, name: 'Alex Wilber', tenantId: PARTNER_TENANT_ID };
const EVE: TestUser = { aadObjectId: 'fuzz-eve-0001', name: 'Eve Fuzzer', tenantId: PARTNER_TENANT_ID };
/** Verbs whose valid use creates the actor's own draft: checked for "no 5xx", not for unchanged state. */
const CREATES_OWN_DRAFT = new Set<string>([Verbs.ExceptionStart, Verbs.ExceptionChooseReason]);
/** The workflow's state (Contacts and Activities change on every turn by design: last seen, dedup claims). */
const STATE_TABLES = ['exceptions', 'settings', 'principals', 'nudges', 'syncRuns', 'secrets', 'notices', 'usedLinks'] as const;
const RUNS = 60;

describe('card-submit fuzzing', () => {
  let h: BotHarness;
  let requestId = '';
  beforeAll(async () => {
    h = await startBotHarness();
    await h.post(h.a.message(ALEX, 'exception'));
    const [request] = await h.shepherd.storage.exceptions.listByRequester(ALEX.aadObjectId);
    requestId = request!.id;
    await h.post(h.a.execute(ALEX, Verbs.ExceptionSubmit, { requestId, round: 0, ...COMPLETE_FORM }));
    await h.post(h.a.message(EVE, 'help'));
    await h.settle();
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  async function state(): Promise<string[]> {
    const rows: string[] = [];
    for (const key of STATE_TABLES) {
      const table = TableClient.fromConnectionString(storageConnectionString(h), tableName(h.config.storage.tablePrefix, TABLES[key]), { allowInsecureConnection: true });
      for await (const e of table.listEntities()) rows.push(`${key}|${e.partitionKey ?? ''}|${e.rowKey ?? ''}|${e.etag}`);
    }
    return rows.sort();
  }

  const scalar = (): fc.Arbitrary<unknown> =>
    fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ minLength: 4_000, maxLength: 12_000 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(requestId),
      fc.constant(requestId.toLowerCase()),
      fc.constantFrom('EXC-0000-0000', '../../etc/passwd', '${requestId}', '<script>', '__proto__', 'constructor', '0', '-1', '1e400', 'NaN'),
    );
  const fieldNames = fc.constantFrom('requestId', 'round', 'comment', 'reasonCategory', 'technicalDescription', 'blockedScenario', 'workaroundTried', 'businessImpact', 'affected', 'evidence', 'integrationMethod', 'caseNumber', 'answerComment', 'step', 'days', 'verb', '__proto__', 'constructor', 'action');
  const data: fc.Arbitrary<unknown> = fc.oneof(
    { weight: 6, arbitrary: fc.dictionary(fieldNames, fc.oneof(scalar(), fc.array(scalar(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), scalar(), { maxKeys: 3 })), { maxKeys: 8 }) },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
  );
  const verb = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...Object.values(Verbs)) }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) });

  async function healthy(): Promise<void> {
    const response = await fetch(`${h.url}/healthz`);
    expect(response.status).toBe(200);
  }

  async function check(asInvoke: boolean, v: string, d: unknown): Promise<void> {
    const before = await state();
    const othersBefore = h.connector.sent.filter((s) => s.conversationId !== h.a.conversationId(EVE)).length;
    const activity = asInvoke
      ? { ...h.a.execute(EVE, v), value: { action: { type: 'Action.Execute', verb: v, data: d }, trigger: 'manual' } }
      : h.a.submit(EVE, { ...(typeof d === 'object' && d !== null && !Array.isArray(d) ? d : { payload: d }), verb: v });
    const response = await h.post(activity);
    await h.settle();

    expect({ verb: v, status: response.status < 500 ? 'not 5xx' : response.status }).toEqual({ verb: v, status: 'not 5xx' });
    expect(h.connector.sent.filter((s) => s.conversationId !== h.a.conversationId(EVE))).toHaveLength(othersBefore);
    if (!CREATES_OWN_DRAFT.has(v)) expect({ verb: v, state: await state() }).toEqual({ verb: v, state: before });
  }

  it('when random data is clicked on every verb (Action.Execute), then no 5xx, nobody else is told, and nothing changes', async () => {
    await fc.assert(fc.asyncProperty(verb, data, (v, d) => check(true, v, d)), { numRuns: RUNS, seed: 20261204 });
    await healthy();
  }, 120_000);

  it('when random data is submitted on every verb (Action.Submit fallback), then no 5xx, nobody else is told, and nothing changes', async () => {
    await fc.assert(fc.asyncProperty(verb, data, (v, d) => check(false, v, d)), { numRuns: RUNS, seed: 4122026 });
    await healthy();
  }, 120_000);

  it('when every verb gets an empty, a null and a non-object data, then each is answered without a 5xx', async () => {
    for (const v of Object.values(Verbs)) {
      for (const d of [{}, null, 'text', [1, 2]]) await check(true, v, d);
    }
    await healthy();
  }, 120_000);
});
