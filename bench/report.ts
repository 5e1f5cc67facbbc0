import type { ScenarioResult, SyncPhases } from './types';

/** The target: our sync within 1.5× of the raw batch-transaction floor. */
export const TARGET_RATIO = 1.5;

export type RowKind = 'sync' | 'steady' | 'floor';

export interface Row {
  id: string;
  label: string;
  kind: RowKind;
  records: number;
  principals: number;
  /** For a sync row: the id of the floor row it is compared with. */
  floorId?: string;
  samples: ScenarioResult[];
}

export interface RowSummary {
  id: string;
  label: string;
  kind: RowKind;
  records: number;
  principals: number;
  runs: number;
  medianSeconds: number;
  minSeconds: number;
  maxSeconds: number;
  /** Highest maxRSS over the runs, MiB. */
  peakRssMiB: number;
  /** Median RSS before the timed section, MiB (the process baseline). */
  baselineRssMiB: number;
  /** Median over runs. */
  entitiesWritten: number;
  transactions: number;
  /** Sync rows: median ours / median floor. */
  ratio?: number;
  /** Sync rows: the floor's median seconds. */
  floorSeconds?: number;
  /** Sync and steady rows: median of (seconds - Partner Center fetch) per run: the storage side alone. */
  medianExclFetch?: number;
  /** Sync and steady rows: median Partner Center pages. */
  pages?: number;
  verdict: string;
  /** Sync and steady rows: median seconds per phase. */
  phases?: SyncPhases;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function medianPhases(samples: readonly ScenarioResult[]): SyncPhases | undefined {
  const phases = samples.map((s) => s.sync?.phases).filter((p): p is SyncPhases => p !== undefined);
  if (phases.length === 0) return undefined;
  const keys: (keyof SyncPhases)[] = ['fetch', 'http', 'list', 'plan', 'save', 'other'];
  return Object.fromEntries(keys.map((k) => [k, median(phases.map((p) => p[k]))])) as unknown as SyncPhases;
}

function verdictFor(row: Row, ratio: number | undefined, written: number): string {
  if (row.kind === 'floor') return 'reference';
  if (row.kind === 'steady') return written === 0 ? 'OK: wrote nothing' : `MISS: wrote ${written} entities`;
  if (ratio === undefined || Number.isNaN(ratio)) return 'no floor';
  return ratio <= TARGET_RATIO ? `OK: within ${TARGET_RATIO}x of floor` : `MISS: over ${TARGET_RATIO}x of floor`;
}

export function summarize(rows: readonly Row[]): RowSummary[] {
  const medians = new Map(rows.map((r) => [r.id, median(r.samples.map((s) => s.seconds))]));
  return rows.map((row) => {
    const seconds = row.samples.map((s) => s.seconds);
    const medianSeconds = medians.get(row.id) ?? Number.NaN;
    const floor = row.floorId === undefined ? undefined : medians.get(row.floorId);
    const ratio = row.kind === 'sync' && floor !== undefined ? medianSeconds / floor : undefined;
    const entitiesWritten = median(row.samples.map((s) => s.entitiesWritten));
    const pages = row.samples.flatMap((s) => (s.sync === undefined ? [] : [s.sync.pages]));
    const exclFetch = row.samples.flatMap((s) => (s.sync === undefined ? [] : [s.seconds - s.sync.phases.fetch]));
    return {
      id: row.id,
      label: row.label,
      kind: row.kind,
      records: row.records,
      principals: row.principals,
      runs: row.samples.length,
      medianSeconds,
      minSeconds: Math.min(...seconds),
      maxSeconds: Math.max(...seconds),
      peakRssMiB: Math.max(...row.samples.map((s) => s.peakRssMiB)),
      baselineRssMiB: median(row.samples.map((s) => s.rssBeforeMiB)),
      entitiesWritten,
      transactions: median(row.samples.map((s) => s.transactions)),
      ratio,
      floorSeconds: row.kind === 'sync' ? floor : undefined,
      pages: pages.length > 0 ? median(pages) : undefined,
      medianExclFetch: exclFetch.length > 0 ? median(exclFetch) : undefined,
      verdict: verdictFor(row, ratio, entitiesWritten),
      phases: medianPhases(row.samples),
    };
  });
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const sec = (n: number): string => n.toFixed(2);

/** Plain-text table: text columns left-aligned, numbers right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (numeric[i] === true ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export function mainTable(summaries: readonly RowSummary[]): string {
  const header = ['scenario', 'runs', 'median s', 'min s', 'max s', 'peak RSS MiB', 'base RSS MiB', 'written', 'batches', 'ours/floor', 'verdict'];
  const numeric = [false, true, true, true, true, true, true, true, true, true, false];
  const rows = summaries.map((s) => [
    s.label,
    String(s.runs),
    sec(s.medianSeconds),
    sec(s.minSeconds),
    sec(s.maxSeconds),
    s.peakRssMiB.toFixed(0),
    s.baselineRssMiB.toFixed(0),
    int(s.entitiesWritten),
    int(s.transactions),
    s.ratio === undefined ? '-' : `${s.ratio.toFixed(2)}x`,
    s.verdict,
  ]);
  return formatTable(header, rows, numeric);
}

export function phaseTable(summaries: readonly RowSummary[]): string {
  const header = ['where the sync spends its time (median s)', 'PC HTTP', 'PC parse', 'listAll', 'plan', 'saveMany', 'other', 'total', 'PC pages', 'batches', 'saveMany/floor', 'excl. PC/floor'];
  const numeric = [false, true, true, true, true, true, true, true, true, true, true, true];
  const rows = summaries
    .filter((s) => s.phases !== undefined)
    .map((s) => {
      const p = s.phases as SyncPhases;
      const vsFloor = (seconds: number): string => (s.floorSeconds === undefined ? '-' : `${(seconds / s.floorSeconds).toFixed(2)}x`);
      return [
        s.label,
        sec(p.http),
        sec(p.fetch - p.http),
        sec(p.list),
        sec(p.plan),
        sec(p.save),
        sec(p.other),
        sec(s.medianSeconds),
        s.pages === undefined ? '-' : int(s.pages),
        int(s.transactions),
        vsFloor(p.save),
        s.medianExclFetch === undefined ? '-' : vsFloor(s.medianExclFetch),
      ];
    });
  return formatTable(header, rows, numeric);
}
