import { parsePartnerCenterTime, parsePrincipalsPage } from '../../src/integrations/partner-center';

/**
 * The wire parser on its own: the sandbox serves Partner Center's collection envelope only, so the
 * other shapes Partner Center's docs allow (a bare array, a single object) are covered here.
 */

const item = (objectId: string, time = '2020-04-21T22:09:53.051', field = 'lastNonMfaCompliantLoginDateTime'): Record<string, unknown> => ({
  objectId,
  tenantId: 'tenant-1',
  upn: `${objectId}@contoso.example`,
  [field]: time,
});

function page(body: unknown): ReturnType<typeof parsePrincipalsPage> {
  return parsePrincipalsPage(typeof body === 'string' ? body : JSON.stringify(body));
}

function okPage(body: unknown) {
  const result = page(body);
  if (!result.ok) throw new Error(`expected a page, got: ${result.reason}`);
  return result.page;
}

describe('Partner Center wire parser', () => {
  it('when the body is the collection envelope, then its items and next link are read', () => {
    const parsed = okPage({
      totalCount: 2,
      items: [item('a'), item('b')],
      links: { next: { uri: '/v1/nonMfaCompliantPartnerPrincipals?seekOperation=Next', method: 'GET', headers: [{ key: 'MS-ContinuationToken', value: 'tok' }] } },
      attributes: { objectType: 'Collection' },
    });
    expect(parsed.records.map((r) => r.objectId)).toEqual(['a', 'b']);
    expect(parsed.next).toEqual({ uri: '/v1/nonMfaCompliantPartnerPrincipals?seekOperation=Next', continuationToken: 'tok' });
    expect(parsed.skipped).toBe(0);
  });

  it('when the body is a bare array, then every item is a record', () => {
    const parsed = okPage([item('a'), item('b'), item('a')]);
    expect(parsed.records.map((r) => r.objectId)).toEqual(['a', 'b', 'a']);
    expect(parsed.next).toBeUndefined();
  });

  it('when the body is a single object, then it is one record', () => {
    const parsed = okPage({ ...item('solo'), isMfaCompliant: 'false' });
    expect(parsed.records).toEqual([
      { objectId: 'solo', tenantId: 'tenant-1', upn: 'solo@contoso.example', lastNonMfaAt: new Date('2020-04-21T22:09:53.051Z') },
    ]);
    expect(parsed.isMfaCompliant).toBe(false);
  });

  it('when the envelope is empty with links {} and no next, then there are no records and no next page', () => {
    const parsed = okPage({ totalCount: 0, items: [], links: {}, attributes: { objectType: 'Collection' } });
    expect(parsed.records).toEqual([]);
    expect(parsed.next).toBeUndefined();
  });

  it('when the next link carries its headers as an object, then the continuation token is still found', () => {
    const parsed = okPage({ items: [], links: { next: { uri: 'v1/x', headers: { 'ms-continuationtoken': 'abc' } } } });
    expect(parsed.next).toEqual({ uri: 'v1/x', continuationToken: 'abc' });
  });

  it('when items use either time field name, then both are read as the time of the last non-MFA request', () => {
    const parsed = okPage([
      item('login', '2024-01-02T03:04:05.678', 'lastNonMfaCompliantLoginDateTime'),
      item('request', '2024-01-02T03:04:05.678', 'lastNonMfaCompliantRequestDateTime'),
    ]);
    expect(parsed.records.map((r) => r.lastNonMfaAt.toISOString())).toEqual(['2024-01-02T03:04:05.678Z', '2024-01-02T03:04:05.678Z']);
  });

  it('when an item lacks objectId or a readable time, then it is skipped and counted, and the rest is kept', () => {
    const parsed = okPage([
      item('good'),
      { tenantId: 't', upn: 'x@y', lastNonMfaCompliantLoginDateTime: '2024-01-01T00:00:00' },
      item('bad-time', 'yesterday'),
      item('', '2024-01-01T00:00:00'),
      { objectId: 'no-time' },
      42,
    ]);
    expect(parsed.records.map((r) => r.objectId)).toEqual(['good']);
    expect(parsed.skipped).toBe(5);
  });

  it('when the body is not JSON, then the page is refused', () => {
    const result = page('{"items":[{"objectId":"');
    expect(result).toEqual({ ok: false, reason: 'the body is not JSON' });
  });

  it.each([['null'], ['"text"'], ['{}'], ['{"value":[]}'], ['{"items":"nope"}'], ['{"items":[],"links":{"next":{}}}']])(
    'when the body is %s, then the page is refused',
    (text) => {
      expect(page(text).ok).toBe(false);
    },
  );
});

describe('Partner Center times', () => {
  it.each([
    ['2020-04-21T22:09:53.051', '2020-04-21T22:09:53.051Z'],
    ['2020-04-21T22:09:53', '2020-04-21T22:09:53.000Z'],
    ['2020-04-21T22:09', '2020-04-21T22:09:00.000Z'],
    ['2020-04-21T22:09:53.0510000', '2020-04-21T22:09:53.051Z'],
    ['2020-04-21 22:09:53.5', '2020-04-21T22:09:53.500Z'],
    ['2020-04-21T22:09:53.051Z', '2020-04-21T22:09:53.051Z'],
    ['2020-04-21T22:09:53.051+02:00', '2020-04-21T20:09:53.051Z'],
    ['2020-04-21T22:09:53-0530', '2020-04-22T03:39:53.000Z'],
    ['2020-04-21T22:09:53+01', '2020-04-21T21:09:53.000Z'],
  ])('when the time is %s, then it is the instant %s', (text, iso) => {
    expect(parsePartnerCenterTime(text)?.toISOString()).toBe(iso);
  });

  it.each([['2021-02-30T00:00:00'], ['21-04-2020'], [''], ['2020-04-21'], [null], [1587506993051]])(
    'when the time is %p, then it is unreadable',
    (value) => {
      expect(parsePartnerCenterTime(value)).toBeUndefined();
    },
  );
});
