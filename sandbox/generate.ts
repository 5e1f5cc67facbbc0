import type { NewUser } from './directory';
import { WINDOW_MS } from './records';
import { PARTNER_DOMAIN, record, type SeedData } from './seed';
import type { GenerateRequest } from './types';

/** mulberry32: a small deterministic PRNG (same seed → same sequence). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generatedObjectId(index: number): string {
  return `d0000000-0000-4000-9000-${index.toString(16).padStart(12, '0')}`;
}

/**
 * A large deterministic data set (e.g. 10,000 records over 1,000 principals) inside the 7-day
 * window of `nowMs`: every principal has at least one record when records >= principals; the
 * rest skew towards low indexes, like a few noisy accounts. Every 4th principal is registered;
 * principals not at a multiple of 10 report to the one at the multiple of 10 below them.
 */
export function generateData(request: GenerateRequest, nowMs: number): SeedData {
  const random = prng(0x5eed);
  const users: NewUser[] = [];
  for (let i = 0; i < request.principals; i++) {
    users.push({
      objectId: generatedObjectId(i),
      userPrincipalName: `user${i}@${PARTNER_DOMAIN}`,
      displayName: `Generated User ${i}`,
      methods: i % 4 === 3 ? ['microsoftAuthenticatorPush'] : [],
      managerId: i % 10 === 0 ? null : generatedObjectId(i - (i % 10)),
    });
  }
  const records = [];
  const span = WINDOW_MS - 60_000;
  for (let k = 0; k < request.records; k++) {
    const index = k < request.principals ? k : Math.floor(random() ** 2 * request.principals);
    const user = users[index];
    if (user === undefined) break;
    records.push(record(user.objectId, user.userPrincipalName, nowMs - Math.floor(random() * span), random() < 0.5));
  }
  return { users, records };
}
