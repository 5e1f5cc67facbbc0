import type { NewUser } from './directory';
import { formatPartnerCenterTime, WINDOW_MS, MAX_RECORDS_RETURNED } from './records';
import type { RawRecord } from './types';

/**
 * The integration watch's data in the Partner Center stand-in: `applicationmfaadoptionstatus`
 * (per day and application) and `partnerRequests` (App+User requests of the last 7 days), seeded
 * consistently with the principals list: every non-MFA request is made by a principal the
 * principals list shows at that time.
 */

export interface IntegrationData {
  adoption: RawRecord[];
  requests: RawRecord[];
}

export interface GenerateIntegrationsRequest {
  /** partnerRequests items (Partner Center returns at most 10,000). */
  requests: number;
  /** Days of adoption summaries per app. */
  days: number;
  apps: number;
}

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

export const SANDBOX_APPS = {
  portal: { applicationId: 'a1b2c3d4-0000-4000-8000-00000000a001', applicationName: 'Contoso Partner Portal' },
  billing: { applicationId: 'a1b2c3d4-0000-4000-8000-00000000a002', applicationName: 'Billing Export Script' },
  provisioning: { applicationId: 'a1b2c3d4-0000-4000-8000-00000000a003', applicationName: 'CSP Provisioning Tool' },
  thirdParty: { applicationId: 'a1b2c3d4-0000-4000-8000-00000000a004', applicationName: 'Acme PSA Connector' },
} as const;

export const BILLING_SERVICE_ACCOUNT = { objectId: 'c0000000-0000-4000-8000-0000000000b1', userPrincipalName: 'svc-billing@contoso-partner.example', displayName: 'Billing Service Account' } as const;

export interface Person {
  objectId: string;
  userPrincipalName: string;
}

export interface IntegrationSeedPeople {
  tenantId: string;
  adminAgent: Person;
  /** Registered (MFA): uses the portal and the provisioning tool with MFA. */
  adele: Person;
  /** Listed non-MFA: her provisioning requests are at her records' times. */
  megan: Person;
  meganRecordTimes: number[];
  /** Listed non-MFA (contoso #0): runs the unknown third-party app. */
  nestor: Person;
}

/** A request's time as written (ISO text without zone sorts as time). */
export function timeText(r: RawRecord): string {
  const t = r['requestDateTime'];
  return typeof t === 'string' ? t : '';
}

function guid(prefix: string, n: number): string {
  return `${prefix}0000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function day(atMs: number): string {
  return new Date(atMs).toISOString().slice(0, 10);
}

export function appRequest(
  n: number,
  app: { applicationId: string },
  who: Person,
  tenantId: string,
  atMs: number,
  operationName: string,
  mfaCompliant: boolean,
): RawRecord {
  const ip = `203.0.113.${(n % 200) + 1}`;
  return {
    requestId: guid('e', n),
    correlationId: guid('f', n),
    operationName,
    requestDateTime: formatPartnerCenterTime(atMs),
    // The docs' example says ipAddress, the REST reference sourceIpAddress: both are in use.
    ...(n % 2 === 0 ? { ipAddress: ip } : { sourceIpAddress: ip }),
    objectId: who.objectId,
    tenantId,
    upn: who.userPrincipalName,
    applicationId: app.applicationId,
    mfaCompliant,
  };
}

function adoptionRow(app: { applicationId: string; applicationName: string }, dayText: string, mfa: number, total: number): RawRecord {
  return { loginDate: `${dayText}T00:00:00`, mfaCompliantRequestCount: mfa, totalRequestCount: total, applicationId: app.applicationId, applicationName: app.applicationName };
}

/**
 * Adoption rows for 90 days: inside the 7-day window the counts are the requests' own; before it,
 * `older(daysAgo)` gives them (undefined: the app did not run that day).
 */
function adoptionFor(
  app: { applicationId: string; applicationName: string },
  requests: readonly RawRecord[],
  nowMs: number,
  older: (daysAgo: number) => { mfa: number; total: number } | undefined,
): RawRecord[] {
  const perDay = new Map<string, { mfa: number; total: number }>();
  for (const r of requests) {
    if (r['applicationId'] !== app.applicationId) continue;
    const d = timeText(r).slice(0, 10);
    const c = perDay.get(d) ?? { mfa: 0, total: 0 };
    c.total += 1;
    if (r['mfaCompliant'] === true) c.mfa += 1;
    perDay.set(d, c);
  }
  const rows: RawRecord[] = [];
  for (let daysAgo = 0; daysAgo < 90; daysAgo++) {
    const d = day(nowMs - daysAgo * DAY);
    const counts = daysAgo < 7 ? perDay.get(d) : older(daysAgo);
    if (counts && counts.total > 0) rows.push(adoptionRow(app, d, counts.mfa, counts.total));
  }
  return rows;
}

export interface IntegrationSeed {
  data: IntegrationData;
  /** Principal records the non-MFA requests imply (the billing account, Nestor's tool runs). */
  principalRecords: { objectId: string; upn: string; atMs: number }[];
  users: NewUser[];
}

/** The default seed: a portal with MFA always, a billing script without, a provisioning tool with some, an unknown app without. */
export function buildIntegrationSeed(people: IntegrationSeedPeople, nowMs: number): IntegrationSeed {
  const { tenantId } = people;
  const svc: Person = BILLING_SERVICE_ACCOUNT;
  const requests: RawRecord[] = [];
  const principalRecords: IntegrationSeed['principalRecords'] = [];
  let n = 0;
  const add = (app: { applicationId: string }, who: Person, atMs: number, op: string, mfa: boolean) => {
    requests.push(appRequest(++n, app, who, tenantId, atMs, op, mfa));
  };

  for (let d = 0; d < 7; d++) {
    // The portal: staff sign in with MFA, three times a day.
    for (const h of [1, 5, 9]) add(SANDBOX_APPS.portal, d % 2 === 0 ? people.adele : people.adminAgent, nowMs - d * DAY - h * HOUR, 'Get /v1/customers', true);
    // The billing script: every night, as a service account with a stored password (no MFA).
    for (const [i, op] of ['Get /v1/invoices', 'Get /v1/invoices/{id}/lineitems'].entries()) {
      const at = nowMs - d * DAY - 3 * HOUR - i * 60_000;
      add(SANDBOX_APPS.billing, svc, at, op, false);
      principalRecords.push({ objectId: svc.objectId, upn: svc.userPrincipalName, atMs: at });
    }
    // The provisioning tool, run by Adele with MFA.
    add(SANDBOX_APPS.provisioning, people.adele, nowMs - d * DAY - 7 * HOUR, 'Post /v1/customers/{id}/orders', true);
  }
  // ... and by Megan without MFA, at the times the principals list shows her.
  for (const at of people.meganRecordTimes) add(SANDBOX_APPS.provisioning, people.megan, at, 'Post /v1/customers/{id}/orders', false);
  // The unknown third-party app: appeared three days ago, no MFA, as Nestor.
  for (const h of [70, 50, 30, 10, 4]) {
    const at = nowMs - h * HOUR;
    add(SANDBOX_APPS.thirdParty, people.nestor, at, 'Get /v1/customers/{id}/subscriptions', false);
    principalRecords.push({ objectId: people.nestor.objectId, upn: people.nestor.userPrincipalName, atMs: at });
  }
  requests.sort((a, b) => timeText(b).localeCompare(timeText(a)));

  const adoption = [
    ...adoptionFor(SANDBOX_APPS.portal, requests, nowMs, (d) => ({ mfa: 3, total: 3 + 0 * d })),
    ...adoptionFor(SANDBOX_APPS.billing, requests, nowMs, (d) => (d < 60 ? { mfa: 0, total: 2 } : undefined)),
    ...adoptionFor(SANDBOX_APPS.provisioning, requests, nowMs, () => ({ mfa: 1, total: 1 })),
    ...adoptionFor(SANDBOX_APPS.thirdParty, requests, nowMs, () => undefined),
  ];
  return { data: { adoption, requests }, principalRecords, users: [{ ...BILLING_SERVICE_ACCOUNT }] };
}

/** mulberry32, as in generate.ts. */
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

/** A large deterministic data set (benchmarks): `apps` apps, `days` days of summaries, `requests` requests over 7 days by 200 users. */
export function generateIntegrationData(request: GenerateIntegrationsRequest, tenantId: string, nowMs: number): IntegrationData {
  const random = prng(0x1a7e);
  const apps = Array.from({ length: request.apps }, (_, i) => ({ applicationId: guid('a', i + 1), applicationName: `Generated App ${i + 1}` }));
  const people = Array.from({ length: 200 }, (_, i) => ({ objectId: guid('d', i), userPrincipalName: `user${i}@contoso-partner.example` }));
  const ops = ['Get /v1/customers', 'Get /v1/invoices', 'Post /v1/customers/{id}/orders', 'Get /v1/subscriptions', 'Get /v1/offers'];
  const requests: RawRecord[] = [];
  for (let k = 0; k < request.requests; k++) {
    const app = apps[Math.floor(random() ** 2 * apps.length)]!;
    const who = people[Math.floor(random() * people.length)]!;
    requests.push(appRequest(k + 1, app, who, tenantId, nowMs - Math.floor(random() * (WINDOW_MS - 60_000)), ops[k % ops.length]!, random() < 0.7));
  }
  requests.sort((a, b) => timeText(b).localeCompare(timeText(a)));
  const adoption: RawRecord[] = [];
  for (const [i, app] of apps.entries()) {
    for (let d = 0; d < request.days; d++) {
      const total = 10 + ((i * 7 + d * 3) % 40);
      adoption.push(adoptionRow(app, day(nowMs - d * DAY), Math.floor(total * (i % 3 === 0 ? 1 : 0.6)), total));
    }
  }
  return { adoption, requests };
}

/** What partnerRequests returns at `asOfMs`: the last 7 days, most recent first, at most 10,000. */
export function requestsWindow(requests: readonly RawRecord[], asOfMs: number): RawRecord[] {
  const since = formatPartnerCenterTime(asOfMs - WINDOW_MS);
  const until = formatPartnerCenterTime(asOfMs);
  return requests
    .filter((r) => {
      const t = timeText(r);
      return t >= since && t <= until;
    })
    .slice(0, MAX_RECORDS_RETURNED);
}
