import { FixedClock } from '../../src/domain/clock';
import { createActivityCleanup } from '../../src/jobs/activity-cleanup';
import type { Storage } from '../../src/storage';
import { newStorage } from './helpers';
import { silentLogger } from '../support/silent-logger';


describe('activity claim cleanup on Azurite', () => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await newStorage();
  });

  it('when claims are older than a day, then they are deleted across partitions and newer ones stay', async () => {
    const now = new Date('2026-11-22T12:00:00.000Z');
    const old = new Date('2026-11-20T12:00:00.000Z');
    const oldIds = Array.from({ length: 130 }, (_, i) => `old-${i}`); // many partitions, >100 in total
    for (const id of oldIds) await storage.activities.claim(id, old);
    await storage.activities.claim('recent-1', new Date('2026-11-22T11:00:00.000Z'));
    await storage.activities.complete('recent-1', new Date('2026-11-22T11:00:01.000Z'));

    const cleanup = createActivityCleanup({ activities: storage.activities, leases: storage.leases, clock: new FixedClock(now), logger: silentLogger, instanceId: 'i1' });
    expect(await cleanup()).toBe(130);

    // Forgotten: a (theoretical) redelivery of an old id is new again; the recent claim still dedupes.
    expect(await storage.activities.claim('old-7', now)).toBe('first');
    expect(await storage.activities.claim('recent-1', now)).toBe('duplicate');
    expect(await cleanup()).toBe(0);
  });

  it('when another instance holds the cleanup lease, then this one does nothing', async () => {
    const now = new Date('2026-11-23T12:00:00.000Z');
    await storage.activities.claim('old-for-lease', new Date('2026-11-21T00:00:00.000Z'));
    expect(await storage.leases.tryAcquire('activity-cleanup', 'other/cleanup', 60_000, now)).toBe(true);
    const cleanup = createActivityCleanup({ activities: storage.activities, leases: storage.leases, clock: new FixedClock(now), logger: silentLogger, instanceId: 'i2' });
    expect(await cleanup()).toBe(0);
    await storage.leases.release('activity-cleanup', 'other/cleanup');
    expect(await cleanup()).toBeGreaterThanOrEqual(1);
  });
});
