import type { NoticeKey } from '../../src/domain/notice';
import type { Storage } from '../../src/storage';
import { ErrorCodes, isAppError } from '../../src/domain/errors';
import { newStorage, rejectionOf, TENANT } from './helpers';

describe('NoticeLedger on Azurite', () => {
  let storage: Storage;
  const at = new Date('2025-03-01T10:00:00.000Z');
  const later = new Date('2025-03-02T10:00:00.000Z');
  const key = (objectId: string, episode = 1): NoticeKey => ({ tenantId: TENANT, objectId, kind: 'first', episode });

  beforeAll(async () => {
    storage = await newStorage();
  });

  it('when two instances claim the same notice at once, then exactly one gets "claimed"', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => storage.notices.claim(key('race'), at)));

    expect(results.filter((r) => r.claimed)).toEqual([{ claimed: true, attempt: 1 }]);
    expect(results.filter((r) => !r.claimed)).toHaveLength(4);
  });

  it('when a notice was sent, then a later claim is "taken" and the ledger shows it sent', async () => {
    expect(await storage.notices.claim(key('sent'), at)).toEqual({ claimed: true, attempt: 1 });
    await storage.notices.markSent(key('sent'), later, 'activity-1');

    expect(await storage.notices.claim(key('sent'), later)).toMatchObject({ claimed: false, notice: { status: 'sent' } });
    const stored = (await storage.notices.list(TENANT)).find((n) => n.objectId === 'sent');
    expect({ ...stored, etag: undefined }).toEqual({ ...key('sent'), status: 'sent', attempt: 1, claimedAt: at, sentAt: later, activityId: 'activity-1', etag: undefined });
    expect(await storage.notices.get(key('sent'))).toEqual(stored);
    expect(await storage.notices.get(key('never-claimed'))).toBeUndefined();
    expect(typeof stored?.etag).toBe('string');
  });

  it('when a new episode starts, then its notice is claimed independently of the first', async () => {
    expect((await storage.notices.claim(key('episodes', 1), at)).claimed).toBe(true);

    expect((await storage.notices.claim(key('episodes', 2), at)).claimed).toBe(true);
  });

  it('when delivery failed (unreachable), then one later claim reclaims it as the second attempt, and only one', async () => {
    expect(await storage.notices.claim(key('unreachable'), at)).toEqual({ claimed: true, attempt: 1 });
    await storage.notices.markUnreachable(key('unreachable'), 'blocked', at);

    const results = await Promise.all([storage.notices.claim(key('unreachable'), later), storage.notices.claim(key('unreachable'), later)]);

    expect(results.filter((r) => r.claimed)).toEqual([{ claimed: true, attempt: 2 }]);
    expect((await storage.notices.claim(key('unreachable'), later)).claimed).toBe(false);
    const stored = (await storage.notices.list(TENANT)).find((n) => n.objectId === 'unreachable');
    expect(stored?.status).toBe('sending');
    expect(stored?.attempt).toBe(2);
    expect(stored?.claimedAt).toEqual(later);
  });

  it('when the outbox reports on an older attempt, then the current attempt keeps its state', async () => {
    await storage.notices.claim(key('late'), at);
    await storage.notices.markUnreachable(key('late'), 'blocked', at, 1);
    await storage.notices.claim(key('late'), later); // attempt 2 is queued

    expect(await storage.notices.markSent(key('late'), later, 'activity-old', 1)).toBe(false);
    expect(await storage.notices.markUnreachable(key('late'), 'late report', later, 1)).toBe(false);
    expect((await storage.notices.get(key('late')))?.status).toBe('sending');
    expect(await storage.notices.markSent(key('late'), later, 'activity-2', 2)).toBe(true);
    expect(await storage.notices.get(key('late'))).toMatchObject({ status: 'sent', attempt: 2, activityId: 'activity-2' });
  });

  it('when a notice that was never claimed is marked sent, then STORAGE_NOT_FOUND', async () => {
    const error = await rejectionOf(storage.notices.markSent(key('never'), at));

    expect(isAppError(error, ErrorCodes.StorageNotFound)).toBe(true);
  });
});
