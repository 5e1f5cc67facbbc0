/**
 * Crash test: a worker process drains 300 messages to 300 users through the limit-enforcing local
 * connector and is killed (SIGKILL), restarted, 20 times, then allowed to finish. Each kill is
 * triggered by the process's own progress, never a timer: alternately right after its ledger
 * recorded its Nth send (another send in flight), and the moment Teams accepted its Nth send,
 * before the answer reached it (inside the at-least-once window).
 * No user may miss their message. A duplicate is allowed only where at-least-once permits it: the
 * process died after Teams accepted the send and before the ledger recorded it. Each duplicate must
 * be explained by a kill inside that window (the connector knows when it answered, the test when it
 * killed, and the child printed each send the ledger recorded).
 */
import { resolve } from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { nodeCommand, spawnChild, waitForLine, type Child } from '../../scripts/lib/children';
import { LocalConnector } from '../support/connector';
import { bundleChild } from '../support/bundle-child';
import { auditDuplicates, describeGaps, killWhen, type Generation } from '../support/crash-timeline';
import { eventually } from '../support/eventually';
import { conversationOf, messageTo, seedContacts, startOutboxRig, textFor, userIds } from '../support/outbox-rig';
import { connectionString, randomPrefix } from '../storage/helpers';

const USERS = 300;
const KILLS = 20;
/**
 * Two sends at a time, answered 30 ms after Teams accepted them: about 50 messages per second, so
 * the 20 kills land all through the drain, and each send has a window between Teams accepting it
 * and the ledger recording it for a kill to hit.
 */
const CONCURRENCY = 2;
const ANSWER_DELAY_MS = 30;
const ROOT = resolve(__dirname, '..', '..');

// Twenty restarts take ~25 s on an idle machine; a loaded one (CPU hogs, other jobs) is given room.
jest.setTimeout(360_000);

const childScript = bundleChild('test/support/outbox-crash-child.ts');

it('when the worker is killed 20 times while draining 300 messages, then every user gets theirs, and every duplicate is explained by a kill between send and record', async () => {
  const connector = await new LocalConnector({ enforceLimits: true, answerDelayMs: ANSWER_DELAY_MS }).start();
  const prefix = randomPrefix();
  const children: Child[] = [];
  try {
    const rig = await startOutboxRig({ connectionString: connectionString(), tablePrefix: prefix, connectorUrl: connector.url });
    const users = userIds(USERS, 'crash');
    await seedContacts(rig.storage, connector.url, users);
    await rig.outbox.enqueue(users.map((u) => messageTo(u)));

    const generations: Generation[] = [];
    const start = async (): Promise<Child> => {
      const child = spawnChild({
        name: `outbox-worker-${generations.length}`,
        ...nodeCommand([childScript]),
        cwd: ROOT,
        env: { ...process.env, NODE_OPTIONS: '', OUTBOX_PREFIX: prefix, CONNECTOR_URL: connector.url, OUTBOX_CONCURRENCY: String(CONCURRENCY) },
        silent: true,
        registry: null,
      });
      children.push(child);
      const generation: Generation = { startedAt: Date.now(), recorded: new Set() };
      generations.push(generation);
      child.onLine((line) => {
        const sent = /^sent (.+)$/.exec(line);
        if (sent) generation.recorded.add(sent[1]!);
      });
      await waitForLine(child, /^ready$/, { timeoutMs: 30_000, what: 'the worker to start' });
      return child;
    };

    const triggers: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const child = await start();
      const g = generations[generations.length - 1]!;
      const n = 1 + (k % 5);
      const trigger = await killWhen(child, g, (fire) => {
        if (k % 2 === 0) {
          let recorded = 0;
          return child.onLine((line) => {
            if (line.startsWith('sent ') && ++recorded === n) fire(`after its ledger recorded send ${n}`);
          });
        }
        let accepted = 0;
        return connector.onAccepted(() => {
          if (++accepted === n) fire(`as Teams accepted its send ${n}`);
        });
      });
      triggers.push(trigger.why);
      await child.exited;
    }
    const acceptedBeforeLastKill = connector.sent.length;

    // The last one finishes: every user has a delivery and the queue is empty.
    const last = await start();
    const queue = new QueueClient(connectionString(), rig.queueName);
    await eventually(
      'every user reached and the queue empty',
      async () => new Set(connector.sent.map((s) => s.conversationId)).size === USERS && (await queue.getProperties()).approximateMessagesCount === 0,
      { timeoutMs: 60_000, intervalMs: 200 },
    ).catch((error: unknown) => {
      throw new Error(`not drained: ${new Set(connector.sent.map((s) => s.conversationId)).size}/${USERS} users reached\n${last.tail()}`, { cause: error });
    });
    await last.stop();

    // Lost: none.
    const byUser = new Map<string, number[]>();
    for (const s of connector.sent) byUser.set(s.conversationId, [...(byUser.get(s.conversationId) ?? []), s.at]);
    const lost = users.filter((u) => !byUser.has(conversationOf(u)));
    expect(lost).toEqual([]);
    expect(connector.sent.every((s) => s.activity.text === textFor(`test:${s.conversationId.replace('a:conv-', '')}`))).toBe(true);

    // Duplicates: each one explained by a kill after Teams accepted the first copy and before the
    // ledger recorded it, with the second copy sent after that kill.
    const { duplicates, gaps, unexplained } = auditDuplicates(new Map(users.map((u) => [`test:${u}`, byUser.get(conversationOf(u)) ?? []])), generations);
    expect(unexplained).toEqual([]);

    const kills = generations.filter((g) => g.killedAt !== undefined).length;
    console.log(
      [
        `outbox crash test: ${USERS} users, ${kills} kills (${triggers.filter((t) => t.startsWith('as Teams')).length} as Teams accepted a send, the others right after a recorded send), ${acceptedBeforeLastKill} sends accepted before the last kill`,
        `lost 0, duplicates ${duplicates} (all explained: the kill came ${describeGaps(gaps)} after Teams accepted the first copy (negative: the request was on the wire), before the ledger recorded it), 429s ${connector.throttled.length}`,
      ].join('\n'),
    );
    expect(kills).toBe(KILLS);
  } finally {
    await Promise.all(children.map((c) => c.stop(1_000)));
    await connector.stop();
  }
});
