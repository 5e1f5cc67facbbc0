import type { ApprovalsChannelSetting, ClosuresSetting, NudgesPausedSetting } from '../../src/app/ports';
import { ErrorCodes, isAppError } from '../../src/domain/errors';
import type { Storage } from '../../src/storage';
import { deserializeSetting, serializeSetting } from '../../src/storage/settings';
import { newStorage, rejectionOf } from './helpers';

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
    const read = await storage.settings.get<ApprovalsChannelSetting>('approvalsChannel');

    expect(read).toEqual({ value: channel, etag: written.etag });
    expect(read?.value.setAt).toBeInstanceOf(Date);
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

describe('setting serialisation', () => {
  it('when values hold Dates at the top, in arrays and in objects, then they come back as Dates; other values unchanged', () => {
    const value = { at: AT, list: [AT, 'text', 3, null, { deep: AT }], text: '2025-03-03T09:15:30.123Z', flag: false };

    const back = deserializeSetting(serializeSetting(value));

    expect(back).toEqual(value);
    expect((back as typeof value).text).toBe('2025-03-03T09:15:30.123Z');
    expect(deserializeSetting(serializeSetting(AT))).toEqual(AT);
  });

  it('when a value is undefined or holds an invalid Date, then it is refused', () => {
    expect(() => serializeSetting(undefined)).toThrow(/undefined/);
    expect(() => serializeSetting({ at: new Date('nope') })).toThrow(/invalid Date/);
  });
});
