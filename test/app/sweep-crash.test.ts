/**
 * Crash test of the whole nudge path: a process sweeps (the nudge sweep deciding who is due,
 * enqueuing each reminder under its deterministic key, then recording it under the state's etag)
 * while its outbox worker delivers through the limit-enforcing local connector. It is killed
 * (SIGKILL), restarted, 20 times, then allowed to finish. Each kill is triggered by the process's
 * own progress, never a timer: alternately right after the outbox took its Nth reminder (while
 * that reminder's state is being recorded), and the moment Teams accepted its Nth send (before the
 * answer reached it). 150 users are due their
 * first reminder. No user may miss it, and no user may get two, except where at-least-once allows:
 * the process died after Teams accepted the send and before the ledger recorded it (see
 * crash-timeline.ts). A kill between the enqueue and the record makes the next process enqueue the
 * same key again; the outbox ledger must absorb it.
 */
import { resolve } from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { nudgeKey } from '../../src/app/nudge-sweep';
import { nodeCommand, spawnChild, waitForLine, type Child } from '../../scripts/lib/children';
import { LocalConnector, textOf } from '../support/connector';
import { bundleChild } from '../support/bundle-child';
import { auditDuplicates, describeGaps, killWhen, type Generation } from '../support/crash-timeline';
import { eventually } from '../support/eventually';
import { conversationOf, OUTBOX_TENANT, seedContacts, startOutboxRig, userIds } from '../support/outbox-rig';
import { connectionString, principal, randomPrefix } from '../storage/helpers';

const USERS = 150;
const KILLS = 20;
/** Monday 10:00 in London: every first notice went out then. */
const NOTICE_AT = new Date('2026-03-02T10:00:00Z');
/** Wednesday 11:00 in London: the first reminder (2 business days on, in working hours) is due for everyone. */
const NOW = new Date('2026-03-04T11:00:00Z');
const ZONE = 'Europe/London';
const SWEEP_EVERY_MS = 200;
/** A killed process's lease holds the next one off this long (production: 10 minutes). */
const LEASE_TTL_MS = 1_000;
/** One send at a time, answered 30 ms after Teams accepted it: a window for a kill to hit. */
const CONCURRENCY = 1;
const ANSWER_DELAY_MS = 30;
const ROOT = resolve(__dirname, '..', '..');

interface SweepGeneration extends Generation {
  sweeping: boolean;
  /** Users whose reminder this process enqueued, and whose state it recorded. */
  enqueued: Set<string>;
  saved: Set<string>;
}

// Twenty restarts take ~25 s on an idle machine; a loaded one (CPU hogs, other jobs) is given room.
jest.setTimeout(360_000);

const childScript = bundleChild('test/support/sweep-crash-child.ts');

it('when the sweeping and delivering process is killed 20 times at points of its own progress, then each of 150 due users gets their first reminder, none twice unless a kill fell between Teams accepting it and the ledger recording it', async () => {
  const began = Date.now();
  const connector = await new LocalConnector({ enforceLimits: true, answerDelayMs: ANSWER_DELAY_MS }).start();
  const prefix = randomPrefix();
  const children: Child[] = [];
  try {
    const rig = await startOutboxRig({ connectionString: connectionString(), tablePrefix: prefix, connectorUrl: connector.url });
    const users = userIds(USERS, 'sweep');
    await rig.storage.principals.saveMany(users.map((u) => principal(u, { tenantId: OUTBOX_TENANT, firstDetectedAt: NOTICE_AT, episodeStartedAt: NOTICE_AT })));
    await seedContacts(rig.storage, connector.url, users);
    for (const u of users) {
      const key = { tenantId: OUTBOX_TENANT, objectId: u, kind: 'first' as const, episode: 1 };
      await rig.storage.notices.claim(key, NOTICE_AT);
      await rig.storage.notices.markSent(key, NOTICE_AT);
    }
    const keyOf = (u: string): string => nudgeKey(u, 1, 'reminder:1');
    const userOfKey = new Map(users.map((u) => [keyOf(u), u]));

    const anchor = Date.now();
    // Recorded in storage (a process may die after its save and before printing it).
    const recorded = async (): Promise<number> => (await rig.storage.nudges.listAll(OUTBOX_TENANT)).filter((s) => s.remindersSent === 1).length;
    const generations: SweepGeneration[] = [];
    const start = async (): Promise<Child> => {
      const child = spawnChild({
        name: `sweep-${generations.length}`,
        ...nodeCommand([childScript]),
        cwd: ROOT,
        env: {
          ...process.env,
          NODE_OPTIONS: '',
          SWEEP_PREFIX: prefix,
          CONNECTOR_URL: connector.url,
          OUTBOX_CONCURRENCY: String(CONCURRENCY),
          SWEEP_NOW: String(NOW.getTime()),
          SWEEP_ANCHOR: String(anchor),
          SWEEP_ZONE: ZONE,
          SWEEP_EVERY_MS: String(SWEEP_EVERY_MS),
          SWEEP_LEASE_TTL_MS: String(LEASE_TTL_MS),
        },
        silent: true,
        registry: null,
      });
      children.push(child);
      const g: SweepGeneration = { startedAt: Date.now(), recorded: new Set(), sweeping: false, enqueued: new Set(), saved: new Set() };
      generations.push(g);
      child.onLine((line) => {
        const [word, arg, more] = line.split(' ');
        if (word === 'sent') g.recorded.add(arg!);
        else if (word === 'enqueued') g.enqueued.add(userOfKey.get(arg!) ?? arg!);
        else if (word === 'saved') {
          // A state is saved here only as "first reminder sent": anything else is a defect.
          if (more !== '1') throw new Error(`unexpected save: ${line}`);
          g.saved.add(arg!);
        } else if (word === 'sweep') g.sweeping = arg === 'start';
      });
      await waitForLine(child, /^ready$/, { timeoutMs: 30_000, what: 'the sweeping process to start' });
      return child;
    };

    // Where each kill landed, for the log: outcomes are asserted, not these.
    let inSweep = 0;
    let betweenEnqueueAndRecord = 0;
    let inDelivery = 0;
    const triggers: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const child = await start();
      const g = generations[generations.length - 1]!;
      const n = 1 + (k % 7);
      const trigger = await killWhen(child, g, (fire) => {
        let accepted = 0;
        const offAccepted = connector.onAccepted(() => {
          // The even kills fall back to this once the sweep has nothing left to enqueue.
          if (++accepted === (k % 2 === 0 ? n + 1 : n)) fire(`as Teams accepted its send ${accepted}`);
        });
        if (k % 2 === 1) return offAccepted;
        let enqueued = 0;
        const offLine = child.onLine((line) => {
          if (line.startsWith('enqueued ') && ++enqueued === n) fire(`right after the outbox took its reminder ${n}`);
        });
        return () => {
          offAccepted();
          offLine();
        };
      });
      triggers.push(trigger.why);
      await child.exited;
      // Nobody writes between the kill and these reads: they are what was stored when the kill landed.
      const states = new Map((await rig.storage.nudges.listAll(OUTBOX_TENANT)).map((s) => [s.objectId, s.remindersSent]));
      if (g.sweeping && [...states.values()].filter((n) => n === 1).length < USERS) inSweep += 1;
      // The outbox holds the reminder, its state says not sent: the next process enqueues it again.
      if ([...g.enqueued].some((u) => states.get(u) !== 1)) betweenEnqueueAndRecord += 1;
      if (connector.sent.some((s) => s.at >= g.startedAt && s.at <= g.killedAt!)) inDelivery += 1;
    }
    const acceptedBeforeLastKill = connector.sent.length;

    // The last one finishes: every state recorded and the queue empty (a received message stays
    // counted until its delivery is settled), so whoever is not reached by then never will be.
    const killsDoneAt = Date.now();
    const last = await start();
    const queue = new QueueClient(connectionString(), rig.queueName);
    await eventually(
      'every state recorded and the queue empty',
      async () => (await recorded()) === USERS && (await queue.getProperties()).approximateMessagesCount === 0,
      { timeoutMs: 60_000, intervalMs: 200 },
    ).catch(async (error: unknown) => {
      const delivered = new Set(connector.sent.map((s) => s.conversationId));
      throw new Error(`not done: ${delivered.size}/${USERS} users reached, ${await recorded()} recorded\n${last.tail()}`, { cause: error });
    });
    // One more sweep after everything was recorded: it finds nothing due.
    await waitForLine(last, /^sweep done .*"due":0/, { timeoutMs: 10_000, what: 'a sweep with nothing due' });
    await last.stop();

    // Missed: none. Each user's state says one reminder sent, and only reminder 1 went out.
    const byUser = new Map<string, number[]>();
    for (const s of connector.sent) byUser.set(s.conversationId, [...(byUser.get(s.conversationId) ?? []), s.at]);
    const missed = users.filter((u) => !byUser.has(conversationOf(u)));
    expect(missed).toEqual([]);
    const wrong = connector.sent.filter((s) => !textOf(s).includes(`reminder 1 of 3`) || !textOf(s).includes(` ${s.conversationId.replace('a:conv-', '')}@example.com `));
    expect(wrong.map((s) => `${s.conversationId}: ${textOf(s).slice(0, 200)}`)).toEqual([]);
    const states = await rig.storage.nudges.listAll(OUTBOX_TENANT);
    expect(states.filter((s) => s.remindersSent === 1).map((s) => s.objectId).sort()).toEqual(users);

    // Duplicates: each one explained by a kill after Teams accepted the first copy and before the
    // ledger recorded it, with the second copy sent after that kill.
    const { duplicates, gaps, unexplained } = auditDuplicates(new Map(users.map((u) => [keyOf(u), byUser.get(conversationOf(u)) ?? []])), generations);
    expect(unexplained).toEqual([]);

    const kills = generations.filter((g) => g.killedAt !== undefined).length;
    const enqueuedTwice = users.filter((u) => generations.filter((g) => g.enqueued.has(u)).length > 1).length;
    console.log(
      [
        `sweep crash test: ${USERS} users due, ${kills} kills in ${((killsDoneAt - began) / 1000).toFixed(1)} s (${((Date.now() - began) / 1000).toFixed(1)} s with seeding and the last process): ${triggers.filter((t) => t.startsWith('right after')).length} right after an enqueue, ${triggers.filter((t) => t.startsWith('as Teams')).length} as Teams accepted a send; ${inSweep} while the sweep had users left to record, ${inDelivery} while sends were being accepted, ${betweenEnqueueAndRecord} between a reminder's enqueue and its record`,
        `${enqueuedTwice} reminders enqueued again by a later process (absorbed by the ledger), ${acceptedBeforeLastKill} sends accepted before the last kill`,
        `missed 0, duplicates ${duplicates} (all explained: the kill came ${describeGaps(gaps)} after Teams accepted the first copy (negative: the request was on the wire), before the ledger recorded it), 429s ${connector.throttled.length}`,
      ].join('\n'),
    );
    expect(kills).toBe(KILLS);
  } finally {
    await Promise.all(children.map((c) => c.stop(1_000)));
    await connector.stop();
  }
});
