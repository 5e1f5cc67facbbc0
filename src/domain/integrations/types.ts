/**
 * Integration watch: every application the partner runs against Partner Center App+User, what it
 * calls, as whom, and whether with MFA; the fields admins fill in (owner, impact, …); and the
 * incidents other systems report when Partner Center answers them 401/900421.
 */

/** One day of one application from `GET /v1/applicationmfaadoptionstatus`. */
export interface AdoptionDay {
  applicationId: string;
  applicationName: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  mfaCompliantRequestCount: number;
  totalRequestCount: number;
}

/** One App+User request from `GET /v1/partnerRequests`. */
export interface AppRequest {
  requestId: string;
  correlationId: string;
  operationName: string;
  at: Date;
  sourceIp?: string;
  objectId: string;
  tenantId: string;
  upn: string;
  applicationId: string;
  mfaCompliant: boolean;
}

export const IMPACTS = ['provisioning', 'billing', 'customerManagement', 'support', 'reporting', 'other'] as const;
export type Impact = (typeof IMPACTS)[number];

export const AUTH_METHODS = ['samWithMfa', 'deviceCode', 'storedPassword', 'appOnly', 'unknown'] as const;
export type IntegrationAuthMethod = (typeof AUTH_METHODS)[number];

/** A Teams user (or a team/channel named by an admin) who answers for the integration. */
export interface IntegrationOwner {
  /** AAD object id of a user; absent for a team named only by text. */
  aadObjectId?: string;
  name: string;
}

/** What admins fill in, per the partner checklist. */
export interface IntegrationFields {
  owner?: IntegrationOwner;
  authMethod?: IntegrationAuthMethod;
  businessFunction?: string;
  impact?: Impact;
  notes?: string;
  /** The owner's own runbook. */
  runbookUrl?: string;
  /** Playbook steps edited for this app; absent = the general playbook. */
  playbookSteps?: string[];
}

export interface DayCounts {
  mfa: number;
  nonMfa: number;
}

export interface PrincipalUse {
  objectId: string;
  upn: string;
  lastAt: Date;
  /** In the latest 7-day window Partner Center returned. */
  requests: number;
  nonMfa: number;
}

export interface OperationUse {
  name: string;
  lastAt: Date;
  requests: number;
  nonMfa: number;
}

/** A non-MFA request kept as evidence for the playbook (logs to check). */
export interface NonMfaSample {
  requestId: string;
  correlationId: string;
  operationName: string;
  upn: string;
  at: Date;
}

export interface AlertMemory {
  /** When "new app with non-MFA calls" was raised. */
  newNonMfaAt?: Date;
  /** The 7-day non-MFA share last alerted as rising (0..1). */
  risingShareAlerted?: number;
  risingShareAt?: Date;
}

export interface Integration {
  /** Lower-case application id, or `manual:<slug>` for an integration an admin added. */
  key: string;
  applicationId?: string;
  name: string;
  /** Added by an admin (e.g. a quarterly script Partner Center has not seen lately). */
  manual: boolean;
  firstSeen?: Date;
  lastSeen?: Date;
  /** Per UTC day (YYYY-MM-DD), the most recent 90 days kept. */
  days: Record<string, DayCounts>;
  principals: PrincipalUse[];
  operations: OperationUse[];
  sourceIps: string[];
  recentNonMfa: NonMfaSample[];
  fields: IntegrationFields;
  alerts: AlertMemory;
  etag?: string;
}

export const KEPT_DAYS = 90;
export const MAX_PRINCIPALS = 50;
export const MAX_OPERATIONS = 50;
export const MAX_SOURCE_IPS = 20;
export const MAX_SAMPLES = 10;
