import { ErrorCodes } from '../../src/domain/errors';
import { newNudgeState, recordFirstNotice, recordSent, stopFor, pauseNudges, type NudgeState } from '../../src/domain/nudge';
import type { Storage } from '../../src/storage';
import { newStorage, rejectionOf, TENANT } from './helpers';

describe('NudgeStore on Azurite', () => {
  let storage: Storage;
  const t0 = new Date('2026-03-02T09:00:00.000Z');
  const t1 = new Date('2026-03-04T09:00:00.123Z');
  const t2 = new Date('2026-03-06T10:30:00.000Z');

  beforeAll(async () => {
    storage = await newStorage();
  });

  function fullState(objectId: string): NudgeState {
    let s = recordFirstNotice(newNudgeState(objectId, 3), t0);
    s = recordSent(s, { action: 'reminder' }, t1);
    s = recordSent(s, { action: 'escalate', step: 'admins', skipped: ['manager'] }, t2);
    s = { ...s, snoozedUntil: t2, snoozesUsed: 2, resumedAt: t1 };
    return pauseNudges(stopFor(s, 'exceptionGranted', new Date('2026-04-01T00:00:00.000Z')), t2);
  }

  it('when a state with every field is saved and read back, then it round-trips exactly (Dates, escalations, stop, pause)', async () => {
    const state = fullState('user/with#odd?chars');
    const saved = await storage.nudges.save(TENANT, state);
    expect(typeof saved.etag).toBe('string');
    const read = await storage.nudges.get(TENANT, 'user/with#odd?chars');
    expect({ ...read, etag: undefined }).toEqual({ ...state, etag: undefined });
    expect(read?.escalations[0]).toEqual({ step: 'manager', at: t2, skipped: 'noManager' });
    expect(read?.etag).toBe(saved.etag);
  });

  it('when a minimal state is saved, then optional fields stay absent (not null) when read', async () => {
    const state = newNudgeState('minimal', 1);
    await storage.nudges.save(TENANT, state);
    const read = await storage.nudges.get(TENANT, 'minimal');
    expect(read && Object.keys(read).sort()).toEqual(['episode', 'escalations', 'etag', 'objectId', 'remindersSent', 'snoozesUsed']);
  });

  it('when a row exists and a second create comes (another instance), then STORAGE_ALREADY_EXISTS', async () => {
    await storage.nudges.save(TENANT, newNudgeState('twice', 1));
    const error = await rejectionOf(storage.nudges.save(TENANT, newNudgeState('twice', 1)));
    expect(error).toMatchObject({ code: ErrorCodes.StorageAlreadyExists });
  });

  it('when two writers replace under the same etag, then exactly one wins and the other gets STORAGE_CONFLICT', async () => {
    const created = await storage.nudges.save(TENANT, recordFirstNotice(newNudgeState('race', 1), t0));
    const results = await Promise.allSettled([
      storage.nudges.save(TENANT, recordSent(created, { action: 'reminder' }, t1)),
      storage.nudges.save(TENANT, recordSent(created, { action: 'reminder' }, t2)),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected?.reason).toMatchObject({ code: ErrorCodes.StorageConflict });
    expect((await storage.nudges.get(TENANT, 'race'))?.remindersSent).toBe(1);
  });

  it('when a replaced state drops a field (a resume lifts the stop), then the field is gone from storage', async () => {
    const created = await storage.nudges.save(TENANT, stopFor(newNudgeState('lifted', 1), 'blocked'));
    const { stopped: _s, ...rest } = created;
    await storage.nudges.save(TENANT, rest);
    expect((await storage.nudges.get(TENANT, 'lifted'))?.stopped).toBeUndefined();
  });

  it('when listed, then every state of the tenant comes back and another tenant sees none of them', async () => {
    const all = await storage.nudges.listAll(TENANT);
    expect(all.map((s) => s.objectId)).toEqual(expect.arrayContaining(['minimal', 'twice', 'race', 'lifted', 'user/with#odd?chars']));
    expect(await storage.nudges.listAll('other-tenant')).toEqual([]);
    expect(await storage.nudges.get(TENANT, 'nobody')).toBeUndefined();
  });
});

describe('SettingsStore on Azurite', () => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await newStorage();
  });

  it('when a setting is created, read, replaced under etag and replaced again under the old etag, then Dates round-trip and the stale write is STORAGE_CONFLICT', async () => {
    expect(await storage.settings.get('nudgesPaused')).toBeUndefined();
    const at = new Date('2026-03-02T09:00:00.000Z');
    const first = await storage.settings.put('nudgesPaused', { paused: true, by: 'admin-1', at });
    const read = await storage.settings.get('nudgesPaused');
    expect(read?.value).toEqual({ paused: true, by: 'admin-1', at });
    await storage.settings.put('nudgesPaused', { paused: false, by: 'admin-2', at }, first.etag);
    expect(await rejectionOf(storage.settings.put('nudgesPaused', { paused: true, by: 'x', at }, first.etag))).toMatchObject({ code: ErrorCodes.StorageConflict });
    expect(await rejectionOf(storage.settings.put('nudgesPaused', { paused: true, by: 'x', at }))).toMatchObject({ code: ErrorCodes.StorageAlreadyExists });
    expect((await storage.settings.get('nudgesPaused'))?.value.paused).toBe(false);
  });

  it('when a value holds local dates (closures), then they stay strings', async () => {
    await storage.settings.put('closures', [{ from: '2026-12-24', to: '2026-12-31', reason: 'Year end' }]);
    expect((await storage.settings.get('closures'))?.value).toEqual([{ from: '2026-12-24', to: '2026-12-31', reason: 'Year end' }]);
  });
});
