/**
 * The first-notice crash test's process (`node test/support/notice-crash-child.ts`, bundled): one
 * bot instance's first-notice path as production composes it (the notice sweep on the real notice
 * ledger, the real outbox on Azurite, the real outbox worker delivering through the Teams Messenger
 * to the LocalConnector at CONNECTOR_URL, the worker's reports going back to the ledger), sweeping
 * every SWEEP_EVERY_MS (as the sweep after each sync would) until it is killed.
 *
 * Prints (stdout to a pipe is synchronous on Linux, so a printed line happened before any later
 * kill): `ready`; `claimed <objectId>` once the ledger holds the claim (nothing queued yet: the
 * window that used to lose a notice); `enqueued <key>` once the outbox holds it; `sweep done <tally
 * json>`; `sent <key>` each time the outbox ledger recorded a send.
 */
import { createNotices, type Notices } from '../../src/app/notices';
import type { NoticeLedger, Outbox } from '../../src/app/ports';
import { systemClock } from '../../src/system-clock';
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
  const everyMs = Number(need('SWEEP_EVERY_MS'));
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  // The worker's reports go back to the notice ledger, as composeMfaShepherd wires them.
  const late: { notices?: Notices } = {};
  const rig = await startOutboxRig({
    connectionString: need('AZURE_STORAGE_CONNECTION_STRING'),
    tablePrefix: need('NOTICE_PREFIX'),
    connectorUrl: need('CONNECTOR_URL'),
    worker: { visibilityTimeoutMs: 2_000, idlePollMs: 100, concurrency: Number(need('OUTBOX_CONCURRENCY')), retryBaseDelayMs: 1_000, retryMaxDelayMs: 2_000 },
    logger,
    callbacks: {
      onSent: async (record) => {
        print(`sent ${record.key}`);
        await late.notices?.recordOutcome(record, { sent: true });
      },
    },
  });
  // The ports the sweep writes through, reporting each write once it is durable.
  const ledger: NoticeLedger = {
    ...rig.storage.notices,
    async claim(key, at) {
      const claim = await rig.storage.notices.claim(key, at);
      if (claim.claimed) print(`claimed ${key.objectId}`);
      return claim;
    },
  };
  const outbox: Outbox = {
    async enqueue(messages) {
      await rig.outbox.enqueue(messages);
      for (const m of messages) print(`enqueued ${m.key}`);
    },
  };
  const notices = createNotices({
    tenantId: OUTBOX_TENANT,
    principals: rig.storage.principals,
    contacts: rig.storage.contacts,
    ledger,
    outbox,
    outboxLedger: rig.store,
    clock: systemClock,
    logger,
  });
  late.notices = notices;
  const worker = rig.newWorker();
  worker.start();
  print('ready');

  let stopping = false;
  process.once('SIGTERM', () => {
    stopping = true;
    void worker.stop().finally(() => process.exit(0));
  });
  while (!stopping) {
    try {
      print(`sweep done ${JSON.stringify(await notices.sweep())}`);
    } catch (error) {
      print(`sweep failed ${error instanceof Error ? error.message : String(error)}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`notice crash child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
