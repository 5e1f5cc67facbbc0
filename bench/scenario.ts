/**
 * A scenario child, forked by run.ts (`node --import tsx bench/scenario.ts` with an IPC channel):
 * receives one ScenarioSpec, runs it, sends back one ChildMessage and exits. Not meant to be run
 * by hand.
 */
import { runFloor } from './scenarios/floor';
import { runOutbox } from './scenarios/outbox';
import { runSync } from './scenarios/sync';
import type { ChildMessage, ScenarioResult, ScenarioSpec } from './types';

function run(spec: ScenarioSpec): Promise<ScenarioResult> {
  if (spec.kind === 'outbox') return runOutbox(spec);
  return spec.kind === 'sync' ? runSync(spec) : runFloor(spec);
}

function reply(message: ChildMessage): void {
  // Exit once the message is out: open sockets (keep-alive agents) must not keep the child alive.
  process.send?.(message, () => process.exit(message.ok ? 0 : 1));
}

if (process.send === undefined) {
  process.stderr.write('bench/scenario.ts is started by bench/run.ts (npm run bench), not by hand.\n');
  process.exit(2);
}

// The parent went away (killed, crashed): do not live on as an orphan.
process.on('disconnect', () => process.exit(3));

process.once('message', (spec: ScenarioSpec) => {
  run(spec).then(
    (result) => reply({ ok: true, result }),
    (error: unknown) => reply({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
