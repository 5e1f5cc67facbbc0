import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bundleChild, removeStaleBundles, STALE_AFTER_MS } from '../support/bundle-child';

/** The crash tests' child bundles: one directory per content, stale ones removed. */

describe('bundleChild', () => {
  let cache: string;
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'mfa-shepherd-bundles-'));
  });
  afterEach(() => rmSync(cache, { recursive: true, force: true }));

  it('when the same sources are bundled twice, then both runs get the same file and the cache holds one directory', () => {
    const first = bundleChild('test/support/silent-logger.ts', cache);
    const second = bundleChild('test/support/silent-logger.ts', cache);

    expect(second).toBe(first);
    expect(existsSync(first)).toBe(true);
    expect(readdirSync(cache)).toEqual([dirname(first).split('/').pop()]);
  });

  it('when a directory was not used for a day, then it is removed and a recent one kept', () => {
    const nowMs = Date.parse('2026-12-04T12:00:00Z');
    const old = join(cache, 'child-old');
    const recent = join(cache, 'child-recent');
    for (const dir of [old, recent]) mkdirSync(dir);
    utimesSync(old, new Date(nowMs - STALE_AFTER_MS - 60_000), new Date(nowMs - STALE_AFTER_MS - 60_000));
    utimesSync(recent, new Date(nowMs - 60_000), new Date(nowMs - 60_000));

    expect(removeStaleBundles(cache, nowMs)).toEqual(['child-old']);
    expect(readdirSync(cache)).toEqual(['child-recent']);
  });
});
