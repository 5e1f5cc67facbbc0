/**
 * The crash test's worker process (`node --import tsx test/support/outbox-crash-child.ts`): drains
 * the outbox of OUTBOX_PREFIX through the LocalConnector at CONNECTOR_URL until it is killed.
 * Prints `ready` once receiving, and `sent <key>` each time the ledger recorded a send (stdout to a
 * pipe is synchronous on Linux, so a printed line happened before any later kill).
 */
import { startOutboxRig } from './outbox-rig';

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const rig = await startOutboxRig({
    connectionString: need('AZURE_STORAGE_CONNECTION_STRING'),
    tablePrefix: need('OUTBOX_PREFIX'),
    connectorUrl: need('CONNECTOR_URL'),
    worker: { visibilityTimeoutMs: 2_000, idlePollMs: 100, concurrency: Number(process.env.OUTBOX_CONCURRENCY ?? 16), retryBaseDelayMs: 1_000, retryMaxDelayMs: 2_000 },
    callbacks: {
      onSent: (record) => {
        process.stdout.write(`sent ${record.key}\n`);
      },
    },
  });
  const worker = rig.newWorker();
  worker.start();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void worker.stop().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`outbox crash child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
