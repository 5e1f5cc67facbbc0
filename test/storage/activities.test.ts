import type { Storage } from '../../src/storage';
import { newStorage } from './helpers';

describe('ActivityDeduplicator on Azurite', () => {
  let storage: Storage;
  const at = new Date('2025-03-01T10:00:00.000Z');
  const plus = (ms: number): Date => new Date(at.getTime() + ms);

  beforeAll(async () => {
    storage = await newStorage();
  });

  it('when an activity arrives the first time, then "first"; when it is redelivered, then "duplicate"', async () => {
    expect(await storage.activities.claim('1:abc', at)).toBe('first');

    expect(await storage.activities.claim('1:abc', plus(1_000))).toBe('duplicate');
  });

  it('when two deliveries race, then exactly one is "first"', async () => {
    const results = await Promise.all([storage.activities.claim('race', at), storage.activities.claim('race', at), storage.activities.claim('race', at)]);

    expect(results.filter((r) => r === 'first')).toHaveLength(1);
  });

  it('when processing finished, then a redelivery much later is still "duplicate"', async () => {
    await storage.activities.claim('done-1', at);
    await storage.activities.complete('done-1', plus(500));

    expect(await storage.activities.claim('done-1', plus(60 * 60_000))).toBe('duplicate');
  });

  it('when a claim is still processing after 2 minutes, then one redelivery takes it over', async () => {
    await storage.activities.claim('stale-1', at);
    expect(await storage.activities.claim('stale-1', plus(119_000))).toBe('duplicate');

    const results = await Promise.all([storage.activities.claim('stale-1', plus(121_000)), storage.activities.claim('stale-1', plus(121_000))]);

    expect(results.sort()).toEqual(['duplicate', 'first']);
    expect(await storage.activities.claim('stale-1', plus(122_000))).toBe('duplicate');
  });

  it('when an owned claim is renewed by its owner, then it lives on; once renewals stop, a redelivery takes it over after one lease', async () => {
    const lease = storage.activities.leaseMs;
    expect(await storage.activities.claim('owned-1', at, 'boot-a')).toBe('first');
    expect(await storage.activities.renew('owned-1', 'boot-a', plus(lease - 1))).toBe(true);
    expect(await storage.activities.renew('owned-1', 'boot-b', plus(lease - 1))).toBe(false); // not theirs

    expect(await storage.activities.claim('owned-1', plus(2 * lease - 2), 'boot-b')).toBe('duplicate'); // renewed: still alive
    expect(await storage.activities.claim('owned-1', plus(2 * lease - 1), 'boot-b')).toBe('first'); // its owner stopped renewing
    expect(await storage.activities.renew('owned-1', 'boot-a', plus(2 * lease))).toBe(false); // the dead owner cannot win it back
  });

  it('when its owner releases an unfinished claim (the turn failed), then the next delivery is processed at once; another owner cannot release it', async () => {
    await storage.activities.claim('failed-1', at, 'boot-a');
    await storage.activities.release('failed-1', 'boot-b');
    expect(await storage.activities.claim('failed-1', plus(1), 'boot-c')).toBe('duplicate');

    await storage.activities.release('failed-1', 'boot-a');
    expect(await storage.activities.claim('failed-1', plus(2), 'boot-c')).toBe('first');
  });

  it('when activity ids hold characters keys forbid, then they are claimed like any other', async () => {
    expect(await storage.activities.claim('f:1/2#3?4\\5', at)).toBe('first');
    expect(await storage.activities.claim('f:1/2#3?4\\5', at)).toBe('duplicate');
  });
});
