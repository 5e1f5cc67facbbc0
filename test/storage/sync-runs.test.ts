import { syncRunId, type SyncRun } from '../../src/domain/sync-run';
import type { Storage } from '../../src/storage';
import { ErrorCodes, isAppError } from '../../src/domain/errors';
import { newStorage, rejectionOf, TENANT } from './helpers';

function run(startedAt: string, overrides: Partial<SyncRun> = {}): SyncRun {
  const start = new Date(startedAt);
  return {
    id: syncRunId(start, 'x'),
    tenantId: TENANT,
    trigger: 'schedule',
    correlationId: `corr-${startedAt}`,
    startedAt: start,
    finishedAt: new Date(start.getTime() + 1_500),
    outcome: 'succeeded',
    ...overrides,
  };
}

describe('SyncRunStore on Azurite', () => {
  let storage: Storage;

  beforeAll(async () => {
    storage = await newStorage();
  });

  it('when runs are added in any order, then latest(n) returns the n newest, newest first, as stored', async () => {
    const runs = [
      run('2025-03-01T10:00:00.000Z'),
      run('2025-03-01T12:00:00.000Z', {
        trigger: 'admin',
        requestedBy: 'admin-1',
        counts: { records: 10, listed: 4, nonCompliant: 3, new: 1, reappeared: 0, resolved: 1 },
        tokenHasMfa: true,
        partnerCenterSaysMfaCompliant: false,
      }),
      run('2025-03-01T11:00:00.000Z', { outcome: 'mfaRequired', errorCode: 'PC_MFA_REQUIRED', errorMessage: 'MFA required' }),
    ];
    for (const r of runs) await storage.syncRuns.add(r);

    const latest = await storage.syncRuns.latest(TENANT, 2);

    expect(latest).toEqual([runs[1], runs[2]]);
  });

  it('when more runs are asked for than exist, then all are returned', async () => {
    expect(await storage.syncRuns.latest(TENANT, 50)).toHaveLength(3);
  });

  it('when a run id is added twice, then STORAGE_ALREADY_EXISTS', async () => {
    const error = await rejectionOf(storage.syncRuns.add(run('2025-03-01T10:00:00.000Z')));

    expect(isAppError(error, ErrorCodes.StorageAlreadyExists)).toBe(true);
  });
});
