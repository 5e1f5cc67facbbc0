import { createDashboard, trendOf } from '../../src/app/dashboard';
import type { Principal } from '../../src/domain/compliance';
import type { SyncRun } from '../../src/domain/sync-run';

const T0 = Date.parse('2026-11-02T10:00:00Z');

function principal(id: string): Principal {
  const at = new Date(T0 - 3_600_000);
  return { tenantId: 't', objectId: id, upn: `${id}@x.example`, status: 'nonCompliant', firstDetectedAt: at, episode: 1, episodeStartedAt: at, recordCount: 1, firstNonMfaAt: at, lastNonMfaAt: at };
}

/** The dashboard over in-memory lists: counts how often storage is read, and lets a read be held. */
function world() {
  let now = T0;
  const stored: Principal[] = [principal('a')];
  let reads = 0;
  let hold: Promise<void> | undefined;
  const dashboard = createDashboard({
    tenantId: 't',
    principals: {
      listAll: async () => {
        reads += 1;
        const copy = [...stored];
        if (hold) await hold;
        return copy;
      },
      get: async () => undefined,
    },
    contacts: { listUnreachable: async () => [], get: async () => undefined },
    nudges: { listAll: async () => [], get: async () => undefined },
    exceptions: { listAll: async () => [], listAudit: async () => [], listByRequester: async () => [] },
    exclusions: { listAll: async () => [], get: async () => undefined },
    syncRuns: { since: async () => [] },
    adminAudit: { list: async () => [] },
    auth: { status: async () => ({ connected: true }) },
    sla: { calendar: () => Promise.reject(new Error('not used')) },
    audit: () => Promise.reject(new Error('not used')),
    clock: { now: () => new Date(now) },
    snapshotTtlMs: 30_000,
  });
  return {
    dashboard,
    stored,
    reads: () => reads,
    advance: (ms: number) => (now += ms),
    holdReads: () => {
      let release = () => undefined as void;
      hold = new Promise<void>((resolve) => (release = resolve));
      return () => {
        hold = undefined;
        release();
      };
    },
  };
}

describe('the dashboard snapshot', () => {
  it('when reads come within the TTL, then storage is read once', async () => {
    const w = world();
    await w.dashboard.summary();
    w.advance(29_000);
    await w.dashboard.principals({});
    expect(w.reads()).toBe(1);
  });

  it('when the snapshot is older than the TTL, then the next read gets the previous one at once while a rebuild runs, and later reads get the new one', async () => {
    const w = world();
    expect((await w.dashboard.summary()).counts.nonCompliant).toBe(1);
    w.stored.push(principal('b'));
    w.advance(31_000);
    const release = w.holdReads();
    expect((await w.dashboard.summary()).counts.nonCompliant).toBe(1); // stale, not blocked by the held read
    expect(w.reads()).toBe(2);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect((await w.dashboard.summary()).counts.nonCompliant).toBe(2);
    expect(w.reads()).toBe(2);
  });

  it('when an admin action drops the snapshot, then the next read waits for fresh data', async () => {
    const w = world();
    await w.dashboard.summary();
    w.stored.push(principal('b'));
    w.dashboard.invalidate();
    expect((await w.dashboard.summary()).counts.nonCompliant).toBe(2);
  });
});

describe('the trend', () => {
  it('when several runs fall on one day, then the day shows the last successful run\'s count and the sum of new and resolved; failed runs are left out', () => {
    const run = (iso: string, nonCompliant: number, outcome: SyncRun['outcome'] = 'succeeded'): SyncRun => ({
      id: iso, tenantId: 't', trigger: 'schedule', correlationId: iso, startedAt: new Date(iso), finishedAt: new Date(iso), outcome,
      ...(outcome === 'succeeded' ? { counts: { records: 1, listed: 1, nonCompliant, new: 1, reappeared: 1, resolved: 2 } } : {}),
    });
    expect(trendOf([run('2026-11-02T09:00:00Z', 7), run('2026-11-01T23:00:00Z', 5), run('2026-11-02T01:00:00Z', 6), run('2026-11-02T10:00:00Z', 99, 'throttled')])).toEqual([
      { day: '2026-11-01', nonCompliant: 5, new: 2, resolved: 2 },
      { day: '2026-11-02', nonCompliant: 7, new: 4, resolved: 4 },
    ]);
  });
});
