/**
 * `npm run bench` (= `tsx bench/run.ts [--quick]`): a sync of 10,000 Partner Center records through
 * the real path (Partner Center client over HTTP against the sandbox, aggregation, planSync,
 * PrincipalStore.saveMany on Azurite) beside the floor of writing the same entities with raw
 * data-tables batch transactions, in one run on one Azurite. Prints a table and writes it as JSON
 * to artifacts/bench/latest.json (`--quick`: latest-quick.json, one run of fewer records).
 *
 * Each scenario run is its own child process (peak RSS is that run's), on fresh tables. Azurite
 * and the sandbox are stopped at the end, on failure and on Ctrl+C.
 *
 * Then the outbox: 5,000 users' messages drained through the real Messenger to a local connector
 * that enforces Teams' limits (50/s per app, 7/s per conversation…) and answers 429 beyond them:
 * achieved rate as a share of 50/s, 429s, lost and duplicate deliveries. Then 5,000 newly listed
 * users' first notices end to end (the notice sweep's claims and enqueues, the same worker and
 * connector). `--only=outbox` runs only those two rows (JSON: artifacts/bench/latest-outbox.json),
 * `--only=notices` only the first notices (latest-notices.json).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { TableClient, TableServiceClient, type TransactionAction } from '@azure/data-tables';
import { startAzurite, type AzuriteHandle } from '../scripts/lib/azurite';
import { DEFAULT_OUTBOX_WORKER_OPTIONS } from '../src/app/outbox';
import { tableName, TABLES } from '../src/storage';
import { decodeJwtPayload, PARTNER_TENANT_ID, startSandbox, type SandboxHandle } from '../sandbox';
import { LocalConnector, deliveryId, textOf } from '../test/support/connector';
import { conversationOf, textFor, userIds } from '../test/support/outbox-rig';
import { killAll, runInChild } from './children';
import { mainTable, phaseTable, summarize, TARGET_RATIO, type Row } from './report';
import { formatTable } from './report';
import type { FloorSpec, OutboxSpec, ScenarioResult, SyncSpec } from './types';

const QUICK = process.argv.includes('--quick');
const ONLY_NOTICES = process.argv.includes('--only=notices');
const ONLY_OUTBOX = process.argv.includes('--only=outbox') || ONLY_NOTICES;
/** BENCH_OUTBOX_USERS overrides the count (diagnosis). */
const OUTBOX_USERS = Number(process.env.BENCH_OUTBOX_USERS) || (QUICK ? 1_000 : 5_000);
/** As production runs it (compose uses the worker's default); BENCH_OUTBOX_CONCURRENCY overrides it (diagnosis). */
const OUTBOX_CONCURRENCY = Number(process.env.BENCH_OUTBOX_CONCURRENCY) || DEFAULT_OUTBOX_WORKER_OPTIONS.concurrency;
/** Teams' global limit: 50 requests per second per app per tenant. */
const TEAMS_GLOBAL_PER_SECOND = 50;
const OUTBOX_TARGET_SHARE = 0.95;

const PLAN = QUICK
  ? { runs: 1, records: 2_000, principals: [500, 2_000], deadlineMs: 120_000 }
  : { runs: 5, records: 10_000, principals: [2_500, 10_000], deadlineMs: 170_000 };
/** PrincipalStore's default (createStorage's batchParallelism) and Azure's batch maximum. */
const PARALLELISM = 4;
const BATCH_SIZE = 100;
const CHILD_TIMEOUT_MS = 60_000;
const PRINCIPALS_PATH = '/v1/nonMfaCompliantPartnerPrincipals';

const OUT = resolve(__dirname, '..', 'artifacts', 'bench', ONLY_NOTICES ? 'latest-notices.json' : ONLY_OUTBOX ? 'latest-outbox.json' : QUICK ? 'latest-quick.json' : 'latest.json');

const fmt = (n: number): string => n.toLocaleString('en-US');
const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

let prefixCounter = 0;
/** Table prefixes: letters and digits, starting with a letter; unique per run. */
function freshPrefix(): string {
  prefixCounter += 1;
  return `b${randomBytes(4).toString('hex')}${prefixCounter}`;
}

/** Run `fn`, then drop the tables it used (keeps Azurite's memory flat). A failure of `fn` is not masked by one of the clean-up. */
async function usingTables(service: TableServiceClient, names: readonly string[], fn: () => Promise<void>): Promise<void> {
  const drop = (): Promise<unknown> => Promise.all(names.map((name) => service.deleteTable(name)));
  try {
    await fn();
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
  await drop();
}

function storageTables(prefix: string): string[] {
  return Object.values(TABLES).map((t) => tableName(prefix, t));
}

/** Azurite is cold after start-up: write and drop a few batches so the first measured run is not its JIT warm-up. */
async function warmUp(connectionString: string, service: TableServiceClient): Promise<void> {
  const name = `warm${randomBytes(4).toString('hex')}`;
  const client = TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true });
  await client.createTable();
  for (let b = 0; b < 20; b++) {
    const actions: TransactionAction[] = Array.from({ length: BATCH_SIZE }, (_, i) => [
      'create',
      { partitionKey: 'warm', rowKey: `${b}-${i}`, upn: `warm${i}@example.com`, at: new Date(), n: i },
    ]);
    await client.submitTransaction(actions);
  }
  for await (const _page of client.listEntities().byPage({ maxPageSize: 1000 })) {
    // read it all back once
  }
  await service.deleteTable(name);
}

/** 1/5/15-minute load averages: on a shared 2-core machine other work skews the numbers. */
function loadText(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

function machine(): Record<string, string | number> {
  const cpu = cpus();
  const pkg = (name: string): string => (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cores: cpu.length,
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    loadAtStart: loadText(),
    azurite: pkg('azurite'),
    dataTables: pkg('@azure/data-tables'),
  };
}

interface Env {
  azurite: AzuriteHandle;
  sandbox: SandboxHandle;
  service: TableServiceClient;
  token: { accessToken: string; tokenExpiresOn: string; tokenHasMfa: boolean };
}

function mintToken(sandbox: SandboxHandle): Env['token'] {
  const accessToken = sandbox.control.mintToken({ audience: 'partnerCenter', mfa: true });
  const claims = decodeJwtPayload(accessToken);
  const amr = Array.isArray(claims['amr']) ? claims['amr'] : [];
  const exp = typeof claims['exp'] === 'number' ? claims['exp'] : 0;
  return { accessToken, tokenExpiresOn: new Date(exp * 1000).toISOString(), tokenHasMfa: amr.includes('mfa') };
}

function checkSync(result: ScenarioResult, what: string): ScenarioResult {
  const s = result.sync;
  if (s === undefined || s.outcome !== 'succeeded') {
    throw new Error(`${what}: the sync did not succeed (${s?.outcome ?? '?'}: ${s?.errorCode ?? ''} ${s?.errorMessage ?? ''})`);
  }
  return result;
}

async function measure(env: Env, rows: { sync: Row; steady: Row; floor: Row }, n: number, run: number): Promise<void> {
  const tag = `${fmt(n)} principals, run ${run + 1}/${PLAN.runs}`;
  const ours = async (): Promise<void> => {
    const prefix = freshPrefix();
    const spec: SyncSpec = {
      kind: 'sync',
      connectionString: env.azurite.connectionString,
      tablePrefix: prefix,
      partnerCenterBaseUrl: `${env.sandbox.url}/pc`,
      principalsPath: PRINCIPALS_PATH,
      tenantId: PARTNER_TENANT_ID,
      ...env.token,
    };
    await usingTables(env.service, storageTables(prefix), async () => {
      const first = checkSync(await runInChild(spec, CHILD_TIMEOUT_MS), `sync (${tag})`);
      if (first.entitiesWritten !== n) throw new Error(`sync (${tag}) wrote ${first.entitiesWritten} entities, expected ${n}`);
      rows.sync.samples.push(first);
      progress(`  sync    ${tag}: ${first.seconds.toFixed(2)} s, ${fmt(first.entitiesWritten)} written, peak ${first.peakRssMiB.toFixed(0)} MiB`);
      // Steady state: the same data again, on the tables the first run just wrote.
      const again = checkSync(await runInChild(spec, CHILD_TIMEOUT_MS), `steady sync (${tag})`);
      rows.steady.samples.push(again);
      progress(`  steady  ${tag}: ${again.seconds.toFixed(2)} s, ${fmt(again.entitiesWritten)} written, peak ${again.peakRssMiB.toFixed(0)} MiB`);
    });
  };
  const floor = async (): Promise<void> => {
    const table = `${freshPrefix()}Floor`;
    const spec: FloorSpec = {
      kind: 'floor',
      connectionString: env.azurite.connectionString,
      table,
      records: PLAN.records,
      principals: n,
      parallelism: PARALLELISM,
      batchSize: BATCH_SIZE,
    };
    await usingTables(env.service, [table], async () => {
      const result = await runInChild(spec, CHILD_TIMEOUT_MS);
      if (result.entitiesWritten !== n) throw new Error(`floor (${tag}) wrote ${result.entitiesWritten} entities, expected ${n}`);
      rows.floor.samples.push(result);
      progress(`  floor   ${tag}: ${result.seconds.toFixed(2)} s, ${fmt(result.entitiesWritten)} written, peak ${result.peakRssMiB.toFixed(0)} MiB`);
    });
  };
  // Alternate the order so that neither side always runs on a warmer (or fuller) Azurite.
  if (run % 2 === 0) {
    await ours();
    await floor();
  } else {
    await floor();
    await ours();
  }
}

async function benchmark(env: Env): Promise<Row[]> {
  const all: Row[] = [];
  for (const n of PLAN.principals) {
    const records = PLAN.records;
    const generated = env.sandbox.control.generate({ records, principals: n });
    if (generated.records !== records || generated.principals !== n) {
      throw new Error(`sandbox generated ${generated.records} records / ${generated.principals} principals, expected ${records} / ${n}`);
    }
    const what = `${fmt(records)} PC records, ${fmt(n)} principals`;
    const rows = {
      sync: { id: `sync-${n}`, label: `sync ${what}`, kind: 'sync', records, principals: n, floorId: `floor-${n}`, samples: [] } satisfies Row,
      floor: { id: `floor-${n}`, label: `floor: raw batch transactions, ${fmt(n)} entities`, kind: 'floor', records, principals: n, samples: [] } satisfies Row,
      steady: { id: `steady-${n}`, label: `steady state: re-sync same ${what}`, kind: 'steady', records, principals: n, samples: [] } satisfies Row,
    };
    all.push(rows.sync, rows.floor, rows.steady);
    for (let run = 0; run < PLAN.runs; run++) {
      await measure(env, rows, n, run);
    }
  }
  return all;
}

interface OutboxFigures {
  mode: 'messages' | 'firstNotices';
  users: number;
  concurrency: number;
  delivered: number;
  lost: number;
  duplicates: number;
  throttled429: number;
  /** Accepted sends per second between the first and the last accepted one. */
  ratePerSecond: number;
  shareOfLimit: number;
  drainSeconds: number;
  enqueueSeconds: number;
  peakRssMiB: number;
  worker: ScenarioResult['outbox'];
  verdict: string;
}

/**
 * Enqueue to OUTBOX_USERS users and drain them in a child, through the limit-enforcing connector
 * here; or ('firstNotices') notify that many newly listed users end to end.
 */
async function benchOutbox(connectionString: string, service: TableServiceClient, mode: OutboxFigures['mode'] = 'messages'): Promise<OutboxFigures> {
  const connector = await new LocalConnector({ enforceLimits: true }).start();
  const prefix = freshPrefix();
  try {
    const spec: OutboxSpec = { kind: 'outbox', connectionString, tablePrefix: prefix, connectorUrl: connector.url, users: OUTBOX_USERS, concurrency: OUTBOX_CONCURRENCY, mode };
    progress(
      mode === 'messages'
        ? `  outbox  ${fmt(OUTBOX_USERS)} users: seeding, enqueueing, then draining at most ${TEAMS_GLOBAL_PER_SECOND}/s (about ${Math.ceil(OUTBOX_USERS / TEAMS_GLOBAL_PER_SECOND)} s)…`
        : `  first notices  ${fmt(OUTBOX_USERS)} newly listed users: seeding, then the notice sweep with the worker draining at most ${TEAMS_GLOBAL_PER_SECOND}/s…`,
    );
    let result: ScenarioResult | undefined;
    await usingTables(service, storageTables(prefix), async () => {
      result = await runInChild(spec, OUTBOX_USERS * 60 + 60_000);
    });
    if (result === undefined) throw new Error('outbox scenario gave no result');
    const deliveries = connector.deliveries();
    const users = userIds(OUTBOX_USERS, 'bench');
    const perConversation = new Map<string, number>();
    for (const s of connector.sent) perConversation.set(s.conversationId, (perConversation.get(s.conversationId) ?? 0) + 1);
    // The first notice's card headline (the Messenger may send the card without the plain text).
    const isNotice = (text: string) => text.includes('Partner Center saw requests from you without MFA');
    const counts =
      mode === 'messages'
        ? users.map((u) => deliveries.get(deliveryId(conversationOf(u), textFor(`test:${u}`)))?.length ?? 0)
        : users.map((u) => perConversation.get(conversationOf(u)) ?? 0);
    const stray = connector.sent.filter((s) => (mode === 'messages' ? !textOf(s).startsWith('outbox message test:bench-') : !isNotice(textOf(s)))).length;
    const times = connector.sent.map((s) => s.at).sort((a, b) => a - b);
    const span = ((times[times.length - 1] ?? 0) - (times[0] ?? 0)) / 1000;
    const ratePerSecond = span > 0 ? (times.length - 1) / span : 0;
    const lost = counts.filter((c) => c === 0).length;
    const duplicates = counts.reduce((sum, c) => sum + Math.max(0, c - 1), 0) + stray;
    // Under a sliding 1-s window of 50, n sends need at least (ceil(n/50) - 1) s from the first to
    // the last (50 at once, then 50 a second later…): the share is that minimum over the span taken.
    const minimumSpan = Math.ceil(times.length / TEAMS_GLOBAL_PER_SECOND) - 1;
    const shareOfLimit = span > 0 ? minimumSpan / span : 0;
    const misses = [
      shareOfLimit < OUTBOX_TARGET_SHARE ? `rate under ${OUTBOX_TARGET_SHARE * 100} %` : '',
      lost > 0 ? `${lost} lost` : '',
      duplicates > 0 ? `${duplicates} duplicates` : '',
    ].filter(Boolean);
    if (mode === 'firstNotices' && result.outbox?.ledgerSent !== OUTBOX_USERS) misses.push(`notice ledger records ${result.outbox?.ledgerSent ?? 0} sent`);
    return {
      mode,
      users: OUTBOX_USERS,
      concurrency: OUTBOX_CONCURRENCY,
      delivered: counts.filter((c) => c > 0).length,
      lost,
      duplicates,
      throttled429: connector.throttled.length + connector.failed.filter((f) => f.status === 429).length,
      ratePerSecond,
      shareOfLimit,
      drainSeconds: result.seconds,
      enqueueSeconds: result.outbox?.enqueueSeconds ?? Number.NaN,
      peakRssMiB: result.peakRssMiB,
      worker: result.outbox,
      verdict: misses.length === 0 ? `OK: >= ${OUTBOX_TARGET_SHARE * 100} % of the limit, 0 lost, 0 duplicates` : `MISS: ${misses.join(', ')}`,
    };
  } finally {
    await connector.stop();
  }
}

function outboxTable(rows: readonly OutboxFigures[]): string {
  const header = ['scenario', 'users', 'in flight', 'drain s', 'rate /s', 'of 50/s', '429s', 'lost', 'duplicates', 'enqueue s', 'peak RSS MiB', 'verdict'];
  return formatTable(header, rows.map(outboxRow), [false, true, true, true, true, true, true, true, true, true, true, false]);
}

function outboxRow(o: OutboxFigures): string[] {
  return [
    o.mode === 'messages' ? `outbox: enqueue + drain via Messenger to limit-enforcing connector` : `first notices: newly listed users, sweep + drain (timed from the sweep's start; enqueue s = the sweep)`,
    fmt(o.users),
    String(o.concurrency),
    o.drainSeconds.toFixed(1),
    o.ratePerSecond.toFixed(2),
    `${(o.shareOfLimit * 100).toFixed(1)} %`,
    fmt(o.throttled429),
    fmt(o.lost),
    fmt(o.duplicates),
    o.enqueueSeconds.toFixed(1),
    o.peakRssMiB.toFixed(0),
    o.verdict,
  ];
}

function busy(facts: Record<string, string | number>): boolean {
  const cores = Number(facts['cores']);
  return [facts['loadAtStart'], facts['loadAtEnd']].some((l) => Number(String(l).split(' ')[0]) > cores * 0.75);
}

function report(rows: Row[], facts: Record<string, string | number>, elapsedSeconds: number, outbox: readonly OutboxFigures[]): void {
  const summaries = summarize(rows);
  const table = rows.length > 0 ? mainTable(summaries) : '';
  const phases = rows.length > 0 ? phaseTable(summaries) : '';
  const head = [
    `MFA Shepherd benchmark${QUICK ? ' (--quick: 1 run, fewer records; not the real numbers)' : ''}`,
    `${String(facts['date'])} · node ${String(facts['node'])} · ${String(facts['cores'])} cores (${String(facts['cpu'])}) · ${String(facts['memoryGiB'])} GiB · ${String(facts['platform'])} · azurite ${String(facts['azurite'])} (in memory, child process) · @azure/data-tables ${String(facts['dataTables'])}`,
    `load average (1/5/15 min) at start ${String(facts['loadAtStart'])}, at end ${String(facts['loadAtEnd'])}${busy(facts) ? ' -- the machine was busy with other work: expect noise' : ''}`,
    `median of ${PLAN.runs} run(s), each scenario run in its own child process on fresh tables; batches of ${BATCH_SIZE}, ${PARALLELISM} in flight; target: sync within ${TARGET_RATIO}x of the floor`,
  ];
  const outboxText = `${outboxTable(outbox)}\n(rate: accepted sends per second between the first and the last accepted one; of 50/s: the least time a sender at exactly 50/s needs for them, over the time taken; the worker: ${outbox.map((o) => `${o.mode} ${JSON.stringify(o.worker)}`).join('; ')})`;
  const text = [...head, '', table, '', phases, '', outboxText, '', `(benchmark wall time ${elapsedSeconds.toFixed(0)} s; JSON: ${OUT})`].join('\n');
  process.stdout.write(`\n${text}\n`);
  mkdirSync(resolve(OUT, '..'), { recursive: true });
  const json = {
    quick: QUICK,
    machine: facts,
    plan: { ...PLAN, parallelism: PARALLELISM, batchSize: BATCH_SIZE },
    targetRatio: TARGET_RATIO,
    elapsedSeconds,
    summary: summaries,
    outbox,
    samples: Object.fromEntries(rows.map((r) => [r.id, r.samples])),
    table: text,
  };
  writeFileSync(OUT, `${JSON.stringify(json, null, 2)}\n`);
}

async function main(): Promise<number> {
  const started = Date.now();
  const facts = machine();
  let azurite: AzuriteHandle | undefined;
  let sandbox: SandboxHandle | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> => {
    cleaning ??= (async () => {
      killAll();
      await Promise.allSettled([sandbox?.stop(), azurite?.stop()]);
    })();
    return cleaning;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    progress(`\n${signal}: stopping the benchmark`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const deadlineMs = (ONLY_OUTBOX ? 0 : PLAN.deadlineMs) + OUTBOX_USERS * (ONLY_NOTICES ? 40 : 80) + 120_000;
  const deadline = setTimeout(() => {
    progress(`the benchmark did not finish within ${deadlineMs / 1000} s; stopping`);
    void cleanup().finally(() => process.exit(1));
  }, deadlineMs);

  try {
    progress(`starting Azurite (in memory) and the sandbox…`);
    [azurite, sandbox] = await Promise.all([startAzurite({ inMemory: true }), startSandbox({ seed: 'empty' })]);
    const service = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true });
    const env: Env = { azurite, sandbox, service, token: mintToken(sandbox) };
    if (!env.token.tokenHasMfa) throw new Error('the sandbox-minted token carries no "mfa" in amr');
    await warmUp(azurite.connectionString, service);
    let rows: Row[] = [];
    if (!ONLY_OUTBOX) {
      progress(`running: ${PLAN.runs} run(s) of ${fmt(PLAN.records)} records for ${PLAN.principals.map(fmt).join(' and ')} principals`);
      rows = await benchmark(env);
    }
    const outbox: OutboxFigures[] = [];
    if (!ONLY_NOTICES) outbox.push(await benchOutbox(azurite.connectionString, service, 'messages'));
    outbox.push(await benchOutbox(azurite.connectionString, service, 'firstNotices'));
    report(rows, { ...facts, loadAtEnd: loadText() }, (Date.now() - started) / 1000, outbox);
    return 0;
  } catch (error) {
    progress(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    clearTimeout(deadline);
    await cleanup();
  }
}

void main().then((code) => {
  process.exitCode = code;
});
