import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { createDownloadLinks, downloadLinkFailure, DOWNLOAD_LINK_LIFETIME_MS } from '../../src/app/download-links';
import { FixedClock } from '../../src/domain/clock';
import { ErrorCodes, isAppError } from '../../src/domain/errors';

const START = '2025-03-03T09:00:00.000Z';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function setup(key = randomBytes(32)) {
  const clock = new FixedClock(START);
  return { clock, key, links: createDownloadLinks({ encryptionKey: key, clock }) };
}

describe('download links', () => {
  it('when a link is made for an admin, then it verifies to its kind, actor, an expiry 5 minutes later and a random nonce', () => {
    const { links } = setup();

    const token = links.sign('audit', 'admin-1');

    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(links.verify(token)).toEqual({ kind: 'audit', actor: 'admin-1', exp: new Date(START).getTime() + 5 * 60 * 1000, n: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) as unknown });
    expect(links.verify(links.sign('audit', 'admin-1')).n).not.toBe(links.verify(token).n);
    expect(DOWNLOAD_LINK_LIFETIME_MS).toBe(300_000);
  });

  it('when the key rotates, then links signed with the previous key still verify, new ones are signed with the new key only', () => {
    const clock = new FixedClock(START);
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = createDownloadLinks({ encryptionKey: oldKey, clock });
    const after = createDownloadLinks({ encryptionKey: newKey, previousKeys: [oldKey], clock });
    const newOnly = createDownloadLinks({ encryptionKey: newKey, clock });

    expect(after.verify(before.sign('audit', 'admin-1')).actor).toBe('admin-1');
    expect(newOnly.verify(after.sign('audit', 'admin-1')).actor).toBe('admin-1');
    expect(downloadLinkFailure(thrown(() => newOnly.verify(before.sign('audit', 'admin-1'))))).toBe('invalid');
  });

  it('when the clock reaches the expiry, then the link is "link expired"; a millisecond before, it still works', () => {
    const { clock, links } = setup();
    const token = links.sign('requests', 'admin-1');

    clock.advance(DOWNLOAD_LINK_LIFETIME_MS - 1);
    expect(links.verify(token).kind).toBe('requests');
    clock.advance(1);
    const error = thrown(() => links.verify(token));

    expect(isAppError(error, ErrorCodes.InputInvalid)).toBe(true);
    expect((error as Error).message).toBe('link expired');
    expect(downloadLinkFailure(error)).toBe('expired');
  });

  it('when the payload is changed (another kind, actor or a later expiry), then the link is invalid', () => {
    const { links } = setup();
    const [, signature] = links.sign('requests', 'user-1').split('.');
    const forge = (payload: object) => `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature ?? ''}`;

    for (const forged of [
      forge({ kind: 'audit', actor: 'user-1', exp: new Date(START).getTime() + 900_000 }),
      forge({ kind: 'requests', actor: 'admin-1', exp: new Date(START).getTime() + 900_000 }),
      forge({ kind: 'requests', actor: 'user-1', exp: new Date(START).getTime() + 9_000_000 }),
    ]) {
      const error = thrown(() => links.verify(forged));
      expect((error as Error).message).toBe('link invalid');
      expect(downloadLinkFailure(error)).toBe('invalid');
    }
  });

  it('when a link was signed with another key, or with the raw encryption key instead of the derived one, then it is invalid', () => {
    const { key, links } = setup();
    const other = setup().links.sign('audit', 'admin-1');
    const body = Buffer.from(JSON.stringify({ kind: 'audit', actor: 'admin-1', exp: Date.parse(START) + 60_000 })).toString('base64url');
    const rawKeyToken = `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;

    expect(downloadLinkFailure(thrown(() => links.verify(other)))).toBe('invalid');
    expect(downloadLinkFailure(thrown(() => links.verify(rawKeyToken)))).toBe('invalid');
  });

  it.each([
    ['empty', ''],
    ['no dot', 'abc'],
    ['three parts', 'a.b.c'],
    ['not base64url', 'a+b/c.d'],
    ['short signature', 'eyJ9.AAAA'],
  ])('when the token is malformed (%s), then it is invalid', (_name, token) => {
    expect(downloadLinkFailure(thrown(() => createDownloadLinks({ encryptionKey: randomBytes(32), clock: new FixedClock(START) }).verify(token)))).toBe('invalid');
  });

  it('when a correctly signed payload is not a link payload, then it is invalid (not a crash)', () => {
    const { key, links } = setup();
    // Reproduce the signing of the module for arbitrary bodies, to reach the payload checks.
    const derived = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'mfa-shepherd download links', 32));
    const signed = (text: string) => {
      const body = Buffer.from(text).toString('base64url');
      return `${body}.${createHmac('sha256', derived).update(body).digest('base64url')}`;
    };

    const n = 'A'.repeat(22);
    expect(links.verify(signed(JSON.stringify({ kind: 'audit', actor: 'a', exp: Date.parse(START) + 1, n }))).actor).toBe('a');
    for (const text of ['not json', '[]', JSON.stringify({ kind: 'secrets', actor: 'a', exp: Date.parse(START) + 1 }), JSON.stringify({ kind: 'audit', exp: Date.parse(START) + 1, n }), JSON.stringify({ kind: 'audit', actor: 'a', exp: Date.parse(START) + 1 })]) {
      expect(downloadLinkFailure(thrown(() => links.verify(signed(text))))).toBe('invalid');
    }
  });

  it('when a link URL is made, then it is the public base URL, /exports/ and the token', () => {
    const { links } = setup();

    const url = links.url('https://bot.contoso.example/', 'requests', 'admin-1');

    expect(url).toMatch(/^https:\/\/bot\.contoso\.example\/exports\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(links.verify(url.split('/exports/')[1] ?? '').kind).toBe('requests');
  });

  it('when the key is not 32 bytes, then making links fails at once', () => {
    expect(() => createDownloadLinks({ encryptionKey: randomBytes(16), clock: new FixedClock(START) })).toThrow(/32-byte/);
  });
});
