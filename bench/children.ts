import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { ChildMessage, ScenarioResult, ScenarioSpec } from './types';

const ENTRY = resolve(__dirname, 'scenario.ts');

/** Scenario children still running; `killAll` ends them (on failure, timeout or Ctrl+C). */
const live = new Set<ChildProcess>();

export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

function isChildMessage(value: unknown): value is ChildMessage {
  return typeof value === 'object' && value !== null && 'ok' in value && typeof value.ok === 'boolean';
}

/**
 * Run one scenario in a fresh Node process (tsx as the loader), so that its `maxRSS` is its own.
 * `extraExecArgv` e.g. `--cpu-prof` for profiling. Rejects on an error reported by the child, an exit without an answer, or the deadline.
 */
export function runInChild(spec: ScenarioSpec, timeoutMs: number, extraExecArgv: readonly string[] = []): Promise<ScenarioResult> {
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const child = fork(ENTRY, [], {
    execArgv: ['--import', 'tsx', ...extraExecArgv],
    cwd: resolve(__dirname, '..'),
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  live.add(child);

  return new Promise<ScenarioResult>((resolveRun, rejectRun) => {
    let answer: ChildMessage | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rejectRun(new Error(`${spec.kind} scenario did not finish within ${timeoutMs / 1000} s; killed`));
    }, timeoutMs);

    child.on('message', (message: unknown) => {
      if (isChildMessage(message)) answer = message;
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      live.delete(child);
      rejectRun(new Error(`could not start the ${spec.kind} scenario: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      if (answer?.ok === true) resolveRun(answer.result);
      else if (answer?.ok === false) rejectRun(new Error(`${spec.kind} scenario failed:\n${answer.error}`));
      else rejectRun(new Error(`${spec.kind} scenario exited without an answer (code ${String(code)}, signal ${String(signal)})`));
    });
    child.send(spec);
  });
}
