import { ErrorCodes, isAppError } from '../../src/domain/errors';
import { emptyIntegration, mergeInventory, type Incident } from '../../src/domain/integrations';
import { createIntegrationStorage, type IntegrationStorage } from '../../src/storage/integrations';
import { connectionString, randomPrefix, rejectionOf } from './helpers';

const AT = new Date('2026-11-21T12:00:00.000Z');

describe('integration watch stores on Azurite', () => {
  let storage: IntegrationStorage;
  beforeEach(async () => {
    storage = await createIntegrationStorage({ connectionString: connectionString(), tablePrefix: randomPrefix() });
  });

  it('when an integration with days, users, operations and fields is saved, then it reads back equal with an etag, and a stale etag is refused', async () => {
    const [merged] = mergeInventory(
      [],
      {
        adoption: [{ applicationId: 'App-1', applicationName: 'Billing', day: '2026-11-20', mfaCompliantRequestCount: 1, totalRequestCount: 4 }],
        requests: [{ requestId: 'r1', correlationId: 'c1', operationName: 'Get /v1/invoices', at: AT, sourceIp: '10.0.0.1', objectId: 'u1', tenantId: 't', upn: 'svc@p', applicationId: 'App-1', mfaCompliant: false }],
      },
      AT,
    );
    const created = await storage.integrations.save({ ...merged!, fields: { owner: { aadObjectId: 'o-1', name: 'Olga' }, impact: 'billing', playbookSteps: ['a', 'b'] }, alerts: { newNonMfaAt: AT } });
    expect(created.etag).toEqual(expect.any(String));
    const read = await storage.integrations.get('app-1');
    expect(read).toEqual(created);
    expect(await storage.integrations.listAll()).toEqual([created]);

    const updated = await storage.integrations.save({ ...read!, name: 'Billing v2' });
    const stale = await rejectionOf(storage.integrations.save({ ...read!, name: 'lost' }));
    expect(isAppError(stale, ErrorCodes.StorageConflict)).toBe(true);
    expect((await storage.integrations.get('app-1'))?.name).toBe(updated.name);
    const twice = await rejectionOf(storage.integrations.save(emptyIntegration('app-1', 'x', false)));
    expect(isAppError(twice, ErrorCodes.StorageAlreadyExists)).toBe(true);
  });

  it('when incidents are created, then ids are unique and an acknowledgement is saved under etag', async () => {
    const incident: Incident = { id: 'INC-1', integrationKey: 'app-1', status: 401, errorCode: '900421', occurredAt: AT, receivedAt: AT, source: 'key-1', alertBucket: 'app-1|2026-11-21T12' };
    const created = await storage.incidents.create(incident);
    expect(isAppError(await rejectionOf(storage.incidents.create(incident)), ErrorCodes.StorageAlreadyExists)).toBe(true);
    const acked = await storage.incidents.save({ ...created, acknowledgedBy: 'admin', acknowledgedAt: AT });
    expect(await storage.incidents.get('INC-1')).toEqual(acked);
  });

  it('when the incidents channel is set and cleared, then it reads back each time', async () => {
    expect(await storage.settings.getChannel()).toBeUndefined();
    const address = { channelId: 'msteams', serviceUrl: 'http://x/', conversationId: '19:ops', tenantId: 't', userId: '29:a', aadObjectId: 'a', botId: '28:b' };
    await storage.settings.putChannel({ address, setBy: 'a', setAt: AT });
    const stored = await storage.settings.getChannel();
    expect(stored?.value?.address.conversationId).toBe('19:ops');
    await storage.settings.putChannel(null, stored!.etag);
    expect((await storage.settings.getChannel())?.value).toBeNull();
  });
});
