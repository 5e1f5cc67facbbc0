import type { SignInSpec, StoredSignIn } from './signins';

/**
 * Shared types of the sandbox: the stand-ins for Partner Center, Microsoft Graph and Entra ID
 * (see ./index.ts). Nothing in src/ may import these.
 */

export const TARGETS = ['partnerCenter', 'graph', 'entra'] as const;
/** One of the three stand-in services; also the key of faults and of the request log. */
export type Target = (typeof TARGETS)[number];

export const FAULT_KINDS = [
  'throttle',
  'serverError',
  'slow',
  'malformed',
  'mfaRequired',
  /** Partner Center answers 401 without 900421, as to a revoked token, whatever token is sent. */
  'tokenRefused',
  'nonPremium',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  target: Target;
  kind: FaultKind;
  /** How many matching requests the fault affects; omitted = until cleared. */
  times?: number;
  /** throttle: the `Retry-After` value (default 1). */
  retryAfterSeconds?: number;
  /** slow: the delay before the normal answer (default 2000). */
  delayMs?: number;
}

export interface ActiveFault {
  id: string;
  target: Target;
  kind: FaultKind;
  /** Requests it will still affect; null = until cleared. */
  remaining: number | null;
  retryAfterSeconds: number;
  delayMs: number;
  /** Requests it has affected so far. */
  hits: number;
}

/**
 * A Partner Center item exactly as the API returns it: `objectId`, `tenantId`, `upn` and
 * `lastNonMfaCompliantLoginDateTime` or `lastNonMfaCompliantRequestDateTime` (no time zone = UTC).
 * Extra fields are kept and returned verbatim.
 */
export type RawRecord = Record<string, unknown>;

/** Values of Graph's `methodsRegistered`. Every method but `email` is a second factor. */
export const AUTH_METHODS = [
  'microsoftAuthenticatorPush',
  'softwareOneTimePasscode',
  'mobilePhone',
  'fido2',
  'windowsHelloForBusiness',
  'email',
] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export interface RegistrationUpdate {
  isMfaRegistered: boolean;
  /** Defaults: ["microsoftAuthenticatorPush"] when registered, [] otherwise. Must agree with isMfaRegistered. */
  methods?: AuthMethod[];
}

/** A user of the sandbox directory (what Graph knows). */
export interface DirectoryUser {
  objectId: string;
  userPrincipalName: string;
  displayName: string;
  isMfaRegistered: boolean;
  methods: AuthMethod[];
  managerId: string | null;
  /** Catalog app ids installed for the user through Graph. */
  installedApps: string[];
  /** ISO instant of the last registration change; null when never changed. */
  registrationUpdatedAt: string | null;
}

export interface PrincipalSummary {
  objectId: string;
  upn: string;
  displayName: string;
  /** All stored records of the principal (also those outside the 7-day window). */
  recordCount: number;
  /** ISO instant (UTC, with Z) of the most recent record; null when no record has a readable time. */
  lastNonMfaAt: string | null;
  isMfaRegistered: boolean;
  managerId: string | null;
}

export interface SandboxConfig {
  pageSize: number;
  /** false = the tenant has no Entra ID P1/P2: the Graph registration report answers 403. */
  premium: boolean;
  autoApproveDeviceCodes: boolean;
}

export interface ConfigUpdate {
  pageSize?: number;
  premium?: boolean;
  autoApproveDeviceCodes?: boolean;
}

export interface RequestLogEntry {
  seq: number;
  target: Target;
  method: string;
  /** Path and query as received, mount included (e.g. `/pc/v1/nonMfaCompliantPartnerPrincipals`). */
  path: string;
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** ISO instant from the sandbox clock. */
  time: string;
  /** null while the answer is not written yet. */
  status: number | null;
  fault: FaultKind | null;
  /** Request body of POST/PUT (Entra form bodies with client_secret masked). */
  body?: string;
}

export type DeviceCodeStatus = 'pending' | 'approved' | 'redeemed' | 'expired';

export interface DeviceCodeView {
  userCode: string;
  status: DeviceCodeStatus;
  /** Whether the approval used MFA; null while pending. */
  mfa: boolean | null;
  clientId: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string;
}

export interface SandboxStateSnapshot {
  now: string;
  partnerTenantId: string;
  config: SandboxConfig;
  faults: ActiveFault[];
  recordCount: number;
  principals: PrincipalSummary[];
  users: DirectoryUser[];
  deviceCodes: DeviceCodeView[];
  requestCount: number;
}

export interface GenerateRequest {
  records: number;
  principals: number;
}

export type TokenAudience = 'partnerCenter' | 'graph';

export interface MintTokenRequest {
  audience: TokenAudience;
  /** partnerCenter tokens: whether `amr` carries "mfa" (default true). Graph tokens are app tokens. */
  mfa?: boolean;
  /** partnerCenter tokens: the signed-in user (default: the sandbox admin agent). */
  objectId?: string;
}

/** In-process typed access to the same state the control API (`/_sandbox`) changes. */
export interface SandboxControl {
  state(): SandboxStateSnapshot;
  /** Back to the seed and the start options; no faults, empty logs, no device codes. Issued tokens stay valid. */
  reset(): void;
  addFault(spec: FaultSpec): ActiveFault;
  clearFaults(): void;
  records(): RawRecord[];
  appendRecords(records: RawRecord[]): number;
  replaceRecords(records: RawRecord[]): number;
  /** Adds one non-MFA record for a known user at `at` (default now): the user "reappears". */
  addNonMfaRecord(objectId: string, at?: Date): RawRecord;
  /** Replaces all records with a deterministic data set (same `now` → same data). */
  generate(request: GenerateRequest): { records: number; principals: number };
  requests(target?: Target): RequestLogEntry[];
  clearRequests(): void;
  setRegistration(objectId: string, update: RegistrationUpdate): DirectoryUser;
  setManager(objectId: string, managerId: string | null): DirectoryUser;
  /** Records an Entra sign-in of a known user (what Graph's auditLogs/signIns returns). */
  addSignIn(objectId: string, spec: SignInSpec): StoredSignIn;
  /** A user's sign-ins, newest first. */
  signIns(objectId: string): StoredSignIn[];
  configure(update: ConfigUpdate): SandboxConfig;
  /** Approves `userCode`, or the latest pending device code when omitted. */
  approveDeviceCode(request: { userCode?: string; mfa: boolean }): DeviceCodeView;
  /** Makes every refresh token issued so far unknown (the next redeem answers invalid_grant). */
  revokeRefreshTokens(): number;
  /** The integration endpoints' items (adoption summaries; requests newest first). */
  integrationData(): { adoption: RawRecord[]; requests: RawRecord[] };
  /** Replaces what applicationmfaadoptionstatus and partnerRequests serve. */
  replaceIntegrationData(data: { adoption: RawRecord[]; requests: RawRecord[] }): void;
  /** Replaces them with a deterministic large set (benchmarks). */
  generateIntegrations(request: { requests: number; days: number; apps: number }): { adoption: number; requests: number };
  /** Refuses every access token issued so far (a client must redeem its refresh token again). */
  revokeAccessTokens(): number;
  /** Replaces Entra's signing key: every access token signed before is refused. */
  rollSigningKey(): { kid: string };
  /** An access token the sandbox accepts, without going through Entra. */
  /** A signed Teams SSO token for the admin tab (see tab-tokens.ts). */
  mintTabToken(request: TabTokenMintRequest): string;
  /** Add a user (or a group) to an Entra group, creating the group when new; returns its direct members. */
  addGroupMember(groupId: string, memberId: string): string[];
  removeGroupMember(groupId: string, memberId: string): string[];
  mintToken(request: MintTokenRequest): string;
}

/** Stable error codes of the control API (HTTP and in-process). */
export type SandboxErrorCode =
  | 'invalid_request'
  | 'user_not_found'
  | 'no_pending_device_code'
  | 'device_code_not_found'
  | 'inconsistent_registration'
  | 'fault_not_applicable';

export class SandboxError extends Error {
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

export interface TabTokenMintRequest {
  oid: string;
  /** Default: the audience the bot expects in local mode. */
  audience?: string;
  /** Default: the partner tenant. */
  tenantId?: string;
  /** Default 3600; negative for an expired token. */
  expiresInSeconds?: number;
}
