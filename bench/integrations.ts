/**
 * `npm run bench` (part 3; alone: `tsx bench/integrations.ts [--quick]`): the integration watch.
 *
 * 1. Inventory: one inventory sync (createIntegrations().sync, the real Partner Center client over
 *    HTTP against the sandbox, the real IntegrationStore on Azurite) from 10,000 partnerRequests
 *    plus 90 days of adoption summaries for 50 apps, beside its floor: the same pages fetched and
 *    JSON.parse'd raw, and the same entities written with raw `TableClient.createEntity`, as many in flight. Target:
 *    within 1.5x of the floor.
 * 2. Intake: POST /api/incidents at 100 incidents/s for 10 s (1,000 incidents over 10 apps: 100
 *    duplicates of each app's failure) through the real server, alerts through the outbox to a local
 *    connector. Target: 0 lost (every 202 stored), one alert per recipient, app and hour.
 *
 * Prints a table and writes artifacts/bench/integrations.json.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TableClient } from '@azure/data-tables';
import { startAzurite, type AzuriteHandle } from '../scripts/lib/azurite';
import { PARTNER_TENANT_ID, startSandbox, type SandboxHandle } from '../sandbox';
import { createIntegrations, SAVE_PARALLELISM } from '../src/app/integrations';
import { composeMfaShepherd, type MfaShepherd } from '../src/compose';
import { loadConfig } from '../src/config';
import { mergeInventory } from '../src/domain/integrations';
import { createPartnerCenterClient } from '../src/integrations/partner-center';
import { adoptionDayFrom, appRequestFrom } from '../src/integrations/partner-center/integrations-wire';
import { createLogger } from '../src/logging';
import { createIntegrationStorage, integrationToEntity } from '../src/storage/integrations';
import { activities, postActivity, type TestUser } from '../test/support/activities';
import { LocalConnector } from '../test/support/connector';
import { formatTable } from './report';

const QUICK = process.argv.includes('--quick');
const RUNS = QUICK ? 1 : 5;
const REQUESTS = 10_000;
const DAYS = 90;
const APPS = 50;
const TARGET_RATIO = 1.5;
const INTAKE_RATE = 100;
const INTAKE_SECONDS = QUICK ? 3 : 10;
const INTAKE_APPS = 10;
const OUT = resolve(__dirname, '..', 'artifacts', 'bench', QUICK ? 'integrations-quick.json' : 'integrations.json');
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (o: Record<string, unknown>, m: string) => process.stderr.write(`[bench] ${m} ${JSON.stringify(o)}\n`) };
const progress = (line: string) => process.stderr.write(`${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
};

/** Every page of a collection with plain fetch + JSON.parse, following links.next as the sandbox sends it. */
async function rawPages(base: string, path: string, token: string): Promise<unknown[]> {
  const items: unknown[] = [];
  let url = `${base}${path}`;
  let continuation: string | undefined;
  for (;;) {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(continuation ? { 'MS-ContinuationToken': continuation } : {}) } });
    const body = JSON.parse(await response.text()) as { items: unknown[]; links?: { next?: { uri: string; headers: { key: string; value: string }[] } } };
    items.push(...body.items);
    const next = body.links?.next;
    if (!next) return items;
    url = `${base}${next.uri}`;
    continuation = next.headers[0]?.value;
  }
}

async function inventoryRow(azurite: AzuriteHandle, sandbox: SandboxHandle) {
  const generated = sandbox.control.generateIntegrations({ requests: REQUESTS, days: DAYS, apps: APPS });
  const token = sandbox.control.mintToken({ audience: 'partnerCenter', mfa: true });
  const base = `${sandbox.url}/pc`;
  const client = createPartnerCenterClient({ baseUrl: base, principalsPath: '/v1/nonMfaCompliantPartnerPrincipals' });
  const ours: number[] = [];
  const floor: number[] = [];
  let written = 0;
  // Run 0 warms both paths up (JIT, connections) and is not counted: syncs run in a long-lived process.
  for (let run = -1; run < RUNS; run++) {
    const measureOurs = async () => {
      const storage = await createIntegrationStorage({ connectionString: azurite.connectionString, tablePrefix: `b${randomBytes(5).toString('hex')}` });
      const integrations = createIntegrations({ partnerCenter: client.integrations, store: storage.integrations, adminIds: new Set(), clock: { now: () => new Date() }, logger: silent, onAlerts: async () => 0 });
      const t0 = performance.now();
      const summary = await integrations.sync({ correlationId: randomUUID(), accessToken: token });
      ours.push((performance.now() - t0) / 1000);
      written = summary.changed ?? 0;
      if (summary.requests !== REQUESTS) throw new Error(`the sync read ${summary.requests} requests, expected ${REQUESTS}`);
    };
    const measureFloor = async () => {
      const table = TableClient.fromConnectionString(azurite.connectionString, `b${randomBytes(5).toString('hex')}Floor`, { allowInsecureConnection: true });
      await table.createTable();
      const t0 = performance.now();
      const [adoption, requests] = await Promise.all([rawPages(base, '/v1/applicationmfaadoptionstatus', token), rawPages(base, '/v1/partnerRequests', token)]);
      const t1 = performance.now();
      // The entities the sync writes, built outside the clock: the floor is moving the bytes, not our logic.
      const entities = mergeInventory([], { adoption: adoption.map(adoptionDayFrom).filter((x) => x !== undefined), requests: requests.map(appRequestFrom).filter((x) => x !== undefined) }, new Date()).map(integrationToEntity);
      const t2 = performance.now();
      // As many writes in flight as the sync (SAVE_PARALLELISM).
      await Promise.all(Array.from({ length: SAVE_PARALLELISM }, async () => {
        for (let e = entities.shift(); e !== undefined; e = entities.shift()) await table.createEntity(e);
      }));
      floor.push((t1 - t0 + (performance.now() - t2)) / 1000);
    };
    if (run % 2 !== 0) {
      await measureOurs();
      await measureFloor();
    } else {
      await measureFloor();
      await measureOurs();
    }
    if (run < 0) {
      progress(`  inventory warm-up: ours ${ours.pop()!.toFixed(3)} s, floor ${floor.pop()!.toFixed(3)} s (not counted)`);
      continue;
    }
    progress(`  inventory run ${run + 1}/${RUNS}: ours ${ours.at(-1)!.toFixed(3)} s, floor ${floor.at(-1)!.toFixed(3)} s`);
  }
  const ratio = median(ours) / median(floor);
  return {
    label: `inventory: ${REQUESTS.toLocaleString('en-US')} partnerRequests + ${DAYS} days x ${APPS} apps (${generated.adoption.toLocaleString('en-US')} summaries)`,
    runs: RUNS,
    medianSeconds: median(ours),
    floorSeconds: median(floor),
    ratio,
    written,
    verdict: ratio <= TARGET_RATIO ? `OK: ${ratio.toFixed(2)}x <= ${TARGET_RATIO}x` : `MISS: ${ratio.toFixed(2)}x > ${TARGET_RATIO}x`,
  };
}

async function intakeRow(azurite: AzuriteHandle, sandbox: SandboxHandle) {
  const connector = await new LocalConnector().start();
  let bot: MfaShepherd | undefined;
  try {
    const admin: TestUser = { aadObjectId: 'bench-admin', name: 'Bench Admin', tenantId: PARTNER_TENANT_ID };
    const owners: TestUser[] = Array.from({ length: INTAKE_APPS }, (_, i) => ({ aadObjectId: `bench-owner-${i}`, name: `Owner ${i}`, tenantId: PARTNER_TENANT_ID }));
    const config = loadConfig({
      PORT: '0',
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
      STORAGE_TABLE_PREFIX: `b${randomBytes(5).toString('hex')}`,
      PARTNER_TENANT_ID,
      PARTNER_CENTER_BASE_URL: `${sandbox.url}/pc`,
      GRAPH_BASE_URL: `${sandbox.url}/graph`,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_AAD_OBJECT_IDS: admin.aadObjectId,
      TEAMS_SERVICE_URL: connector.url,
      LOG_LEVEL: 'silent',
    });
    // One key may post at the benchmark's rate.
    bot = await composeMfaShepherd(config, createLogger({ level: 'silent' }), { scheduler: false, intakeRate: { perSecond: INTAKE_RATE * 2, burst: INTAKE_RATE * 2 } });
    const { url } = await bot.start();
    const a = activities({ serviceUrl: connector.url });
    for (const user of [admin, ...owners]) await postActivity(url, a.message(user, 'help'));
    const feature = bot.deps.integrations!;
    for (const [i, owner] of owners.entries()) {
      const view = await feature.integrations.addManual(admin.aadObjectId, `Bench App ${i}`);
      await feature.integrations.setFields(admin.aadObjectId, view.risk.integration.key, { ownerId: owner.aadObjectId, ownerName: owner.name });
    }
    const { secret } = await feature.incidents.createKey(admin.aadObjectId, 'bench');
    const before = connector.sent.length;

    const total = INTAKE_RATE * INTAKE_SECONDS;
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const t0 = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let k = 0; k < total; k++) {
      const due = t0 + (k * 1000) / INTAKE_RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const body = JSON.stringify({ name: `Bench App ${k % INTAKE_APPS}`, status: 401, errorCode: '900421', correlationId: `corr-${k % INTAKE_APPS}`, operationName: 'Get /v1/customers', occurredAt: new Date().toISOString() });
      const started = performance.now();
      inFlight.push(
        fetch(`${url}/api/incidents`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body }).then(async (r) => {
          await r.text();
          latencies.push(performance.now() - started);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        }),
      );
    }
    await Promise.all(inFlight);
    const seconds = (performance.now() - t0) / 1000;
    const accepted = statuses.get(202) ?? 0;
    const stored = await feature.incidents.recent(admin.aadObjectId, total * 2);
    const buckets = new Set(stored.map((x) => x.alertBucket));
    const expectedAlerts = buckets.size * 2; // the app's owner and the admin
    const alerts = () => connector.sent.slice(before).filter((s) => (s.activity.summary ?? '').startsWith('Incident '));
    const deadline = Date.now() + 60_000;
    while (alerts().length < expectedAlerts && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 2_000)); // time for a duplicate to show up
    const perRecipientBucket = new Map<string, number>();
    for (const s of alerts()) {
      const app = /Bench App \d+/.exec(s.activity.summary ?? '')?.[0] ?? '?';
      const k = `${s.conversationId}|${app}`;
      perRecipientBucket.set(k, (perRecipientBucket.get(k) ?? 0) + 1);
    }
    // Hours each app's incidents fell in (a run across the hour has two): more alerts than that is a duplicate.
    const hoursOf = (app: string) => new Set(stored.filter((x) => x.name === app).map((x) => x.alertBucket)).size;
    const duplicates = [...perRecipientBucket.entries()].reduce((sum, [k, c]) => sum + Math.max(0, c - hoursOf(k.split('|')[1] ?? '')), 0);
    const lost = accepted - stored.length;
    const ok = lost === 0 && accepted === total && alerts().length === expectedAlerts && duplicates === 0;
    return {
      label: `intake: ${INTAKE_RATE}/s for ${INTAKE_SECONDS} s, ${INTAKE_APPS} apps (duplicates)`,
      sent: total,
      accepted,
      statuses: Object.fromEntries(statuses),
      stored: stored.length,
      lost,
      achievedPerSecond: total / seconds,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      alerts: alerts().length,
      expectedAlerts,
      duplicates,
      verdict: ok ? `OK: 0 lost, ${alerts().length} alerts for ${buckets.size} app-hours` : `MISS: lost ${lost}, accepted ${accepted}/${total}, alerts ${alerts().length}/${expectedAlerts}`,
    };
  } finally {
    await bot?.stop().catch(() => undefined);
    await connector.stop();
  }
}

async function main(): Promise<number> {
  let azurite: AzuriteHandle | undefined;
  let sandbox: SandboxHandle | undefined;
  try {
    progress('integration watch: starting Azurite and the sandbox…');
    [azurite, sandbox] = await Promise.all([startAzurite({ inMemory: true }), startSandbox({ port: 0, seed: 'empty' })]);
    const inventory = await inventoryRow(azurite, sandbox);
    progress('  intake: posting…');
    const intake = await intakeRow(azurite, sandbox);
    const table = formatTable(
      ['integration watch', 'runs', 'median s', 'floor s', 'ours/floor', 'written', 'verdict'],
      [[inventory.label, String(inventory.runs), inventory.medianSeconds.toFixed(3), inventory.floorSeconds.toFixed(3), `${inventory.ratio.toFixed(2)}x`, String(inventory.written), inventory.verdict]],
      [false, true, true, true, true, true, false],
    );
    const intakeTable = formatTable(
      ['incident intake', 'sent', '202', 'stored', 'lost', 'rate /s', 'p50 ms', 'p99 ms', 'alerts', 'verdict'],
      [[intake.label, String(intake.sent), String(intake.accepted), String(intake.stored), String(intake.lost), intake.achievedPerSecond.toFixed(1), intake.p50Ms.toFixed(1), intake.p99Ms.toFixed(1), `${intake.alerts}/${intake.expectedAlerts}`, intake.verdict]],
      [false, true, true, true, true, true, true, true, true, false],
    );
    process.stdout.write(`\n${table}\n\n${intakeTable}\n(floor: the same pages fetched and JSON.parse'd raw, the same entities written with raw createEntity; alerts: one per recipient (owner, admin) per app and hour)\n`);
    mkdirSync(resolve(OUT, '..'), { recursive: true });
    writeFileSync(OUT, `${JSON.stringify({ at: new Date().toISOString(), quick: QUICK, inventory, intake }, null, 2)}\n`);
    return 0;
  } catch (error) {
    progress(`integration benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    await Promise.allSettled([sandbox?.stop(), azurite?.stop()]);
  }
}

void main().then((code) => {
  process.exit(code);
});
