import { ErrorCodes, isAppError, type AppError } from '../../src/domain/errors';
import type { Principal } from '../../src/domain/compliance';
import type { Storage, TransactionReport } from '../../src/storage';
import { newStorage, objectIds, principal, randomPrefix, rawTable, rejectionOf, TENANT } from './helpers';

describe('PrincipalStore on Azurite', () => {
  let storage: Storage;
  let prefix: string;
  const reports: TransactionReport[] = [];

  beforeAll(async () => {
    prefix = randomPrefix();
    storage = await newStorage({ tablePrefix: prefix, onTransaction: (r) => reports.push(r) });
  });

  beforeEach(() => {
    reports.length = 0;
  });

  it('when a principal is saved without etag, then it is created and reads back equal, with an etag', async () => {
    const p = principal('create-1', {
      status: 'verificationPending',
      mfaRegisteredAt: new Date('2025-03-02T09:00:00.000Z'),
      lastVerification: {
        checkedAt: new Date('2025-03-02T09:00:00.000Z'),
        outcome: 'registered',
        source: 'registrationDetails',
        methods: ['microsoftAuthenticatorPush'],
      },
    });

    const saved = await storage.principals.save(p);
    const read = await storage.principals.get(TENANT, 'create-1');

    expect(saved.etag).toEqual(expect.any(String));
    expect(read).toEqual({ ...p, etag: saved.etag });
  });

  it('when absent optional fields are saved, then the stored entity has no such properties', async () => {
    await storage.principals.save(principal('sparse-1'));

    const raw = await rawTable(prefix, 'principals').getEntity(TENANT, 'sparse-1');

    expect(raw).not.toHaveProperty('mfaRegisteredAt');
    expect(raw).not.toHaveProperty('resolvedAt');
    expect(raw).not.toHaveProperty('lastVerification');
    expect(raw['firstDetectedAt']).toBeInstanceOf(Date);
  });

  it('when a principal is not stored, then get answers undefined', async () => {
    await expect(storage.principals.get(TENANT, 'nobody')).resolves.toBeUndefined();
  });

  it('when a principal is saved without etag but exists, then STORAGE_ALREADY_EXISTS', async () => {
    await storage.principals.save(principal('dup-1'));

    const error = await rejectionOf(storage.principals.save(principal('dup-1')));

    expect(isAppError(error, ErrorCodes.StorageAlreadyExists)).toBe(true);
  });

  it('when a principal is replaced under its etag, then the change is stored and the etag moves on', async () => {
    const created = await storage.principals.save(principal('update-1'));

    const updated = await storage.principals.save({ ...created, recordCount: 9, status: 'compliant', resolution: 'notListed' });
    const read = await storage.principals.get(TENANT, 'update-1');

    expect(updated.etag).not.toBe(created.etag);
    expect(read?.recordCount).toBe(9);
    expect(read?.resolution).toBe('notListed');
  });

  it('when a principal is replaced under a stale etag, then STORAGE_CONFLICT and the newer write stays', async () => {
    const created = await storage.principals.save(principal('stale-1'));
    await storage.principals.save({ ...created, recordCount: 5 });

    const error = await rejectionOf(storage.principals.save({ ...created, recordCount: 7 }));

    expect(isAppError(error, ErrorCodes.StorageConflict)).toBe(true);
    expect((error as AppError).status).toBe(412);
    expect((await storage.principals.get(TENANT, 'stale-1'))?.recordCount).toBe(5);
  });

  it('when a field would exceed a property limit, then STORAGE_LIMIT before anything is sent', async () => {
    const error = await rejectionOf(storage.principals.save(principal('huge-upn', { upn: 'x'.repeat(40_000) })));

    expect(isAppError(error, ErrorCodes.StorageLimit)).toBe(true);
    await expect(storage.principals.get(TENANT, 'huge-upn')).resolves.toBeUndefined();
  });

  describe('saveMany', () => {
    const tenant = 'tenant-batches';
    const ids = objectIds(250);
    const inTenant = (id: string, overrides: Partial<Principal> = {}): Principal => principal(id, { tenantId: tenant, ...overrides });

    it('when 250 new principals are saved, then they go in 3 transactions and listAll returns all with etags', async () => {
      await storage.principals.saveMany(ids.map((id) => inTenant(id)));

      const listed = await storage.principals.listAll(tenant);

      expect([...reports].sort((a, b) => a.index - b.index).map((r) => r.actions)).toEqual([100, 100, 50]);
      expect(reports.every((r) => r.ok)).toBe(true);
      expect(listed.map((p) => p.objectId)).toEqual(ids);
      expect(listed.every((p) => typeof p.etag === 'string')).toBe(true);
      expect(listed[0]).toEqual({ ...inTenant(ids[0] ?? ''), etag: listed[0]?.etag });
    });

    it('when one principal changed concurrently, then that batch fails with STORAGE_CONFLICT naming its ids, and the other batches are written', async () => {
      const listed = await storage.principals.listAll(tenant);
      const concurrent = listed[150];
      if (concurrent === undefined) throw new Error('setup: principal 150 missing');
      await storage.principals.save({ ...concurrent, upn: 'changed-by-someone-else@example.com' });

      const error = await rejectionOf(storage.principals.saveMany(listed.map((p) => ({ ...p, recordCount: 42 }))));

      expect(isAppError(error, ErrorCodes.StorageConflict)).toBe(true);
      const details = (error as AppError).details;
      expect(details['objectIds']).toEqual(ids.slice(100, 200));
      expect(details['batchIndex']).toBe(1);
      const after = await storage.principals.listAll(tenant);
      const counts = new Map(after.map((p) => [p.objectId, p.recordCount]));
      expect(ids.slice(0, 100).every((id) => counts.get(id) === 42)).toBe(true);
      expect(ids.slice(200).every((id) => counts.get(id) === 42)).toBe(true);
      expect(ids.slice(100, 200).every((id) => counts.get(id) === 3)).toBe(true);
      expect(after.find((p) => p.objectId === concurrent.objectId)?.upn).toBe('changed-by-someone-else@example.com');
    });

    it('when a principal to create already exists, then its batch fails with STORAGE_CONFLICT', async () => {
      const error = await rejectionOf(storage.principals.saveMany([inTenant('fresh-1'), inTenant(ids[0] ?? '')]));

      expect(isAppError(error, ErrorCodes.StorageConflict)).toBe(true);
      expect((error as AppError).details['objectIds']).toEqual(['fresh-1', ids[0]]);
      await expect(storage.principals.get(tenant, 'fresh-1')).resolves.toBeUndefined();
    });

    it('when principals of two tenants are saved, then each tenant gets its own transactions', async () => {
      await storage.principals.saveMany([principal('a', { tenantId: 'tenant-x' }), principal('b', { tenantId: 'tenant-y' })]);

      expect(reports.map((r) => r.partitionKey).sort()).toEqual(['tenant-x', 'tenant-y']);
      expect((await storage.principals.listAll('tenant-x')).map((p) => p.objectId)).toEqual(['a']);
    });

    it('when 100 principals add up to more than 4 MiB, then they are split into transactions under 4 MiB and all are written', async () => {
      const big = objectIds(100, 'big').map((id) =>
        principal(id, {
          tenantId: 'tenant-big',
          upn: `${'u'.repeat(30_000)}@example.com`,
          lastVerification: {
            checkedAt: new Date('2025-03-02T09:00:00.000Z'),
            outcome: 'notRegistered',
            source: 'authenticationMethods',
            methods: ['m'.repeat(30_000)],
          },
        }),
      );

      await storage.principals.saveMany(big);

      expect(reports.length).toBeGreaterThanOrEqual(2);
      expect(reports.every((r) => r.ok && r.estimatedBytes <= 4 * 1024 * 1024)).toBe(true);
      expect(reports.reduce((n, r) => n + r.actions, 0)).toBe(100);
      const listed = await storage.principals.listAll('tenant-big');
      expect(listed).toHaveLength(100);
      expect(listed[99]?.lastVerification?.methods[0]).toHaveLength(30_000);
    });
  });
});
