import type { ApprovalsChannelSetting, ClosuresSetting, NudgesPausedSetting } from '../../src/app/ports';
import { ErrorCodes, isAppError } from '../../src/domain/errors';
import type { Storage } from '../../src/storage';
import { newStorage, randomPrefix, rawTable, rejectionOf } from './helpers';

const AT = new Date('2025-03-03T09:15:30.123Z');

describe('SettingsStore on Azurite', () => {
  let storage: Storage;

  beforeEach(async () => {
    storage = await newStorage();
  });

  it('when a setting was never written, then get() answers undefined', async () => {
    expect(await storage.settings.get('closures')).toBeUndefined();
  });

  it('when a setting with nested Dates is created, then it reads back equal, Dates as Dates, with the etag of the write', async () => {
    const channel: ApprovalsChannelSetting = {
      address: {
        channelId: 'msteams',
        serviceUrl: 'https://smba.example/',
        conversationId: '19:approvals@thread.tacv2',
        tenantId: 'tenant',
        userId: '29:x',
        aadObjectId: 'admin',
        botId: '28:bot',
      },
      setBy: 'admin-1',
      setAt: AT,
    };

    const written = await storage.settings.put('approvalsChannel', channel);
    const read = await storage.settings.get('approvalsChannel');

    expect(read).toEqual({ value: channel, etag: written.etag });
    expect(read?.value?.setAt).toBeInstanceOf(Date);
  });

  it('when a setting is created while it exists, then STORAGE_ALREADY_EXISTS and the first value stays', async () => {
    const first: NudgesPausedSetting = { paused: true, by: 'a', at: AT };
    await storage.settings.put('nudgesPaused', first);

    const error = await rejectionOf(storage.settings.put('nudgesPaused', { paused: false, by: 'b', at: AT }));

    expect(isAppError(error, ErrorCodes.StorageAlreadyExists)).toBe(true);
    expect((await storage.settings.get('nudgesPaused'))?.value).toEqual(first);
  });

  it('when two admins replace a setting from the same read, then one wins and the other is STORAGE_CONFLICT', async () => {
    const closures: ClosuresSetting = [];
    const created = await storage.settings.put('closures', closures);

    const results = await Promise.allSettled([
      storage.settings.put('closures', [{ from: '2025-12-24', to: '2025-12-26', reason: 'A' }], created.etag),
      storage.settings.put('closures', [{ from: '2025-12-31', to: '2026-01-01', reason: 'B' }], created.etag),
    ]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(isAppError(rejected?.reason, ErrorCodes.StorageConflict)).toBe(true);
    const winner = results.find((r) => r.status === 'fulfilled');
    expect(await storage.settings.get('closures')).toEqual(winner?.status === 'fulfilled' ? winner.value : undefined);
  });

  it('when a setting that does not exist is replaced under an etag, then STORAGE_NOT_FOUND', async () => {
    const error = await rejectionOf(storage.settings.put('nudgesPaused', { paused: true, by: 'a', at: AT }, 'W/"datetime\'2025-01-01T00%3A00%3A00Z\'"'));

    expect(isAppError(error, ErrorCodes.StorageNotFound)).toBe(true);
  });

  it('when a value is too large for one property, then STORAGE_LIMIT and nothing is stored', async () => {
    const error = await rejectionOf(storage.settings.put('closures', [{ from: '2025-12-24', to: '2025-12-26', reason: 'x'.repeat(40_000) }]));

    expect(isAppError(error, ErrorCodes.StorageLimit)).toBe(true);
    expect(await storage.settings.get('closures')).toBeUndefined();
  });
});

describe('settings written by earlier versions, and values that do not fit', () => {
  let prefix: string;
  let storage: Storage;
  const writeRaw = (name: string, value: string) => rawTable(prefix, 'settings').createEntity({ partitionKey: 'setting', rowKey: name, value });

  beforeEach(async () => {
    prefix = randomPrefix();
    storage = await newStorage({ tablePrefix: prefix });
  });

  it('when a value was stored with the old {"$date": …} tags, then it reads back with Dates as Dates', async () => {
    await writeRaw('nudgesPaused', '{"paused":true,"by":"admin-1","at":{"$date":"2025-03-03T09:15:30.123Z"}}');
    await writeRaw(
      'approvalsChannel',
      '{"address":{"channelId":"msteams","serviceUrl":"https://smba.example/","conversationId":"19:a@thread.tacv2","tenantId":"t","userId":"29:x","aadObjectId":"admin","botId":"28:bot"},"setBy":"admin-1","setAt":{"$date":"2025-03-03T09:15:30.123Z"}}',
    );
    await writeRaw('closures', '[{"from":"2025-12-24","to":"2025-12-26","reason":"Christmas shutdown"}]');

    expect((await storage.settings.get('nudgesPaused'))?.value).toEqual({ paused: true, by: 'admin-1', at: AT });
    expect((await storage.settings.get('approvalsChannel'))?.value?.setAt).toEqual(AT);
    expect((await storage.settings.get('closures'))?.value).toEqual([{ from: '2025-12-24', to: '2025-12-26', reason: 'Christmas shutdown' }]);
  });

  it('when a value is written now, then it is stored as plain JSON (ISO strings) and an old-tagged value replaced under its etag reads the same', async () => {
    await writeRaw('nudgesPaused', '{"paused":true,"by":"admin-1","at":{"$date":"2025-03-03T09:15:30.123Z"}}');
    const old = await storage.settings.get('nudgesPaused');
    await storage.settings.put('nudgesPaused', { paused: false, by: 'admin-2', at: AT }, old?.etag);

    const raw = await rawTable(prefix, 'settings').getEntity<{ value: string }>('setting', 'nudgesPaused');
    expect(JSON.parse(raw.value)).toEqual({ paused: false, by: 'admin-2', at: '2025-03-03T09:15:30.123Z' });
    expect((await storage.settings.get('nudgesPaused'))?.value).toEqual({ paused: false, by: 'admin-2', at: AT });
  });

  it('when a stored value does not match its key\'s schema, then reading it fails loudly instead of handing on a wrong shape', async () => {
    await writeRaw('nudgesPaused', '{"paused":"yes","by":"admin-1","at":"2025-03-03T09:15:30.123Z"}');
    await writeRaw('closures', '[{"from":"2025-12-24","to":"2025-12-26","reason":"x"}, {"from":"soon"}]');
    await writeRaw('approvalsChannel', '{"address":{},"setBy":"a","setAt":{"$date":"not a date"}}');

    await expect(storage.settings.get('nudgesPaused')).rejects.toThrow(/nudgesPaused/);
    await expect(storage.settings.get('closures')).rejects.toThrow(/closures/);
    await expect(storage.settings.get('approvalsChannel')).rejects.toThrow(/approvalsChannel/);
  });

  it('when approvals were switched off (null), then null reads back as the value, not as "never written"', async () => {
    await storage.settings.put('approvalsChannel', null);
    const read = await storage.settings.get('approvalsChannel');
    expect(read?.value).toBeNull();
    expect(read?.etag).toMatch(/\S/);
  });

  it('when a value does not match its schema or holds an invalid Date, then the write is refused and nothing is stored', async () => {
    await expect(storage.settings.put('nudgesPaused', { paused: true, by: 'a', at: new Date('nope') })).rejects.toThrow(/nudgesPaused/);
    await expect(storage.settings.put('closures', [{ from: '24.12.2025', to: '2025-12-26', reason: 'x' }])).rejects.toThrow(/closures/);
    expect(await storage.settings.get('nudgesPaused')).toBeUndefined();
    expect(await storage.settings.get('closures')).toBeUndefined();
  });
});
