import { fromKey, toKey } from '../../src/storage';
import type { Storage } from '../../src/storage';
import { newStorage, principal } from './helpers';

describe('toKey / fromKey', () => {
  const awkward = ['a/b', 'c\\d', 'e#f', 'g?h', 'tab\there', 'nul\u0000x', 'del\u007fx', 'c1\u0085x', 'tilde~7E', '100%', "o'brien", 'plain-id'];

  it.each(awkward)('when %j is escaped, then it round-trips and holds no forbidden character', (id) => {
    const key = toKey(id);

    expect(fromKey(key)).toBe(id);
    // eslint-disable-next-line no-control-regex
    expect(key).not.toMatch(/[/\\#?\u0000-\u001f\u007f-\u009f]/);
  });

  it('when two different ids are escaped, then their keys differ (a literal "~2F" is not confused with "/")', () => {
    expect(toKey('a/b')).not.toBe(toKey('a~2Fb'));
    expect(fromKey(toKey('a~2Fb'))).toBe('a~2Fb');
  });

  it('when an id needs no escaping, then its key is the id itself', () => {
    expect(toKey('9999998258-abc')).toBe('9999998258-abc');
  });
});

describe('keys on Azurite', () => {
  let storage: Storage;

  beforeAll(async () => {
    storage = await newStorage();
  });

  it('when ids with / # ? \\ are used as tenant and object ids, then the principal is stored, read and listed under its real ids', async () => {
    const tenantId = 'tenant/with#odd?chars\\';
    const objectId = "user/1#x?y\\z'q";

    await storage.principals.save(principal(objectId, { tenantId }));

    expect((await storage.principals.get(tenantId, objectId))?.objectId).toBe(objectId);
    expect((await storage.principals.listAll(tenantId)).map((p) => [p.tenantId, p.objectId])).toEqual([[tenantId, objectId]]);
  });
});
