/**
 * Crash test of first notices: a process sweeps (claiming each newly listed user's notice in the
 * ledger, then handing it to the outbox) while its outbox worker delivers through the
 * limit-enforcing local connector. It is killed (SIGKILL), restarted, 21 times, then allowed to
 * finish. Each kill is triggered by the process's own progress, never a timer, in turn: right after
 * the ledger held its Nth claim (before the outbox had it: the window where a notice used to stay
 * "in flight" for good), right after the outbox took its Nth notice, and the moment Teams accepted
 * its Nth send (before the answer reached it). 200 users are newly listed. No user may miss their
 * notice, and no user may get two, except where at-least-once allows: the process died after Teams
 * accepted the send and before the outbox ledger recorded it (see crash-timeline.ts).
 */
import { resolve } from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { firstNoticeOutboxKey } from '../../src/domain/notice';
import { nodeCommand, spawnChild, waitForLine, type Child } from '../../scripts/lib/children';
import { LocalConnector } from '../support/connector';
import { bundleChild } from '../support/bundle-child';
import { auditDuplicates, describeGaps, killWhen, type Generation } from '../support/crash-timeline';
import { eventually } from '../support/eventually';
import { conversationOf, OUTBOX_TENANT, seedContacts, startOutboxRig, userIds } from '../support/outbox-rig';
import { connectionString, principal, randomPrefix } from '../storage/helpers';

const USERS = 200;
const KILLS = 21;
const SWEEP_EVERY_MS = 200;
/** One send at a time, answered 30 ms after Teams accepted it: a window for a kill to hit. */
const CONCURRENCY = 1;
const ANSWER_DELAY_MS = 30;
const DETECTED_AT = new Date('2026-03-02T10:00:00Z');
const ROOT = resolve(__dirname, '..', '..');

interface NoticeGeneration extends Generation {
  claimed: Set<string>;
  enqueued: Set<string>;
}

// Twenty restarts take ~25 s on an idle machine; a loaded one (CPU hogs, other jobs) is given room.
jest.setTimeout(360_000);

const childScript = bundleChild('test/support/notice-crash-child.ts');

it('when the notifying process is killed 21 times at points of its own progress, then each of 200 newly listed users gets their first notice, none twice unless a kill fell between Teams accepting it and the ledger recording it', async () => {
  const began = Date.now();
  const connector = await new LocalConnector({ enforceLimits: true, answerDelayMs: ANSWER_DELAY_MS }).start();
  const prefix = randomPrefix();
  const children: Child[] = [];
  try {
    const rig = await startOutboxRig({ connectionString: connectionString(), tablePrefix: prefix, connectorUrl: connector.url });
    const users = userIds(USERS, 'notice');
    await rig.storage.principals.saveMany(users.map((u) => principal(u, { tenantId: OUTBOX_TENANT, firstDetectedAt: DETECTED_AT, episodeStartedAt: DETECTED_AT })));
    await seedContacts(rig.storage, connector.url, users);
    const keyOf = (u: string): string => firstNoticeOutboxKey({ objectId: u, episode: 1 }, 1);

    const generations: NoticeGeneration[] = [];
    const start = async (): Promise<Child> => {
      const child = spawnChild({
        name: `notices-${generations.length}`,
        ...nodeCommand([childScript]),
        cwd: ROOT,
        env: { ...process.env, NODE_OPTIONS: '', NOTICE_PREFIX: prefix, CONNECTOR_URL: connector.url, OUTBOX_CONCURRENCY: String(CONCURRENCY), SWEEP_EVERY_MS: String(SWEEP_EVERY_MS) },
        silent: true,
        registry: null,
      });
      children.push(child);
      const g: NoticeGeneration = { startedAt: Date.now(), recorded: new Set(), claimed: new Set(), enqueued: new Set() };
      generations.push(g);
      child.onLine((line) => {
        const [word, arg] = line.split(' ');
        if (word === 'sent') g.recorded.add(arg!);
        else if (word === 'claimed') g.claimed.add(arg!);
        else if (word === 'enqueued') g.enqueued.add(arg!);
      });
      await waitForLine(child, /^ready$/, { timeoutMs: 30_000, what: 'the notifying process to start' });
      return child;
    };

    // Where each kill landed, for the log: outcomes are asserted, not these.
    let claimedNotQueued = 0;
    const triggers: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const child = await start();
      const g = generations[generations.length - 1]!;
      const n = 1 + (k % 7);
      const mode = k % 3;
      const trigger = await killWhen(child, g, (fire) => {
        let accepted = 0;
        // The claim and enqueue kills fall back to this once the sweep has nothing left to claim.
        const offAccepted = connector.onAccepted(() => {
          if (++accepted === (mode === 2 ? n : n + 1)) fire(`as Teams accepted its send ${accepted}`);
        });
        if (mode === 2) return offAccepted;
        let seen = 0;
        const offLine = child.onLine((line) => {
          if (mode === 0 && line.startsWith('claimed ') && ++seen === n) fire(`right after the ledger held its claim ${n}`);
          if (mode === 1 && line.startsWith('enqueued ') && ++seen === n) fire(`right after the outbox took its notice ${n}`);
        });
        return () => {
          offAccepted();
          offLine();
        };
      });
      triggers.push(trigger.why);
      await child.exited;
      const queued = new Set([...g.enqueued]);
      if ([...g.claimed].some((u) => !queued.has(keyOf(u)))) claimedNotQueued += 1;
    }
    const acceptedBeforeLastKill = connector.sent.length;

    // The last one finishes: every notice recorded as sent in the notice ledger and the queue empty.
    const killsDoneAt = Date.now();
    const last = await start();
    const queue = new QueueClient(connectionString(), rig.queueName);
    const sentInLedger = async () => (await rig.storage.notices.list(OUTBOX_TENANT)).filter((n) => n.kind === 'first' && n.status === 'sent').length;
    await eventually('every notice recorded sent and the queue empty', async () => (await sentInLedger()) === USERS && (await queue.getProperties()).approximateMessagesCount === 0, {
      timeoutMs: 90_000,
      intervalMs: 200,
    }).catch(async (error: unknown) => {
      const delivered = new Set(connector.sent.map((s) => s.conversationId));
      throw new Error(`not done: ${delivered.size}/${USERS} users reached, ${await sentInLedger()} recorded sent\n${last.tail()}`, { cause: error });
    });
    // One more sweep after everything was recorded: it queues nothing.
    await waitForLine(last, /^sweep done .*"queued":0/, { timeoutMs: 10_000, what: 'a sweep with nothing to queue' });
    await last.stop();

    // Missed: none. Each notice is the first attempt (no kill may make one look undeliverable).
    const byUser = new Map<string, number[]>();
    for (const s of connector.sent) byUser.set(s.conversationId, [...(byUser.get(s.conversationId) ?? []), s.at]);
    const missed = users.filter((u) => !byUser.has(conversationOf(u)));
    expect(missed).toEqual([]);
    const notices = await rig.storage.notices.list(OUTBOX_TENANT);
    expect(notices.filter((n) => n.status === 'sent' && n.attempt === 1).map((n) => n.objectId).sort()).toEqual(users);

    // Duplicates: each one explained by a kill after Teams accepted the first copy and before the
    // ledger recorded it, with the second copy sent after that kill.
    const { duplicates, gaps, unexplained } = auditDuplicates(new Map(users.map((u) => [keyOf(u), byUser.get(conversationOf(u)) ?? []])), generations);
    expect(unexplained).toEqual([]);

    const kills = generations.filter((g) => g.killedAt !== undefined).length;
    const queuedAgain = users.filter((u) => generations.filter((g) => g.enqueued.has(keyOf(u))).length > 1).length;
    console.log(
      [
        `notice crash test: ${USERS} newly listed users, ${kills} kills in ${((killsDoneAt - began) / 1000).toFixed(1)} s: ${triggers.filter((t) => t.includes('claim')).length} right after a claim, ${triggers.filter((t) => t.includes('outbox took')).length} right after an enqueue, ${triggers.filter((t) => t.startsWith('as Teams')).length} as Teams accepted a send; ${claimedNotQueued} left a claim the outbox did not hold yet`,
        `${queuedAgain} notices queued again by a later process (absorbed by the outbox ledger), ${acceptedBeforeLastKill} sends accepted before the last kill`,
        `missed 0, duplicates ${duplicates} (all explained: the kill came ${describeGaps(gaps)} after Teams accepted the first copy (negative: the request was on the wire), before the ledger recorded it), 429s ${connector.throttled.length}`,
      ].join('\n'),
    );
    expect(kills).toBe(KILLS);
  } finally {
    await Promise.all(children.map((c) => c.stop(1_000)));
    await connector.stop();
  }
});
