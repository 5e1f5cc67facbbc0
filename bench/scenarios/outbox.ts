import { performance } from 'node:perf_hooks';
import { QueueClient } from '@azure/storage-queue';
import type { OutboxCounters } from '../../src/app/outbox';
import { createNotices, type Notices } from '../../src/app/notices';
import type { Principal } from '../../src/domain/compliance';
import { createLogger } from '../../src/logging';
import { systemClock } from '../../src/system-clock';
import { messageTo, OUTBOX_TENANT, seedContacts, startOutboxRig, userIds } from '../../test/support/outbox-rig';
import type { OutboxSpec, ScenarioResult } from '../types';

/**
 * The outbox as production runs it: the ledger and queue on Azurite, the worker, the real Teams
 * Messenger (botbuilder, pacer) over HTTP to the parent's limit-enforcing connector.
 * Contacts are seeded and the messages enqueued before the clock starts; the timed section is the
 * drain, from the worker's start until every message has an outcome.
 */
export async function runOutbox(spec: OutboxSpec): Promise<ScenarioResult> {
  if (spec.mode === 'firstNotices') return runFirstNotices(spec);
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
  await drain(worker, queue, spec.users, t0);
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

const LISTED_AT = new Date('2026-11-23T09:00:00.000Z');

function listed(objectId: string): Principal {
  return {
    tenantId: OUTBOX_TENANT,
    objectId,
    upn: `${objectId}@contoso-partner.example`,
    status: 'nonCompliant',
    firstDetectedAt: LISTED_AT,
    episode: 1,
    episodeStartedAt: LISTED_AT,
    recordCount: 2,
    firstNonMfaAt: new Date(LISTED_AT.getTime() - 26 * 3600_000),
    lastNonMfaAt: new Date(LISTED_AT.getTime() - 3600_000),
  };
}

/**
 * First notices as production sends them: `spec.users` newly listed users (principals and chats
 * seeded before the clock starts), then the notice sweep (ledger claims, enqueues in batches of 32)
 * with the worker draining at once, its reports going back to the notice ledger as compose wires
 * them. Timed from the sweep's start until the ledger records every notice sent.
 */
async function runFirstNotices(spec: OutboxSpec): Promise<ScenarioResult> {
  const logger = createLogger({ level: 'silent' });
  const late: { notices?: Notices } = {};
  const rig = await startOutboxRig({
    connectionString: spec.connectionString,
    tablePrefix: spec.tablePrefix,
    connectorUrl: spec.connectorUrl,
    logger,
    callbacks: {
      onSent: async (record) => {
        await late.notices?.recordOutcome(record, { sent: true });
      },
    },
  });
  const users = userIds(spec.users, 'bench');
  const s0 = performance.now();
  await seedContacts(rig.storage, spec.connectorUrl, users);
  await rig.storage.principals.saveMany(users.map(listed));
  const e0 = performance.now();
  const notices = createNotices({
    tenantId: OUTBOX_TENANT,
    principals: rig.storage.principals,
    contacts: rig.storage.contacts,
    ledger: rig.storage.notices,
    outbox: rig.outbox,
    outboxLedger: rig.store,
    clock: systemClock,
    logger,
  });
  late.notices = notices;
  const worker = rig.newWorker({ concurrency: spec.concurrency, visibilityTimeoutMs: 30_000, idlePollMs: 200 });
  const rssBeforeMiB = process.memoryUsage().rss / 1024 / 1024;
  process.stderr.write(`    seeded ${spec.users} listed users with chats in ${((e0 - s0) / 1000).toFixed(1)} s; sweeping and draining\n`);
  const t0 = performance.now();
  worker.start();
  const tally = await notices.sweep();
  const sweepSeconds = (performance.now() - t0) / 1000;
  process.stderr.write(`    sweep done in ${sweepSeconds.toFixed(1)} s: ${JSON.stringify(tally)}\n`);
  const queue = new QueueClient(spec.connectionString, rig.queueName);
  let ledgerSent = 0;
  // Also wait for the notice ledger to record every send (the outbox reports back to it).
  await drain(worker, queue, spec.users, t0, async (s) => {
    ledgerSent = (await rig.storage.notices.list(OUTBOX_TENANT)).filter((n) => n.status === 'sent').length;
    return ledgerSent + s.undeliverable + s.parked >= spec.users;
  });
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
      enqueueSeconds: sweepSeconds,
      sweepSeconds,
      ledgerSent,
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

/**
 * Wait until the worker has drained `users` keys: nothing in flight, nothing queued (invisible keys,
 * awaiting a redelivery, count as queued) and every key with an outcome. A key whose "sent" write
 * timed out after storage applied it is settled by its redelivery (a suppressed duplicate), not by
 * "sent". `settled` can ask for more once that holds. Progress goes to stderr every 10 s.
 */
async function drain(
  worker: { stats(): OutboxCounters & { inFlight: number } },
  queue: QueueClient,
  users: number,
  t0: number,
  settled: (s: OutboxCounters & { inFlight: number }) => Promise<boolean> = async () => true,
): Promise<void> {
  let reported = t0;
  for (;;) {
    const s = worker.stats();
    const outcomes = s.sent + s.duplicatesSuppressed + s.undeliverable + s.parked + s.lostLeases;
    if (s.inFlight === 0 && outcomes >= users && (await queue.getProperties()).approximateMessagesCount === 0 && (await settled(s))) return;
    if (performance.now() - reported > 10_000) {
      reported = performance.now();
      process.stderr.write(`    ${((reported - t0) / 1000).toFixed(0)} s: ${JSON.stringify(s)}\n`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
