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

    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r === 'taken')).toHaveLength(4);
  });

  it('when a notice was sent, then a later claim is "taken" and the ledger shows it sent', async () => {
    expect(await storage.notices.claim(key('sent'), at)).toBe('claimed');
    await storage.notices.markSent(key('sent'), later, 'activity-1');

    expect(await storage.notices.claim(key('sent'), later)).toBe('taken');
    const stored = (await storage.notices.list(TENANT)).find((n) => n.objectId === 'sent');
    expect({ ...stored, etag: undefined }).toEqual({ ...key('sent'), status: 'sent', claimedAt: at, sentAt: later, activityId: 'activity-1', etag: undefined });
    expect(typeof stored?.etag).toBe('string');
  });

  it('when a new episode starts, then its notice is claimed independently of the first', async () => {
    expect(await storage.notices.claim(key('episodes', 1), at)).toBe('claimed');

    expect(await storage.notices.claim(key('episodes', 2), at)).toBe('claimed');
  });

  it('when delivery failed (unreachable), then one later claim reclaims it, and only one', async () => {
    expect(await storage.notices.claim(key('unreachable'), at)).toBe('claimed');
    await storage.notices.markUnreachable(key('unreachable'), 'blocked', at);

    const results = await Promise.all([storage.notices.claim(key('unreachable'), later), storage.notices.claim(key('unreachable'), later)]);

    expect(results.sort()).toEqual(['claimed', 'taken']);
    expect(await storage.notices.claim(key('unreachable'), later)).toBe('taken');
    const stored = (await storage.notices.list(TENANT)).find((n) => n.objectId === 'unreachable');
    expect(stored?.status).toBe('sending');
    expect(stored?.claimedAt).toEqual(later);
  });

  it('when a notice that was never claimed is marked sent, then STORAGE_NOT_FOUND', async () => {
    const error = await rejectionOf(storage.notices.markSent(key('never'), at));

    expect(isAppError(error, ErrorCodes.StorageNotFound)).toBe(true);
  });
});
