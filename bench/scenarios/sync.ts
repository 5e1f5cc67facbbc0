import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { AccessToken, Logger, PartnerCenter, PrincipalStore } from '../../src/app/ports';
import { createSyncPrincipals } from '../../src/app/sync-principals';
import { createHttpClient, type HttpClient } from '../../src/integrations/http';
import { createPartnerCenterClient } from '../../src/integrations/partner-center';
import { createStorage, type TransactionReport } from '../../src/storage';
import type { ScenarioResult, SyncPhases, SyncSpec } from '../types';

/** Counts warnings and errors; prints errors (a benchmark run should have none). */
function quietLogger(): Logger & { warnings: () => number } {
  let warnings = 0;
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: () => {
      warnings += 1;
    },
    error: (obj, msg) => {
      warnings += 1;
      process.stderr.write(`[bench sync] ${msg} ${JSON.stringify(obj)}\n`);
    },
    warnings: () => warnings,
  };
}

/**
 * One sync through `createSyncPrincipals` with the real storage (Azurite) and the real Partner
 * Center client over HTTP (the sandbox). Only the ports are wrapped, to time their calls.
 * The clock runs around `syncPrincipals()` alone; table creation happens before it.
 */
export async function runSync(spec: SyncSpec): Promise<ScenarioResult> {
  const tx = { transactions: 0, actions: 0, bytes: 0, failed: 0 };
  const storage = await createStorage({
    connectionString: spec.connectionString,
    tablePrefix: spec.tablePrefix,
    encryptionKey: randomBytes(32),
    onTransaction: (r: TransactionReport) => {
      tx.transactions += 1;
      tx.actions += r.actions;
      tx.bytes += r.estimatedBytes;
      if (!r.ok) tx.failed += 1;
    },
  });
  const phases: SyncPhases = { fetch: 0, http: 0, list: 0, plan: 0, save: 0, other: 0 };
  // The client's own HTTP seam, wrapped only to time the requests (the rest of `fetch` is parsing).
  const baseHttp = createHttpClient();
  const http: HttpClient = {
    async send(request) {
      const t0 = performance.now();
      try {
        return await baseHttp.send(request);
      } finally {
        phases.http += (performance.now() - t0) / 1000;
      }
    },
  };
  const client = createPartnerCenterClient({ baseUrl: spec.partnerCenterBaseUrl, principalsPath: spec.principalsPath, http });
  const logger = quietLogger();

  const seen = { pages: 0, known: 0, planAttempts: 0, written: 0 };
  let listEndedAt = 0;

  // The benchmark's seam for Partner Center auth: a sandbox-minted MFA token.
  const token: AccessToken = { token: spec.accessToken, expiresOn: new Date(spec.tokenExpiresOn), hasMfa: spec.tokenHasMfa };
  let fetchStartedAt = 0;
  const auth = {
    getAccessToken: async () => {
      fetchStartedAt = performance.now();
      return token;
    },
  };
  const partnerCenter: PartnerCenter = {
    async listNonMfaCompliantPrincipals(context) {
      const listing = await client.listNonMfaCompliantPrincipals(context);
      phases.fetch += (performance.now() - fetchStartedAt) / 1000;
      seen.pages = listing.pages;
      return listing;
    },
  };
  const principals: Pick<PrincipalStore, 'listAll' | 'saveMany'> = {
    async listAll(tenantId) {
      const t0 = performance.now();
      const all = await storage.principals.listAll(tenantId);
      listEndedAt = performance.now();
      phases.list += (listEndedAt - t0) / 1000;
      seen.known = all.length;
      seen.planAttempts += 1;
      return all;
    },
    async saveMany(writes) {
      const t0 = performance.now();
      phases.plan += (t0 - listEndedAt) / 1000;
      await storage.principals.saveMany(writes);
      phases.save += (performance.now() - t0) / 1000;
      seen.written += writes.length;
    },
  };

  const syncPrincipals = createSyncPrincipals({
    tenantId: spec.tenantId,
    partnerCenter,
    auth,
    principals,
    syncRuns: storage.syncRuns,
    leases: storage.leases,
    ids: { newId: () => randomUUID() },
    clock: { now: () => new Date() },
    logger,
    instanceId: `bench-${process.pid}`,
    onReconnectNeeded: async () => 0,
  });

  const rssBeforeMiB = process.memoryUsage().rss / 1024 / 1024;
  const t0 = performance.now();
  const run = await syncPrincipals({ trigger: 'schedule' });
  const seconds = (performance.now() - t0) / 1000;
  phases.other = Math.max(0, seconds - phases.fetch - phases.list - phases.plan - phases.save);

  return {
    kind: 'sync',
    seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    rssBeforeMiB,
    entitiesWritten: seen.written,
    transactions: tx.transactions,
    estimatedBytes: tx.bytes,
    sync: {
      outcome: run.outcome,
      errorCode: run.errorCode,
      errorMessage: run.errorMessage,
      records: run.counts?.records ?? 0,
      listed: run.counts?.listed ?? 0,
      new: run.counts?.new ?? 0,
      pages: seen.pages,
      known: seen.known,
      planAttempts: seen.planAttempts,
      phases,
      warnings: logger.warnings() + tx.failed,
    },
  };
}
