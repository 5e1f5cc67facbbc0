/**
 * `npm run bench` (part 2; alone: `tsx bench/turns.ts [--quick]`): turn latency of the exception
 * workflow's two busiest turns — submit a request for review, approve it — through the real
 * /api/messages on Azurite, beside a minimal turn on the same server in the same run (the `help`
 * command: the same turn guard, dedup and contact capture, then one static card). Prints p50/p99
 * per turn and writes artifacts/bench/turns.json.
 *
 * Approval cards and the requester's messages go out after each turn, paced under Teams' limits, in
 * the background while later turns are measured: as in production.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startAzurite, type AzuriteHandle } from '../scripts/lib/azurite';
import { PARTNER_TENANT_ID, startSandbox, type SandboxHandle } from '../sandbox';
import { composeMfaShepherd, type MfaShepherd } from '../src/compose';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logging';
import { activities, postActivity, type TestUser } from '../test/support/activities';
import { LocalConnector } from '../test/support/connector';
import { COMPLETE_FORM } from '../test/support/exception-fixtures';

const QUICK = process.argv.includes('--quick');
const SAMPLES = QUICK ? 40 : 200;
const WARM_UP = 20;
const OUT = resolve(__dirname, '..', 'artifacts', 'bench', QUICK ? 'turns-quick.json' : 'turns.json');


function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

interface TurnRow {
  turn: string;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  vsEchoP50: number;
}

async function timed(post: () => Promise<{ status: number; body: unknown }>, expectStatus = 200): Promise<{ ms: number; body: unknown }> {
  const started = process.hrtime.bigint();
  const response = await post();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (response.status !== expectStatus) throw new Error(`turn answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`);
  return { ms, body: response.body };
}

function row(turn: string, values: number[], echoP50: number): TurnRow {
  const sorted = [...values].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  return { turn, samples: values.length, p50Ms: p50, p99Ms: percentile(sorted, 99), maxMs: sorted.at(-1) ?? Number.NaN, vsEchoP50: p50 / echoP50 };
}

async function main(): Promise<number> {
  let azurite: AzuriteHandle | undefined;
  let sandbox: SandboxHandle | undefined;
  let connector: LocalConnector | undefined;
  let bot: MfaShepherd | undefined;
  try {
    process.stderr.write(`turn latency: starting Azurite, the sandbox and the bot…\n`);
    [azurite, sandbox, connector] = await Promise.all([startAzurite({ inMemory: true }), startSandbox({ port: 0, seed: 'empty' }), new LocalConnector().start()]);
    const approvers: TestUser[] = ['anna', 'ben'].map((n) => ({ aadObjectId: `approver-${n}`, name: `Approver ${n}`, tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Berlin' }));
    const config = loadConfig({
      PORT: '0',
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
      STORAGE_TABLE_PREFIX: `b${randomBytes(5).toString('hex')}`,
      PARTNER_TENANT_ID,
      PARTNER_CENTER_BASE_URL: `${sandbox.url}/pc`,
      GRAPH_BASE_URL: `${sandbox.url}/graph`,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_AAD_OBJECT_IDS: approvers[0]!.aadObjectId,
      APPROVER_AAD_OBJECT_IDS: approvers.map((a) => a.aadObjectId).join(','),
      TEAMS_SERVICE_URL: connector.url,
      LOG_LEVEL: 'silent',
    });
    bot = await composeMfaShepherd(config, createLogger({ level: 'silent' }), { scheduler: false });
    const { url } = await bot.start();
    const a = activities({ serviceUrl: connector.url });
    const post = (activity: Record<string, unknown>) => postActivity(url, activity);

    const requesters: TestUser[] = Array.from({ length: SAMPLES + WARM_UP }, (_, i) => ({ aadObjectId: `requester-${i}`, name: `Requester ${i}`, tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Berlin' }));
    for (const user of approvers) await timed(() => post(a.message(user, 'help')));

    process.stderr.write(`turn latency: ${SAMPLES} samples per turn after ${WARM_UP} warm-up turns…\n`);
    const echo: number[] = [];
    for (let i = 0; i < SAMPLES + WARM_UP; i++) {
      const { ms } = await timed(() => post(a.message(requesters[i]!, 'help')));
      if (i >= WARM_UP) echo.push(ms);
    }
    // Each requester opens a request and saves the complete form (not measured), then submits it (measured).
    const ids: string[] = [];
    const submit: number[] = [];
    for (let i = 0; i < requesters.length; i++) {
      const user = requesters[i]!;
      await post(a.message(user, 'exception'));
      const [request] = await bot.storage.exceptions.listByRequester(user.aadObjectId);
      if (!request) throw new Error('no request was opened');
      await post(a.execute(user, 'exc.save', { requestId: request.id, round: 0, ...COMPLETE_FORM }));
      const { ms } = await timed(() => post(a.execute(user, 'exc.submit', { requestId: request.id, round: 0, ...COMPLETE_FORM })));
      if (i >= WARM_UP) submit.push(ms);
      ids.push(request.id);
    }
    const approve: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const { ms, body } = await timed(() => post(a.execute(approvers[i % 2]!, 'exc.approve', { requestId: ids[i], round: 1, comment: 'Checked the vendor letter.' })));
      if (!JSON.stringify(body).includes('pproved')) throw new Error(`approve did not approve: ${JSON.stringify(body).slice(0, 300)}`);
      if (i >= WARM_UP) approve.push(ms);
    }
    const approved = (await bot.storage.exceptions.listAll()).filter((r) => r.status === 'approved').length;
    if (approved !== ids.length) throw new Error(`${approved} of ${ids.length} requests approved`);

    const echoP50 = percentile([...echo].sort((x, y) => x - y), 50);
    const rows = [row('echo (help card)', echo, echoP50), row('submit for review', submit, echoP50), row('approve', approve, echoP50)];
    const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
    const lines = [
      '',
      '| turn through /api/messages on Azurite | samples | p50 | p99 | max | p50 vs echo |',
      '|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.turn} | ${r.samples} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${fmt(r.maxMs)} | ${r.vsEchoP50.toFixed(2)}× |`),
      '',
      `one bot, one Azurite (in memory), sequential turns; ${WARM_UP} warm-up turns of each kind not counted; approval cards paced in the background meanwhile.`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    mkdirSync(resolve(OUT, '..'), { recursive: true });
    writeFileSync(OUT, `${JSON.stringify({ at: new Date().toISOString(), rows }, null, 2)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`turn latency benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  } finally {
    await bot?.stop().catch(() => undefined);
    await Promise.allSettled([connector?.stop(), sandbox?.stop(), azurite?.stop()]);
  }
}

void main().then((code) => {
  process.exit(code);
});
