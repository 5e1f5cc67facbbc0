/**
 * The sweep crash test's process (`node --import tsx test/support/sweep-crash-child.ts`): one bot
 * instance's nudge path as production composes it (the nudge sweep on the real stores, the real
 * outbox on Azurite, the real outbox worker delivering through the Teams Messenger to the
 * LocalConnector at CONNECTOR_URL), sweeping every SWEEP_EVERY_MS until it is killed.
 *
 * Its clock reads SWEEP_NOW (epoch ms) at SWEEP_ANCHOR (the parent's wall clock, epoch ms) and
 * runs with the wall clock from there, so every process of the test shares one timeline and a
 * killed process's lease (SWEEP_LEASE_TTL_MS) expires for the next one as it would in production.
 *
 * Prints (stdout to a pipe is synchronous on Linux, so a printed line happened before any later kill):
 * `ready`; `sweep start`; `enqueued <key>` once the outbox holds a key; `saved <objectId> <remindersSent>`
 * once the nudge state is recorded; `sweep done <summary json>`; `sent <key>` each time the ledger
 * recorded a send.
 */
import { createNudgeSweep } from '../../src/app/nudge-sweep';
import type { NudgeStore, Outbox } from '../../src/app/ports';
import { createNudgePolicy } from '../../src/domain/nudge';
import { createLogger } from '../../src/logging';
import { OUTBOX_TENANT, startOutboxRig } from './outbox-rig';

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function main(): Promise<void> {
  const now = Number(need('SWEEP_NOW'));
  const anchor = Number(need('SWEEP_ANCHOR'));
  const everyMs = Number(need('SWEEP_EVERY_MS'));
  const rig = await startOutboxRig({
    connectionString: need('AZURE_STORAGE_CONNECTION_STRING'),
    tablePrefix: need('SWEEP_PREFIX'),
    connectorUrl: need('CONNECTOR_URL'),
    worker: { visibilityTimeoutMs: 2_000, idlePollMs: 100, concurrency: Number(need('OUTBOX_CONCURRENCY')), retryBaseDelayMs: 1_000, retryMaxDelayMs: 2_000 },
    callbacks: { onSent: (record) => print(`sent ${record.key}`) },
  });
  // The ports the sweep writes through, reporting each write once it is durable.
  const outbox: Outbox = {
    async enqueue(messages) {
      await rig.outbox.enqueue(messages);
      for (const m of messages) print(`enqueued ${m.key}`);
    },
  };
  const nudges: NudgeStore = {
    listAll: (tenantId) => rig.storage.nudges.listAll(tenantId),
    get: (tenantId, objectId) => rig.storage.nudges.get(tenantId, objectId),
    async save(tenantId, state) {
      const saved = await rig.storage.nudges.save(tenantId, state);
      print(`saved ${state.objectId} ${state.remindersSent}`);
      return saved;
    },
  };
  const sweep = createNudgeSweep({
    tenantId: OUTBOX_TENANT,
    principals: rig.storage.principals,
    nudges,
    notices: rig.storage.notices,
    contacts: rig.storage.contacts,
    settings: rig.storage.settings,
    // Only first reminders are due: /manager is asked, and nobody has one.
    graph: { getManager: () => Promise.resolve(undefined) },
    outbox,
    leases: rig.storage.leases,
    policy: createNudgePolicy(),
    adminIds: ['admin-1'],
    defaultTimezone: need('SWEEP_ZONE'),
    clock: { now: () => new Date(now + (Date.now() - anchor)) },
    logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    instanceId: `crash-${process.pid}`,
    leaseTtlMs: Number(need('SWEEP_LEASE_TTL_MS')),
  });
  const worker = rig.newWorker();
  worker.start();
  print('ready');

  let stopping = false;
  process.once('SIGTERM', () => {
    stopping = true;
    void worker.stop().finally(() => process.exit(0));
  });
  while (!stopping) {
    print('sweep start');
    try {
      print(`sweep done ${JSON.stringify(await sweep())}`);
    } catch (error) {
      print(`sweep failed ${error instanceof Error ? error.message : String(error)}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`sweep crash child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
