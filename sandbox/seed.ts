import type { NewUser } from './directory';
import { formatPartnerCenterTime, LOGIN_TIME_FIELD, REQUEST_TIME_FIELD } from './records';
import type { SandboxDomain, SignInSpec } from './signins';
import type { AuthMethod, RawRecord } from './types';
import { buildIntegrationSeed, type IntegrationData } from './integrations';

/**
 * The default data set, deterministic relative to `now`. Playground ids follow the Agents
 * Playground's defaults (they are 37 characters long: treat ids as opaque strings).
 */

export const PARTNER_TENANT_ID = '00000000-0000-0000-0000-0000000000001';
export const PARTNER_DOMAIN = 'contoso-partner.example';
/** A domain whose users sign in at their own identity provider (federated with Entra ID). */
export const FEDERATED_DOMAIN = 'fabrikam-idp.example';
/** The Playground user on the federated domain: MFA at the identity provider, claim passed to Entra. */
export const FEDERATED_PLAYGROUND_USER_ID = '00000000-0000-0000-0000-0000000000024';

/** Who signs in through the device-code flow (the admin agent consenting for the bot). */
export const ADMIN_AGENT = {
  objectId: 'a0000000-0000-4000-8000-000000000001',
  userPrincipalName: `admin@${PARTNER_DOMAIN}`,
  displayName: 'Sandbox Admin Agent',
} as const;

/** The service principal that client-credentials tokens stand for. */
export const APP_SERVICE_PRINCIPAL_ID = 'b0000000-0000-4000-8000-000000000001';

export const PLAYGROUND_USER_ID = '00000000-0000-0000-0000-0000000000020';
export const PLAYGROUND_USERS = [
  { objectId: PLAYGROUND_USER_ID, userPrincipalName: 'alexw@example.com', displayName: 'Alex Wilber' },
  { objectId: '00000000-0000-0000-0000-0000000000021', userPrincipalName: 'meganb@example.com', displayName: 'Megan Bowen' },
  { objectId: '00000000-0000-0000-0000-0000000000022', userPrincipalName: 'adelev@example.com', displayName: 'Adele Vance' },
  { objectId: '00000000-0000-0000-0000-0000000000023', userPrincipalName: 'isaiah@example.com', displayName: 'Isaiah Langer' },
  { objectId: '00000000-0000-0000-0000-0000000000024', userPrincipalName: `pattif@${FEDERATED_DOMAIN}`, displayName: 'Patti Fernandez' },
  { objectId: '00000000-0000-0000-0000-0000000000025', userPrincipalName: 'lynner@example.com', displayName: 'Lynne Robbins' },
] as const;

const CONTOSO_NAMES = [
  'Nestor Wilke', 'Allan Deyoung', 'Christie Cline', 'Debra Berger', 'Diego Siciliani',
  'Emily Braun', 'Enrico Cattaneo', 'Grady Archie', 'Henrietta Mueller', 'Irvin Sayers',
  'Johanna Lorenz', 'Joni Sherman', 'Jordan Miller', 'Lee Gu', 'Lidia Holloway',
  'Miriam Graham', 'Pradeep Gupta', 'Raul Razo', 'Ben Walters', 'Brian Johnson',
  'Cameron White', 'Dan Jump', 'Garth Fort', 'Janet Schorr', 'Kim Abercrombie',
  'Lisa Taylor', 'Molly Dempsey', 'Nicole Holliday', 'Robin Counts', 'Sanjay Shah',
  'Tonya Cooper', 'Zrinka Makovac', 'Kelley Wall',
] as const;

/** Contoso principals (by index) already registered in Graph: verification succeeds for them. */
const REGISTERED: Record<number, AuthMethod[]> = {
  3: ['microsoftAuthenticatorPush'],
  8: ['microsoftAuthenticatorPush', 'softwareOneTimePasscode'],
  14: ['mobilePhone'],
  21: ['fido2', 'email'],
  27: ['windowsHelloForBusiness', 'microsoftAuthenticatorPush'],
};
/** Self-service password reset only: methods, but no second factor. */
const EMAIL_ONLY = [5];

const HOUR = 3600 * 1000;

export function contosoObjectId(index: number): string {
  return `c0000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`;
}

function contosoUpn(name: string): string {
  return `${name.toLowerCase().replace(/\s+/g, '.')}@${PARTNER_DOMAIN}`;
}

export interface SeedData {
  users: NewUser[];
  records: RawRecord[];
  domains?: SandboxDomain[];
  signIns?: (SignInSpec & { objectId: string })[];
  /** The integration endpoints' data; absent = unchanged. */
  integrations?: IntegrationData;
}

const DOMAINS: SandboxDomain[] = [
  { id: PARTNER_DOMAIN, authenticationType: 'Managed', isVerified: true, isDefault: true },
  { id: 'example.com', authenticationType: 'Managed', isVerified: true, isDefault: false },
  { id: FEDERATED_DOMAIN, authenticationType: 'Federated', isVerified: true, isDefault: false },
];

const iso = (ms: number): string => new Date(ms).toISOString();

export function record(objectId: string, upn: string, atMs: number, useRequestField: boolean): RawRecord {
  return {
    objectId,
    tenantId: PARTNER_TENANT_ID,
    upn,
    [useRequestField ? REQUEST_TIME_FIELD : LOGIN_TIME_FIELD]: formatPartnerCenterTime(atMs),
  };
}

export function buildSeed(kind: 'default' | 'empty', nowMs: number): SeedData {
  const admin: NewUser = { ...ADMIN_AGENT, methods: ['microsoftAuthenticatorPush'] };
  if (kind === 'empty') return { users: [admin], records: [], domains: DOMAINS, integrations: { adoption: [], requests: [] } };

  const users: NewUser[] = [admin];
  const records: RawRecord[] = [];
  const signIns: (SignInSpec & { objectId: string })[] = [];
  const [alex, megan, adele] = PLAYGROUND_USERS;

  for (const p of PLAYGROUND_USERS) {
    users.push({
      ...p,
      managerId: p === alex || p === megan ? adele.objectId : null,
      methods: p === adele ? ['microsoftAuthenticatorPush'] : [],
    });
  }
  // Alex (the Playground's own user): most recent record ~2 hours ago, not registered.
  for (const [j, hoursAgo] of [2, 26, 50].entries()) {
    const at = nowMs - hoursAgo * HOUR - j * 61_234;
    records.push(record(alex.objectId, alex.userPrincipalName, at, j % 2 === 1));
    // The sign-ins behind those records: a password only.
    signIns.push({ objectId: alex.objectId, kind: 'passwordOnly', at: iso(at) });
  }
  // Patti signs in at the federated identity provider, which passes the MFA claim.
  signIns.push({ objectId: FEDERATED_PLAYGROUND_USER_ID, kind: 'providerClaim', at: iso(nowMs - 30 * HOUR), app: 'Microsoft Teams' });
  const meganRecordTimes = [5, 20, 44, 70, 100].map((hoursAgo, j) => nowMs - hoursAgo * HOUR - j * 47_111);
  for (const [j, at] of meganRecordTimes.entries()) {
    records.push(record(megan.objectId, megan.userPrincipalName, at, j % 2 === 0));
  }

  CONTOSO_NAMES.forEach((name, i) => {
    const objectId = contosoObjectId(i);
    const upn = contosoUpn(name);
    const managerId = i >= 1 && i <= 4 ? contosoObjectId(0) : i === 14 ? contosoObjectId(13) : null;
    const methods = REGISTERED[i] ?? (EMAIL_ONLY.includes(i) ? ['email' as const] : []);
    users.push({ objectId, userPrincipalName: upn, displayName: name, managerId, methods });
    // Registered users: their newest sign-in, an hour ago, performed MFA.
    if (REGISTERED[i] !== undefined) signIns.push({ objectId, kind: 'mfa', at: iso(nowMs - HOUR - i * 60_000) });

    const count = 1 + ((i * 5 + 3) % 12);
    const latestHoursAgo = 0.5 + ((i * 37) % 100);
    const stepHours = ((167 - latestHoursAgo) / count) * 0.9;
    for (let j = 0; j < count; j++) {
      const jitterMs = (i * 7919 + j * 104_729) % (HOUR / 2);
      const at = nowMs - (latestHoursAgo + j * stepHours) * HOUR - jitterMs;
      records.push(record(objectId, upn, at, (i + j) % 2 === 1));
    }
  });

  // A principal whose records are all older than 7 days: Partner Center no longer returns it.
  const stale = { objectId: 'c0000000-0000-4000-8000-0000000000ff', upn: `svc-legacy@${PARTNER_DOMAIN}` };
  users.push({ objectId: stale.objectId, userPrincipalName: stale.upn, displayName: 'Legacy Service Account' });
  records.push(record(stale.objectId, stale.upn, nowMs - 8 * 24 * HOUR, false));
  records.push(record(stale.objectId, stale.upn, nowMs - 9 * 24 * HOUR, true));

  // The partner's integrations (see integrations.ts): their non-MFA requests are made by
  // principals listed here, at the times listed.
  const apps = buildIntegrationSeed(
    {
      tenantId: PARTNER_TENANT_ID,
      adminAgent: ADMIN_AGENT,
      adele,
      megan,
      meganRecordTimes,
      nestor: { objectId: contosoObjectId(0), userPrincipalName: contosoUpn(CONTOSO_NAMES[0]) },
    },
    nowMs,
  );
  users.push(...apps.users);
  apps.principalRecords.forEach((r, j) => records.push(record(r.objectId, r.upn, r.atMs, j % 2 === 0)));

  return { users, records, domains: DOMAINS, signIns, integrations: apps.data };
}
