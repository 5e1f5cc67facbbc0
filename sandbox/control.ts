import type { SignInSpec, StoredSignIn } from './signins';
import { toView } from './deviceCodes';
import { generateData } from './generate';
import { generateIntegrationData } from './integrations';
import { REQUEST_TIME_FIELD } from './records';
import { ADMIN_AGENT, APP_SERVICE_PRINCIPAL_ID, record } from './seed';
import type { SandboxState } from './state';
import { LOCAL_TAB_AUDIENCE, signJwt, tabTokenClaims } from './tab-tokens';
import { appClaims, delegatedClaims, GRAPH_RESOURCE, PARTNER_CENTER_RESOURCE } from './tokens';
import {
  SandboxError,
  type ActiveFault,
  type ConfigUpdate,
  type DeviceCodeView,
  type DirectoryUser,
  type FaultSpec,
  type GenerateRequest,
  type MintTokenRequest,
  type PrincipalSummary,
  type RawRecord,
  type RegistrationUpdate,
  type RequestLogEntry,
  type SandboxConfig,
  type SandboxControl,
  type SandboxStateSnapshot,
  type TabTokenMintRequest,
  type Target,
} from './types';

/** The control operations; `/_sandbox` (controlRoutes.ts) maps HTTP onto the same object. */
export function createControl(state: SandboxState): SandboxControl {
  function principals(): PrincipalSummary[] {
    const out: PrincipalSummary[] = [];
    for (const [objectId, summary] of state.records.summarize()) {
      const user = state.directory.find(objectId);
      out.push({
        objectId,
        upn: summary.upn || (user?.userPrincipalName ?? ''),
        displayName: user?.displayName ?? '',
        recordCount: summary.count,
        lastNonMfaAt: summary.lastAt === null ? null : new Date(summary.lastAt).toISOString(),
        isMfaRegistered: user?.isMfaRegistered ?? false,
        managerId: user?.managerId ?? null,
      });
    }
    return out;
  }

  function requireRecords(records: RawRecord[]): RawRecord[] {
    records.forEach((r, i) => {
      if (typeof r['objectId'] !== 'string' || r['objectId'] === '') {
        throw new SandboxError('invalid_request', `record ${i} has no string "objectId"`, 400);
      }
    });
    return records;
  }

  return {
    state(): SandboxStateSnapshot {
      return {
        now: state.now().toISOString(),
        partnerTenantId: state.partnerTenantId,
        config: { ...state.config },
        faults: state.faults.list(),
        recordCount: state.records.size,
        principals: principals(),
        users: state.directory.list(),
        deviceCodes: state.deviceCodes.list(state.nowMs()),
        requestCount: state.requestLog.size,
      };
    },
    reset(): void {
      state.reset();
    },
    addFault(spec: FaultSpec): ActiveFault {
      return state.faults.add(spec);
    },
    clearFaults(): void {
      state.faults.clear();
    },
    records(): RawRecord[] {
      return state.records.all();
    },
    appendRecords(records: RawRecord[]): number {
      state.appendRecords(requireRecords(records));
      return state.records.size;
    },
    replaceRecords(records: RawRecord[]): number {
      requireRecords(records);
      state.records.replace([]);
      state.appendRecords(records);
      return state.records.size;
    },
    addNonMfaRecord(objectId: string, at?: Date): RawRecord {
      const user = state.directory.require(objectId);
      const atMs = (at ?? state.now()).getTime();
      const last = state.records.all().filter((r) => r['objectId'] === user.objectId).pop();
      // Alternate the time field name with the principal's previous record: both stay in use.
      const previousUsedRequestField = last !== undefined && REQUEST_TIME_FIELD in last;
      const added = record(user.objectId, user.userPrincipalName, atMs, !previousUsedRequestField);
      state.appendRecords([added]);
      return { ...added };
    },
    generate(request: GenerateRequest): { records: number; principals: number } {
      const data = generateData(request, state.nowMs());
      state.records.replace([]);
      state.load(data);
      return { records: data.records.length, principals: data.users.length };
    },
    requests(target?: Target): RequestLogEntry[] {
      return state.requestLog.list(target);
    },
    clearRequests(): void {
      state.requestLog.clear();
    },
    setRegistration(objectId: string, update: RegistrationUpdate): DirectoryUser {
      return state.directory.setRegistration(objectId, update, state.now());
    },
    setManager(objectId: string, managerId: string | null): DirectoryUser {
      return state.directory.setManager(objectId, managerId);
    },
    addSignIn(objectId: string, spec: SignInSpec): StoredSignIn {
      return state.signIns.add(state.directory.require(objectId), spec, state.now());
    },
    signIns(objectId: string): StoredSignIn[] {
      return state.signIns.forUser(state.directory.require(objectId).objectId);
    },
    configure(update: ConfigUpdate): SandboxConfig {
      if (update.pageSize !== undefined && (!Number.isInteger(update.pageSize) || update.pageSize < 1)) {
        throw new SandboxError('invalid_request', 'pageSize must be a positive integer', 400);
      }
      state.config = {
        pageSize: update.pageSize ?? state.config.pageSize,
        premium: update.premium ?? state.config.premium,
        autoApproveDeviceCodes: update.autoApproveDeviceCodes ?? state.config.autoApproveDeviceCodes,
      };
      return { ...state.config };
    },
    approveDeviceCode(request: { userCode?: string; mfa: boolean }): DeviceCodeView {
      return toView(state.deviceCodes.approve(request.userCode, request.mfa, state.nowMs()));
    },
    revokeRefreshTokens(): number {
      return state.tokens.revokeRefreshTokens();
    },
    integrationData() {
      return { adoption: state.integrations.adoption.map((a) => ({ ...a })), requests: state.integrations.requests.map((r) => ({ ...r })) };
    },
    replaceIntegrationData(data) {
      state.setIntegrations(data);
    },
    generateIntegrations(request) {
      const data = generateIntegrationData(request, state.partnerTenantId, state.nowMs());
      state.setIntegrations(data);
      return { adoption: data.adoption.length, requests: data.requests.length };
    },
    mintTabToken(request: TabTokenMintRequest): string {
      const user = state.directory.require(request.oid);
      const claims = tabTokenClaims({
        user,
        tenantId: request.tenantId ?? state.partnerTenantId,
        audience: request.audience ?? LOCAL_TAB_AUDIENCE,
        nowSeconds: Math.floor(state.nowMs() / 1000),
        expiresInSeconds: request.expiresInSeconds,
      });
      return signJwt(claims, state.signingKey);
    },
    addGroupMember(groupId: string, memberId: string): string[] {
      return state.groups.addMember(groupId, memberId);
    },
    removeGroupMember(groupId: string, memberId: string): string[] {
      return state.groups.removeMember(groupId, memberId);
    },
    revokeAccessTokens(): number {
      return state.tokens.revokeAccessTokens();
    },
    rollSigningKey(): { kid: string } {
      return state.tokens.rollSigningKey();
    },
    mintToken(request: MintTokenRequest): string {
      const nowSeconds = Math.floor(state.nowMs() / 1000);
      const clientId = 'sandbox-minted';
      if (request.audience === 'graph') {
        return state.tokens.mintAccessToken(
          appClaims({ servicePrincipalId: APP_SERVICE_PRINCIPAL_ID, tenantId: state.partnerTenantId, clientId, audience: GRAPH_RESOURCE, nowSeconds }),
        );
      }
      const user = state.directory.require(request.objectId ?? ADMIN_AGENT.objectId);
      return state.tokens.mintAccessToken(
        delegatedClaims({
          user,
          tenantId: state.partnerTenantId,
          clientId,
          audience: PARTNER_CENTER_RESOURCE,
          scopeNames: ['user_impersonation'],
          mfa: request.mfa ?? true,
          nowSeconds,
        }),
      );
    },
  };
}

