import { DeviceCodeStore } from './deviceCodes';
import { Directory } from './directory';
import { FaultBook } from './faults';
import { Groups } from './groups';
import { RecordStore } from './records';
import { RequestLog } from './requestLog';
import { SignInLog, type SandboxDomain } from './signins';
import { buildSeed, PARTNER_TENANT_ID, type SeedData } from './seed';
import { TokenStore } from './tokens';
import { createSigningKey, type SigningKey } from './tab-tokens';
import type { RawRecord, SandboxConfig } from './types';
import { timeText, type IntegrationData } from './integrations';

export interface StateOptions {
  seed: 'default' | 'empty';
  config: SandboxConfig;
  now: () => Date;
  /** Where Entra's signing keys and issued tokens are kept; absent: memory only. */
  stateDir?: string;
}

/** Everything the stand-ins and the control API share. One instance per running sandbox. */
export class SandboxState {
  readonly partnerTenantId = PARTNER_TENANT_ID;
  readonly records = new RecordStore();
  readonly directory = new Directory();
  readonly faults = new FaultBook();
  readonly requestLog = new RequestLog();
  readonly deviceCodes = new DeviceCodeStore();
  readonly signIns = new SignInLog();
  /** The tenant's domains (Graph `domains`), by lower-case name. */
  domains = new Map<string, SandboxDomain>();
  /** Survives reset (and, with a state directory, a restart): a bot's stored tokens stay usable. */
  readonly tokens: TokenStore;
  /** Entra security groups (Graph's transitiveMembers), for group-based roles. */
  readonly groups = new Groups();
  /** Signs the admin tab's SSO tokens; its public half is the JWKS. Survives reset, like Entra's keys. */
  readonly signingKey: SigningKey = createSigningKey();
  config: SandboxConfig;
  /** applicationmfaadoptionstatus and partnerRequests items (requests newest first). */
  integrations: IntegrationData = { adoption: [], requests: [] };

  constructor(private readonly options: StateOptions) {
    this.config = { ...options.config };
    this.tokens = new TokenStore({ dir: options.stateDir, nowMs: () => this.nowMs() });
    this.reset();
  }

  now(): Date {
    return this.options.now();
  }

  nowMs(): number {
    return this.options.now().getTime();
  }

  reset(): void {
    this.config = { ...this.options.config };
    this.faults.clear();
    this.requestLog.clear();
    this.deviceCodes.clear();
    this.directory.clear();
    this.signIns.clear();
    this.domains = new Map();
    this.groups.clear();
    this.records.replace([]);
    this.load(buildSeed(this.options.seed, this.nowMs()));
  }

  /** Adds users (replacing same ids) and appends records, creating directory users for new principals. */
  load(data: SeedData): void {
    for (const user of data.users) this.directory.add(user);
    for (const domain of data.domains ?? []) this.domains.set(domain.id.toLowerCase(), domain);
    for (const s of data.signIns ?? []) {
      const user = this.directory.require(s.objectId);
      this.signIns.add(user, s, this.now());
    }
    if (data.integrations) this.setIntegrations(data.integrations);
    this.appendRecords(data.records);
  }

  setIntegrations(data: IntegrationData): void {
    const requests = data.requests.map((r) => ({ ...r }));
    requests.sort((a, b) => timeText(b).localeCompare(timeText(a)));
    this.integrations = { adoption: data.adoption.map((a) => ({ ...a })), requests };
  }

  appendRecords(records: readonly RawRecord[]): void {
    this.records.append(records);
    for (const r of records) {
      this.directory.ensure(String(r['objectId']), typeof r['upn'] === 'string' ? r['upn'] : '');
    }
  }
}
