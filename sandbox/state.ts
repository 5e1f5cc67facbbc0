import { DeviceCodeStore } from './deviceCodes';
import { Directory } from './directory';
import { FaultBook } from './faults';
import { RecordStore } from './records';
import { RequestLog } from './requestLog';
import { buildSeed, PARTNER_TENANT_ID, type SeedData } from './seed';
import { TokenStore } from './tokens';
import type { RawRecord, SandboxConfig } from './types';

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
  /** Survives reset (and, with a state directory, a restart): a bot's stored tokens stay usable. */
  readonly tokens: TokenStore;
  config: SandboxConfig;

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
    this.records.replace([]);
    this.load(buildSeed(this.options.seed, this.nowMs()));
  }

  /** Adds users (replacing same ids) and appends records, creating directory users for new principals. */
  load(data: SeedData): void {
    for (const user of data.users) this.directory.add(user);
    this.appendRecords(data.records);
  }

  appendRecords(records: readonly RawRecord[]): void {
    this.records.append(records);
    for (const r of records) {
      this.directory.ensure(String(r['objectId']), typeof r['upn'] === 'string' ? r['upn'] : '');
    }
  }
}
