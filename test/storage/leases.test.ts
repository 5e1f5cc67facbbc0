import type { Storage } from '../../src/storage';
import { newStorage } from './helpers';

describe('LeaseStore on Azurite', () => {
  let storage: Storage;
  const at = new Date('2025-03-01T10:00:00.000Z');
  const plus = (ms: number): Date => new Date(at.getTime() + ms);
  const TTL = 60_000;

  beforeAll(async () => {
    storage = await newStorage();
  });

  it('when two instances race for a free lease, then exactly one gets it', async () => {
    const results = await Promise.all(['a', 'b', 'c'].map((holder) => storage.leases.tryAcquire('race', holder, TTL, at)));

    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('when the lease is held and not expired, then another holder is refused', async () => {
    expect(await storage.leases.tryAcquire('held', 'a', TTL, at)).toBe(true);

    expect(await storage.leases.tryAcquire('held', 'b', TTL, plus(TTL - 1))).toBe(false);
  });

  it('when the holder renews, then it keeps the lease past the first expiry', async () => {
    expect(await storage.leases.tryAcquire('renew', 'a', TTL, at)).toBe(true);
    expect(await storage.leases.tryAcquire('renew', 'a', TTL, plus(TTL / 2))).toBe(true);

    expect(await storage.leases.tryAcquire('renew', 'b', TTL, plus(TTL + 1))).toBe(false);
  });

  it('when the lease expired, then another holder takes it over, and the old holder is refused', async () => {
    expect(await storage.leases.tryAcquire('expire', 'a', TTL, at)).toBe(true);

    expect(await storage.leases.tryAcquire('expire', 'b', TTL, plus(TTL + 1))).toBe(true);
    expect(await storage.leases.tryAcquire('expire', 'a', TTL, plus(TTL + 2))).toBe(false);
  });

  it('when the holder releases, then another holder can take it at once', async () => {
    await storage.leases.tryAcquire('release', 'a', TTL, at);

    await storage.leases.release('release', 'a');

    expect(await storage.leases.tryAcquire('release', 'b', TTL, plus(1))).toBe(true);
  });

  it('when someone who does not hold the lease releases it, then the holder keeps it', async () => {
    await storage.leases.tryAcquire('not-yours', 'a', TTL, at);

    await storage.leases.release('not-yours', 'b');

    expect(await storage.leases.tryAcquire('not-yours', 'b', TTL, plus(1))).toBe(false);
  });
});
