import { canonicalId } from '../principal';
import {
  KEPT_DAYS,
  MAX_OPERATIONS,
  MAX_PRINCIPALS,
  MAX_SAMPLES,
  MAX_SOURCE_IPS,
  type AdoptionDay,
  type AppRequest,
  type DayCounts,
  type Integration,
  type NonMfaSample,
  type OperationUse,
  type PrincipalUse,
} from './types';

const DAY_MS = 24 * 3600 * 1000;

export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export function integrationKey(applicationId: string): string {
  return canonicalId(applicationId);
}

/** `manual:<slug>` for an integration an admin names (a quarterly script, an old portal). */
export function manualKey(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `manual:${slug === '' ? 'unnamed' : slug}`;
}

export function emptyIntegration(key: string, name: string, manual: boolean, applicationId?: string): Integration {
  return { key, applicationId, name, manual, days: {}, principals: [], operations: [], sourceIps: [], recentNonMfa: [], fields: {}, alerts: {} };
}

function minDate(a: Date | undefined, b: Date): Date {
  return a === undefined || b.getTime() < a.getTime() ? b : a;
}
function maxDate(a: Date | undefined, b: Date): Date {
  return a === undefined || b.getTime() > a.getTime() ? b : a;
}

/** What one window of `partnerRequests` says about one application. */
interface WindowFacts {
  name?: string;
  days: Map<string, DayCounts>;
  principals: Map<string, PrincipalUse>;
  operations: Map<string, OperationUse>;
  ips: Map<string, number>;
  samples: NonMfaSample[];
  first?: Date;
  last?: Date;
}

function newFacts(): WindowFacts {
  return { days: new Map(), principals: new Map(), operations: new Map(), ips: new Map(), samples: [] };
}

/** Keep the `max` latest samples without sorting every non-MFA request. */
function keepLatest(samples: NonMfaSample[], sample: NonMfaSample, max: number): void {
  if (samples.length >= max && sample.at.getTime() <= samples[samples.length - 1]!.at.getTime()) return;
  let i = samples.length;
  while (i > 0 && samples[i - 1]!.at.getTime() < sample.at.getTime()) i -= 1;
  samples.splice(i, 0, sample);
  if (samples.length > max) samples.pop();
}

function collectRequests(requests: readonly AppRequest[]): Map<string, WindowFacts> {
  const byApp = new Map<string, WindowFacts>();
  // UTC day text per day number: 10,000 requests span about 8 days.
  const dayText = new Map<number, string>();
  for (const r of requests) {
    const key = integrationKey(r.applicationId);
    if (key === '') continue;
    let f = byApp.get(key);
    if (!f) byApp.set(key, (f = newFacts()));
    const nonMfa = r.mfaCompliant ? 0 : 1;
    const dayNumber = Math.floor(r.at.getTime() / DAY_MS);
    let day = dayText.get(dayNumber);
    if (day === undefined) dayText.set(dayNumber, (day = utcDay(r.at)));
    const d = f.days.get(day) ?? { mfa: 0, nonMfa: 0 };
    if (nonMfa) d.nonMfa += 1;
    else d.mfa += 1;
    f.days.set(day, d);
    const objectId = canonicalId(r.objectId);
    const p = f.principals.get(objectId) ?? { objectId, upn: r.upn, lastAt: r.at, requests: 0, nonMfa: 0 };
    p.requests += 1;
    p.nonMfa += nonMfa;
    if (r.at.getTime() >= p.lastAt.getTime()) {
      p.lastAt = r.at;
      if (r.upn) p.upn = r.upn;
    }
    f.principals.set(objectId, p);
    const op = f.operations.get(r.operationName) ?? { name: r.operationName, lastAt: r.at, requests: 0, nonMfa: 0 };
    op.requests += 1;
    op.nonMfa += nonMfa;
    op.lastAt = maxDate(op.lastAt, r.at);
    f.operations.set(r.operationName, op);
    if (r.sourceIp) f.ips.set(r.sourceIp, (f.ips.get(r.sourceIp) ?? 0) + 1);
    if (nonMfa) keepLatest(f.samples, { requestId: r.requestId, correlationId: r.correlationId, operationName: r.operationName, upn: r.upn, at: r.at }, MAX_SAMPLES);
    f.first = minDate(f.first, r.at);
    f.last = maxDate(f.last, r.at);
  }
  return byApp;
}

function byRecencyThenVolume<T extends { lastAt: Date; nonMfa: number; requests: number }>(a: T, b: T): number {
  return b.nonMfa - a.nonMfa || b.lastAt.getTime() - a.lastAt.getTime() || b.requests - a.requests;
}

/**
 * Merge a use list: entries seen in this window take the window's counts (the window overlaps the
 * last one, so adding would count requests twice); entries not seen keep what we knew.
 */
function mergeUses<T extends { lastAt: Date; nonMfa: number; requests: number }>(known: readonly T[], fresh: Map<string, T>, idOf: (t: T) => string, max: number): T[] {
  const out = new Map<string, T>();
  for (const k of known) out.set(idOf(k), k);
  for (const [id, f] of fresh) {
    const before = out.get(id);
    out.set(id, before && before.lastAt.getTime() > f.lastAt.getTime() ? { ...f, lastAt: before.lastAt } : f);
  }
  return [...out.values()].sort(byRecencyThenVolume).slice(0, max);
}

function pruneDays(days: Record<string, DayCounts>, at: Date): Record<string, DayCounts> {
  const oldest = utcDay(new Date(at.getTime() - (KEPT_DAYS - 1) * DAY_MS));
  const out: Record<string, DayCounts> = {};
  for (const day of Object.keys(days).sort()) if (day >= oldest) out[day] = days[day]!;
  return out;
}

export interface InventoryInput {
  adoption: readonly AdoptionDay[];
  requests: readonly AppRequest[];
}

/**
 * Known integrations + one sync's facts → the integrations that changed (etags kept, so the store
 * replaces them conditionally) and the new ones. Idempotent: merging the same facts twice changes
 * nothing. Daily counts: Partner Center's adoption summary is authoritative for a day it lists;
 * for other days the requests' own counts are used when they show more.
 */
export function mergeInventory(known: readonly Integration[], input: InventoryInput, at: Date): Integration[] {
  const byKey = new Map(known.map((i) => [i.key, i] as const));
  const adoptionByApp = new Map<string, AdoptionDay[]>();
  for (const a of input.adoption) {
    const key = integrationKey(a.applicationId);
    if (key === '') continue;
    const list = adoptionByApp.get(key) ?? [];
    list.push(a);
    adoptionByApp.set(key, list);
  }
  const facts = collectRequests(input.requests);
  const keys = new Set([...adoptionByApp.keys(), ...facts.keys()]);
  const changed: Integration[] = [];

  for (const key of keys) {
    const before = byKey.get(key);
    const adoption = adoptionByApp.get(key) ?? [];
    const f = facts.get(key) ?? newFacts();
    const latestName = [...adoption].sort((a, b) => (a.day < b.day ? 1 : -1)).find((a) => a.applicationName.trim() !== '')?.applicationName.trim();
    const base = before ?? emptyIntegration(key, latestName ?? key, false, key);
    const days: Record<string, DayCounts> = { ...base.days };
    for (const [day, counts] of f.days) {
      const current = days[day];
      if (!current || counts.mfa + counts.nonMfa > current.mfa + current.nonMfa) days[day] = counts;
    }
    let firstSeen = base.firstSeen;
    let lastSeen = base.lastSeen;
    for (const a of adoption) {
      const total = Math.max(0, a.totalRequestCount);
      const mfa = Math.min(total, Math.max(0, a.mfaCompliantRequestCount));
      days[a.day] = { mfa, nonMfa: total - mfa };
      if (total > 0) {
        const dayStart = new Date(`${a.day}T00:00:00.000Z`);
        firstSeen = minDate(firstSeen, dayStart);
        if (!lastSeen || utcDay(lastSeen) < a.day) lastSeen = dayStart;
      }
    }
    if (f.first) firstSeen = minDate(firstSeen, f.first);
    if (f.last) lastSeen = maxDate(lastSeen, f.last);

    const samples = new Map(base.recentNonMfa.map((s) => [s.requestId, s] as const));
    for (const s of f.samples) samples.set(s.requestId, s);
    const ips = new Map<string, number>();
    for (const ip of base.sourceIps) ips.set(ip, 0);
    for (const [ip, n] of f.ips) ips.set(ip, n);

    const next: Integration = {
      ...base,
      name: base.manual ? base.name : (latestName ?? base.name),
      applicationId: base.applicationId ?? key,
      firstSeen,
      lastSeen,
      days: pruneDays(days, at),
      principals: mergeUses(base.principals, f.principals, (p) => p.objectId, MAX_PRINCIPALS),
      operations: mergeUses(base.operations, f.operations, (o) => o.name, MAX_OPERATIONS),
      sourceIps: [...ips.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([ip]) => ip).slice(0, MAX_SOURCE_IPS),
      recentNonMfa: [...samples.values()].sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, MAX_SAMPLES),
    };
    if (!before || !sameInventory(before, next)) changed.push(next);
  }
  return changed;
}

/** Compare what a sync may change (not the admin's fields or alert memory). */
function sameInventory(a: Integration, b: Integration): boolean {
  const view = (i: Integration) =>
    JSON.stringify([i.name, i.firstSeen, i.lastSeen, i.days, i.principals, i.operations, i.sourceIps, i.recentNonMfa]);
  return view(a) === view(b);
}

/** Totals over the days in [from, to) (UTC days). */
export function countsBetween(i: Integration, from: Date, to: Date): DayCounts {
  const a = utcDay(from);
  const b = utcDay(to);
  let mfa = 0;
  let nonMfa = 0;
  for (const [day, c] of Object.entries(i.days)) {
    if (day >= a && day < b) {
      mfa += c.mfa;
      nonMfa += c.nonMfa;
    }
  }
  return { mfa, nonMfa };
}

export function windowCounts(i: Integration, at: Date, days: number, offsetDays = 0): DayCounts {
  const end = new Date(at.getTime() - offsetDays * DAY_MS + DAY_MS); // today included
  return countsBetween(i, new Date(end.getTime() - days * DAY_MS), end);
}

export function share({ mfa, nonMfa }: DayCounts): number {
  const total = mfa + nonMfa;
  return total === 0 ? 0 : nonMfa / total;
}
