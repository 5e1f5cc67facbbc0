import { createControl } from './control';
import { startServer } from './server';
import { SandboxState } from './state';
import type { SandboxControl } from './types';

/**
 * Local sandbox standing in for Partner Center (/pc), Microsoft Graph (/graph) and Entra ID for
 * msal-node (/entra) over real HTTP, with switchable faults, a control API (/_sandbox) and pages
 * for a developer (/, /mfasetup, /entra/devicelogin). Tests, the dev script and benchmarks use
 * it; production code (src/) never imports it.
 */

export interface SandboxOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 = a free port. */
  port?: number;
  /** Default 'default' (~36 principals); 'empty' = no records, only the admin agent. */
  seed?: 'default' | 'empty';
  /** Default true: device codes are approved with MFA at once (the first poll succeeds). */
  autoApproveDeviceCodes?: boolean;
  /** Partner Center page size; default 1000. */
  pageSize?: number;
  /** The sandbox clock (seed times, the 7-day window, token lifetimes); default the real clock. */
  now?: () => Date;
  /**
   * Directory for Entra's signing keys and the tokens it issued (as a real Entra keeps them), so a
   * restarted sandbox still accepts a bot's stored tokens. Default: none, kept in memory.
   */
  stateDir?: string;
}

export interface SandboxHandle {
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  port: number;
  stop(): Promise<void>;
  /** In-process typed access to the same state the control API changes. */
  control: SandboxControl;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<SandboxHandle> {
  const state = new SandboxState({
    seed: opts.seed ?? 'default',
    now: opts.now ?? (() => new Date()),
    ...(opts.stateDir === undefined ? {} : { stateDir: opts.stateDir }),
    config: {
      pageSize: opts.pageSize ?? 1000,
      premium: true,
      autoApproveDeviceCodes: opts.autoApproveDeviceCodes ?? true,
    },
  });
  const control = createControl(state);
  const running = await startServer({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0, state, control });
  return { url: running.url, port: running.port, stop: () => running.stop(), control };
}

export { decodeJwtPayload, GRAPH_RESOURCE, PARTNER_CENTER_RESOURCE } from './tokens';
export { formatPartnerCenterTime, LOGIN_TIME_FIELD, REQUEST_TIME_FIELD } from './records';
export { LOGIN_HOST } from './entra';
export { MFA_REQUIRED_CODE } from './partnerCenter';
export { ADMIN_AGENT, FEDERATED_DOMAIN, FEDERATED_PLAYGROUND_USER_ID, PARTNER_TENANT_ID, PLAYGROUND_USER_ID, PLAYGROUND_USERS, contosoObjectId } from './seed';
export { SIGN_IN_KINDS, type SignInKind, type SignInSpec, type StoredSignIn } from './signins';
export { generatedObjectId } from './generate';
export { SANDBOX_APPS, BILLING_SERVICE_ACCOUNT } from './integrations';
export { SandboxError, TARGETS, FAULT_KINDS, AUTH_METHODS } from './types';
export type {
  ActiveFault,
  AuthMethod,
  ConfigUpdate,
  DeviceCodeView,
  DirectoryUser,
  FaultKind,
  FaultSpec,
  GenerateRequest,
  MintTokenRequest,
  PrincipalSummary,
  RawRecord,
  RegistrationUpdate,
  RequestLogEntry,
  SandboxConfig,
  SandboxControl,
  SandboxErrorCode,
  SandboxStateSnapshot,
  Target,
  TokenAudience,
} from './types';
