/**
 * The exception crash test's bot process (`node --import tsx test/support/exception-crash-child.ts`):
 * the real bot, composed as production composes it, from the configuration in SHEPHERD_ENV (JSON).
 * Prints `ready <url>` once listening, and `stored <action> <request id>` after each change of an
 * exception request is written (stdout to a pipe is synchronous on Linux: the line is out before
 * anything else happens). With FREEZE_AFTER=<action>, the process then stops dead (its only thread
 * blocked) until it is killed: nothing after that write runs, as if the machine had died there.
 */
import { composeMfaShepherd } from '../../src/compose';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logging';

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const config = loadConfig(JSON.parse(need('SHEPHERD_ENV')) as Record<string, string>);
  const logger = createLogger({ level: config.logLevel });
  const shepherd = await composeMfaShepherd(config, logger, {
    scheduler: false,
    http: { retry: { baseDelayMs: 10, maxDelayMs: 50 }, timeoutMs: 2_000 },
    outbox: { idlePollMs: 25, retryBaseDelayMs: 200, retryMaxDelayMs: 1_000 },
  });
  const store = shepherd.storage.exceptions;
  const apply = store.apply.bind(store);
  const freezeAfter = process.env.FREEZE_AFTER ?? '';
  store.apply = async (next, audit, followUp) => {
    const stored = await apply(next, audit, followUp);
    process.stdout.write(`stored ${audit.action} ${next.id}\n`);
    if (audit.action === freezeAfter) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);
    return stored;
  };
  const { url } = await shepherd.start();
  process.stdout.write(`ready ${url}\n`);
  process.once('SIGTERM', () => {
    void shepherd.stop().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`exception crash child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
