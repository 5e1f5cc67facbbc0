import { performance } from 'node:perf_hooks';
import { TableClient, type TransactionAction } from '@azure/data-tables';
import { planSync } from '../../src/domain/sync';
import { parsePrincipalsPage } from '../../src/integrations/partner-center';
import { estimateActionBytes } from '../../src/storage/limits';
import { principalToEntity } from '../../src/storage/principals';
import { generateData } from '../../sandbox/generate';
import type { FloorSpec, ScenarioResult } from '../types';

/**
 * The entities a first sync of this data set writes, mapped by the storage module's own
 * `principalToEntity`: the sandbox's deterministic generator (same seed, same ids, UPNs and
 * counts; times differ by the seconds between runs, not in size), read through the Partner Center
 * wire mapping and planned by the domain, as the sync does.
 */
function entitiesFor(spec: FloorSpec): TransactionAction[] {
  const raw = generateData({ records: spec.records, principals: spec.principals }, Date.now()).records;
  const parsed = parsePrincipalsPage(JSON.stringify({ totalCount: raw.length, items: raw }));
  if (!parsed.ok) throw new Error(`floor: generated records did not parse: ${parsed.reason}`);
  return planSync([], parsed.page.records, new Date()).writes.map((p): TransactionAction => ['create', principalToEntity(p)]);
}

/** Chunks of `size`, all in one partition (one tenant), in order. */
function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Plain `TableClient.submitTransaction` (the SDK's defaults, nothing of ours on the request path)
 * with the same batch size and parallelism as PrincipalStore.saveMany. The clock runs around the
 * writes alone: the table is created and the entities are built before it starts.
 */
export async function runFloor(spec: FloorSpec): Promise<ScenarioResult> {
  const client = TableClient.fromConnectionString(spec.connectionString, spec.table, { allowInsecureConnection: true });
  await client.createTable();
  const batches = chunk(entitiesFor(spec), spec.batchSize);
  const estimatedBytes = batches.flat().reduce((sum, a) => sum + estimateActionBytes(a[1]), 0);

  let next = 0;
  let written = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const batch = batches[next];
      next += 1;
      if (batch === undefined) return;
      const response = await client.submitTransaction(batch);
      const failed = response.subResponses.find((r) => r.status >= 300);
      if (failed !== undefined) throw new Error(`floor: action for row '${failed.rowKey ?? '?'}' failed with status ${failed.status}`);
      written += batch.length;
    }
  };

  const rssBeforeMiB = process.memoryUsage().rss / 1024 / 1024;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(spec.parallelism, batches.length) }, worker));
  const seconds = (performance.now() - t0) / 1000;

  return {
    kind: 'floor',
    seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    rssBeforeMiB,
    entitiesWritten: written,
    transactions: batches.length,
    estimatedBytes,
  };
}
