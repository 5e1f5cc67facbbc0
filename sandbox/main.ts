/**
 * Runs the sandbox on its own: `tsx sandbox/main.ts [--port 3979] [--host 127.0.0.1]
 * [--seed default|empty] [--page-size 1000] [--no-auto-approve]
 * [--state-dir DIR]`. With a state directory, Entra's signing keys and issued tokens survive a restart. Stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startSandbox, type SandboxOptions } from './index';

function options(argv: string[]): SandboxOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string', default: 'default' },
      'page-size': { type: 'string', default: '1000' },
      'no-auto-approve': { type: 'boolean', default: false },
      'state-dir': { type: 'string' },
    },
    strict: true,
  });
  const port = Number(values.port);
  const pageSize = Number(values['page-size']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got "${values.port}"`);
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new Error(`--page-size must be a positive integer, got "${values['page-size']}"`);
  if (values.seed !== 'default' && values.seed !== 'empty') throw new Error(`--seed must be "default" or "empty", got "${values.seed}"`);
  return {
    port,
    host: values.host,
    seed: values.seed,
    pageSize,
    autoApproveDeviceCodes: !values['no-auto-approve'],
    ...(values['state-dir'] === undefined ? {} : { stateDir: values['state-dir'] }),
  };
}

async function main(): Promise<void> {
  const sandbox = await startSandbox(options(process.argv.slice(2)));
  console.log(`MFA Shepherd sandbox listening on ${sandbox.url}`);
  console.log(`  overview        ${sandbox.url}/`);
  console.log(`  Partner Center  ${sandbox.url}/pc   (GET /pc/v1/nonMfaCompliantPartnerPrincipals)`);
  console.log(`  Graph           ${sandbox.url}/graph/v1.0`);
  console.log(`  Entra (msal)    ${sandbox.url}/entra  (rewrite https://login.microsoftonline.com/<rest> to here)`);
  console.log(`  device login    ${sandbox.url}/entra/devicelogin   MFA setup ${sandbox.url}/mfasetup`);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.log(`sandbox: ${signal} received, stopping`);
    sandbox.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('sandbox: stop failed', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
