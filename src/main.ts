import { composeMfaShepherd } from './compose';
import { loadConfig } from './config';
import { describeError } from './domain/errors';
import { createLogger } from './logging';

/** Process entry: validate config once, compose, listen, stop cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`MFA Shepherd cannot start. ${describeError(error).message}\n`);
    process.exit(78); // EX_CONFIG
  }
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
  const shepherd = await composeMfaShepherd(config, logger);
  const { url } = await shepherd.start();
  logger.info({ url, messagingEndpoint: `${url}/api/messages`, localMode: config.localMode }, 'MFA Shepherd is listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    shepherd.stop().then(
      () => process.exit(0),
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
