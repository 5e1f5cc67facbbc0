/**
 * Crash test for the follow-ups of an exception change: the bot process is killed (SIGKILL) right
 * after a submit for review is stored, before anything else runs in it (the kill is triggered by
 * the child's own `stored submitForReview` line, and the child stops dead after printing it). A new
 * process over the same Azurite must still send each approver the approval card, exactly once, and
 * keep its activity id, so that the decision later updates it.
 *
 * Why exactly once: the kill lands before any send, so the only window in which the outbox may
 * send twice (a process killed after Teams accepted a message and before its ledger recorded it,
 * covered by outbox-crash.test.ts) is never open here.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { startSandbox, PARTNER_TENANT_ID, type SandboxHandle } from '../../sandbox';
import { nodeCommand, spawnChild, waitForLine, type Child } from '../../scripts/lib/children';
import { createStorage, type Storage } from '../../src/storage';
import { activities, postActivity, type TestUser } from '../support/activities';
import { ADMIN } from '../support/bot-harness';
import { LocalConnector, type SentActivity } from '../support/connector';
import { COMPLETE_FORM } from '../support/exception-fixtures';
import { connectionString, randomPrefix } from '../storage/helpers';
import { eventually } from '../support/eventually';

const ROOT = resolve(__dirname, '..', '..');
const RITA: TestUser = { aadObjectId: 'requester-rita', name: 'Rita Requester', tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Berlin' };
const ANNA: TestUser = { aadObjectId: 'approver-anna', name: 'Anna Approver', tenantId: PARTNER_TENANT_ID };
const BEN: TestUser = { aadObjectId: 'approver-ben', name: 'Ben Approver', tenantId: PARTNER_TENANT_ID };

jest.setTimeout(90_000);

it('when the bot is killed right after a submit is stored, then after a restart each approver gets the approval card exactly once, and the decision updates it', async () => {
  const sandbox: SandboxHandle = await startSandbox({ port: 0 });
  const connector = await new LocalConnector().start();
  const children: Child[] = [];
  const prefix = randomPrefix();
  const key = randomBytes(32);
  let storage: Storage | undefined;
  try {
    const env = {
      PORT: '0',
      AZURE_STORAGE_CONNECTION_STRING: connectionString(),
      STORAGE_TABLE_PREFIX: prefix,
      PARTNER_TENANT_ID,
      PARTNER_CENTER_BASE_URL: `${sandbox.url}/pc`,
      PARTNER_CENTER_CLIENT_ID: 'sam-client-test',
      GRAPH_BASE_URL: `${sandbox.url}/graph`,
      GRAPH_CLIENT_ID: 'graph-client-test',
      GRAPH_CLIENT_SECRET: 'graph-secret-test',
      IDENTITY_ENDPOINT_OVERRIDE: `${sandbox.url}/entra`,
      TOKEN_ENCRYPTION_KEY: key.toString('base64'),
      ADMIN_AAD_OBJECT_IDS: ADMIN.aadObjectId,
      APPROVER_AAD_OBJECT_IDS: `${ANNA.aadObjectId},${BEN.aadObjectId}`,
      DEFAULT_TIMEZONE: 'Europe/London',
      TEAMS_SERVICE_URL: connector.url,
      LOG_LEVEL: 'silent',
    };
    storage = await createStorage({ connectionString: connectionString(), tablePrefix: prefix, encryptionKey: key });
    const a = activities({ serviceUrl: connector.url });

    const start = async (freezeAfter: string): Promise<{ child: Child; url: string }> => {
      const child = spawnChild({
        name: `exception-bot-${children.length}`,
        ...nodeCommand([resolve(ROOT, 'test/support/exception-crash-child.ts')], { tsx: true }),
        cwd: ROOT,
        env: { ...process.env, NODE_OPTIONS: '', SHEPHERD_ENV: JSON.stringify(env), FREEZE_AFTER: freezeAfter },
        silent: true,
        registry: null,
      });
      children.push(child);
      const [, url] = await waitForLine(child, /^ready (\S+)$/, { timeoutMs: 30_000, what: 'the bot to start' });
      return { child, url: url! };
    };
    const approvalCards = (user: TestUser): SentActivity[] =>
      connector.sent.filter((s) => s.method !== 'PUT' && s.conversationId === a.conversationId(user) && (s.activity.summary ?? s.activity.text ?? '').includes('needs a decision'));

    // First process: the approvers and the requester chat with the bot; the requester fills in the form.
    const first = await start('submitForReview');
    for (const user of [ANNA, BEN, RITA]) expect((await postActivity(first.url, a.message(user, 'help'))).status).toBe(200);
    await postActivity(first.url, a.message(RITA, 'exception'));
    const [request] = await storage.exceptions.listByRequester(RITA.aadObjectId);
    const requestId = request!.id;
    await postActivity(first.url, a.execute(RITA, 'exc.save', { requestId, round: 0, ...COMPLETE_FORM }));

    // Submit; the child prints that the change is stored, then stops dead; it is killed there.
    const stored = waitForLine(first.child, new RegExp(`^stored submitForReview ${requestId}$`), { timeoutMs: 20_000, what: 'the submit to be stored' });
    const answer = postActivity(first.url, a.execute(RITA, 'exc.submit', { requestId, round: 0, ...COMPLETE_FORM })).catch(() => undefined);
    await stored;
    first.child.process.kill('SIGKILL');
    await first.child.exited;
    await answer; // never answered: the process died

    expect(await storage.exceptions.get(requestId)).toMatchObject({ status: 'inReview', reviewRound: 1 });
    expect(await storage.exceptions.listFollowUps(requestId)).toHaveLength(1); // what the submit owes, stored with it
    expect([...approvalCards(ANNA), ...approvalCards(BEN)]).toEqual([]); // nobody was told before the kill

    // Second process over the same storage: it runs what the first one owed.
    const second = await start('');
    await connector.waitFor(() => approvalCards(ANNA).length > 0 && approvalCards(BEN).length > 0, 30_000, 'the approval cards after the restart');
    const store = storage;
    await eventually(
      'the follow-up to finish',
      async () => (await store.exceptions.listApprovalCards(requestId, 1)).length >= 2 && (await store.exceptions.listFollowUps(requestId)).length === 0,
      { timeoutMs: 15_000, intervalMs: 50 },
    ).catch((error: unknown) => {
      throw new Error(`follow-up not finished\n${second.child.tail()}`, { cause: error });
    });
    expect(approvalCards(ANNA)).toHaveLength(1);
    expect(approvalCards(BEN)).toHaveLength(1);

    // The activity ids were kept: Anna's approval replaces Ben's card with the decision.
    expect((await postActivity(second.url, a.execute(ANNA, 'exc.approve', { requestId, round: 1, comment: 'Vendor letter checked.' }))).status).toBe(200);
    await connector.waitFor((sent) => sent.some((s) => s.method === 'PUT' && s.conversationId === a.conversationId(BEN)), 15_000, "Ben's card updated with the decision");
    expect(approvalCards(ANNA)).toHaveLength(1);
    expect(approvalCards(BEN)).toHaveLength(1);
    await second.child.stop(5_000);
  } finally {
    await Promise.all(children.map((c) => c.stop(1_000)));
    await connector.stop();
    await sandbox.stop();
  }
});
