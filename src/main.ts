import { loadConfig, type Config } from './config';
import { describeError } from './domain/errors';
import { createLogger } from './logging';
import { startTelemetry } from './telemetry';

/**
 * How long a stop may take before the process exits anyway. App Service stops an instance with
 * SIGTERM and kills it a little later (scale-in, restart, deployment): the drain below (turns,
 * background work, the outbox's sends in flight) must end before that. Work not finished by then
 * is safe: the outbox keeps unsent messages queued and leases expire.
 */
const SHUTDOWN_DEADLINE_MS = 25_000;

/** Process entry: validate config once, start telemetry, compose, listen, drain on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`MFA Shepherd cannot start. ${describeError(error).message}\n`);
    process.exit(78); // EX_CONFIG
  }
  // Before the rest of the app is loaded, so http and the Azure SDKs are instrumented.
  const telemetry = startTelemetry({ connectionString: config.telemetry.connectionString });
  const logger = createLogger({ level: config.logLevel, pretty: config.logPretty });
  // Last resort: an error nothing handled means the process state is unknown. Log it and exit
  // (App Service restarts the process); in-flight work is recovered from storage. No request
  // should ever get here: every route answers its own errors.
  const lastResort = (kind: string) => (error: unknown) => {
    logger.fatal({ err: describeError(error), kind }, 'unhandled error: exiting');
    process.exit(70); // EX_SOFTWARE
  };
  process.on('uncaughtException', lastResort('uncaughtException'));
  process.on('unhandledRejection', lastResort('unhandledRejection'));
  const { composeMfaShepherd } = await import('./compose');
  const shepherd = await composeMfaShepherd(config, logger);
  const { url } = await shepherd.start();
  logger.info({ url, messagingEndpoint: `${url}/api/messages`, localMode: config.localMode, telemetry: telemetry.enabled }, 'MFA Shepherd is listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const startedAt = performance.now();
    logger.info({ signal, deadlineMs: SHUTDOWN_DEADLINE_MS }, 'stopping');
    const deadline = setTimeout(() => {
      logger.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'stop took too long; exiting with work unfinished (the outbox keeps it queued)');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    shepherd
      .stop()
      .then(() => telemetry.shutdown())
      .then(
        () => {
          logger.info({ ms: Math.round(performance.now() - startedAt) }, 'stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: describeError(error) }, 'stop failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`MFA Shepherd failed to start: ${describeError(error).code} ${describeError(error).message}\n`);
  process.exit(1);
});
