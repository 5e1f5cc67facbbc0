import { performance } from 'node:perf_hooks';
import { QueueClient } from '@azure/storage-queue';
import { messageTo, seedContacts, startOutboxRig, userIds } from '../../test/support/outbox-rig';
import type { OutboxSpec, ScenarioResult } from '../types';

/**
 * The outbox as production runs it: the ledger and queue on Azurite, the worker, the real Teams
 * Messenger (botbuilder, pacer) over HTTP to the parent's limit-enforcing connector.
 * Contacts are seeded and the messages enqueued before the clock starts; the timed section is the
 * drain, from the worker's start until every message has an outcome.
 */
export async function runOutbox(spec: OutboxSpec): Promise<ScenarioResult> {
  const rig = await startOutboxRig({ connectionString: spec.connectionString, tablePrefix: spec.tablePrefix, connectorUrl: spec.connectorUrl });
  const users = userIds(spec.users, 'bench');
  const s0 = performance.now();
  await seedContacts(rig.storage, spec.connectorUrl, users);
  const e0 = performance.now();
  for (let i = 0; i < users.length; i += 500) await rig.outbox.enqueue(users.slice(i, i + 500).map((u) => messageTo(u)));
  const e1 = performance.now();

  const queue = new QueueClient(spec.connectionString, rig.queueName);
  const worker = rig.newWorker({ concurrency: spec.concurrency, visibilityTimeoutMs: 30_000, idlePollMs: 200 });
  const rssBeforeMiB = process.memoryUsage().rss / 1024 / 1024;
  const t0 = performance.now();
  process.stderr.write(`    seeded ${spec.users} contacts in ${((e0 - s0) / 1000).toFixed(1)} s, enqueued in ${((e1 - e0) / 1000).toFixed(1)} s; draining\n`);
  worker.start();
  let reported = t0;
  for (;;) {
    const s = worker.stats();
    // Drained: nothing in flight and nothing queued (invisible keys, awaiting a redelivery, count as queued).
    // Done when nothing is queued or in flight and every key has an outcome; a key whose "sent" write timed out
    // after storage applied it is settled by its redelivery (counted as a suppressed duplicate), not by "sent".
    if (s.inFlight === 0 && s.sent + s.duplicatesSuppressed + s.undeliverable + s.parked + s.lostLeases >= spec.users && (await queue.getProperties()).approximateMessagesCount === 0) break;
    if (performance.now() - reported > 10_000) {
      reported = performance.now();
      process.stderr.write(`    ${((reported - t0) / 1000).toFixed(0)} s: ${JSON.stringify(s)}\n`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - t0) / 1000;
  await worker.stop();
  const s = worker.stats();
  return {
    kind: 'outbox',
    seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    rssBeforeMiB,
    entitiesWritten: spec.users,
    transactions: 0,
    estimatedBytes: 0,
    outbox: {
      seedSeconds: (e0 - s0) / 1000,
      enqueueSeconds: (e1 - e0) / 1000,
      sent: s.sent,
      duplicatesSuppressed: s.duplicatesSuppressed,
      takenOver: s.takenOver,
      retried: s.retried,
      parked: s.parked,
      undeliverable: s.undeliverable,
      errors: s.errors,
    },
  };
}
