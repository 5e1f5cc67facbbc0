import type { ConversationAddress } from '../../src/domain/conversation';
import type { Storage } from '../../src/storage';
import { newStorage, TENANT } from './helpers';

function address(aadObjectId: string, conversationId = `a:conv-${aadObjectId}`): ConversationAddress {
  return {
    channelId: 'msteams',
    serviceUrl: 'https://smba.trafficmanager.net/teams/',
    conversationId,
    tenantId: TENANT,
    userId: `29:${aadObjectId}`,
    aadObjectId,
    botId: '28:bot',
  };
}

describe('ContactStore on Azurite', () => {
  let storage: Storage;
  const t0 = new Date('2025-03-01T10:00:00.000Z');
  const t1 = new Date('2025-03-01T11:00:00.000Z');

  beforeAll(async () => {
    storage = await newStorage();
  });

  it('when an activity is recorded, then the contact holds its address, zone, locale and time', async () => {
    await storage.contacts.recordActivity({
      tenantId: TENANT,
      aadObjectId: 'u1',
      address: address('u1'),
      timezone: 'Europe/Berlin',
      locale: 'de-DE',
      at: t0,
    });
    const contact = (await storage.contacts.get(TENANT, 'u1'))!;

    const { etag, ...fields } = contact;
    expect(typeof etag).toBe('string');
    expect(fields).toEqual({
      tenantId: TENANT,
      aadObjectId: 'u1',
      address: address('u1'),
      timezone: 'Europe/Berlin',
      locale: 'de-DE',
      lastActivityAt: t0,
    });
  });

  it('when a later activity carries no time zone, then the newest address wins and the known zone stays', async () => {
    await storage.contacts.recordActivity({ tenantId: TENANT, aadObjectId: 'u2', address: address('u2'), timezone: 'Asia/Tokyo', at: t0 });

    await storage.contacts.recordActivity({
      tenantId: TENANT,
      aadObjectId: 'u2',
      address: address('u2', 'a:new-conversation'),
      at: t1,
    });
    const contact = (await storage.contacts.get(TENANT, 'u2'))!;

    expect(contact.address?.conversationId).toBe('a:new-conversation');
    expect(contact.timezone).toBe('Asia/Tokyo');
    expect(contact.lastActivityAt).toEqual(t1);
  });

  it('when a user is marked unreachable, then they are listed with the reason; a new activity clears the mark', async () => {
    await storage.contacts.recordActivity({ tenantId: TENANT, aadObjectId: 'u3', address: address('u3'), at: t0 });
    await storage.contacts.markUnreachable(TENANT, 'u3', 'blocked', t1, '403 MessageWritesBlocked');
    await storage.contacts.markUnreachable(TENANT, 'never-seen', 'notInstalled', t1);

    const unreachable = await storage.contacts.listUnreachable(TENANT);

    expect(unreachable.map((c) => [c.aadObjectId, c.unreachable]).sort()).toEqual([
      ['never-seen', { reason: 'notInstalled', at: t1 }],
      ['u3', { reason: 'blocked', at: t1, detail: '403 MessageWritesBlocked' }],
    ]);
    expect((await storage.contacts.get(TENANT, 'u3'))?.address).toEqual(address('u3'));

    await storage.contacts.recordActivity({ tenantId: TENANT, aadObjectId: 'u3', address: address('u3'), at: t1 });

    expect((await storage.contacts.get(TENANT, 'u3'))?.unreachable).toBeUndefined();
    expect((await storage.contacts.listUnreachable(TENANT)).map((c) => c.aadObjectId)).toEqual(['never-seen']);
  });

  it('when a contact is not stored, then get answers undefined', async () => {
    await expect(storage.contacts.get(TENANT, 'nobody')).resolves.toBeUndefined();
  });
});
