import { randomBytes, randomInt } from 'node:crypto';
import { SandboxError, type DeviceCodeStatus, type DeviceCodeView } from './types';

export const DEVICE_CODE_LIFETIME_SECONDS = 900;
/** msal-node sleeps this many seconds between polls: 1 keeps tests quick. */
export const DEVICE_CODE_POLL_INTERVAL_SECONDS = 1;

export interface DeviceCode {
  deviceCode: string;
  userCode: string;
  clientId: string;
  tenant: string;
  scopes: string[];
  status: DeviceCodeStatus;
  mfa: boolean | null;
  /** Epoch ms. */
  createdAt: number;
  expiresAt: number;
  seq: number;
}

const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

function newUserCode(): string {
  let code = '';
  for (let i = 0; i < 9; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)] ?? 'X';
  return code;
}

/** Upper case, without spaces or dashes: how a person may type the code. */
export function normalizeUserCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}

export class DeviceCodeStore {
  private codes: DeviceCode[] = [];
  private nextSeq = 0;

  clear(): void {
    this.codes = [];
  }

  create(input: { clientId: string; tenant: string; scopes: string[]; now: number; approvedWithMfa: boolean | null }): DeviceCode {
    const code: DeviceCode = {
      deviceCode: `SBXDC.${randomBytes(24).toString('base64url')}`,
      userCode: newUserCode(),
      clientId: input.clientId,
      tenant: input.tenant,
      scopes: input.scopes,
      status: input.approvedWithMfa === null ? 'pending' : 'approved',
      mfa: input.approvedWithMfa,
      createdAt: input.now,
      expiresAt: input.now + DEVICE_CODE_LIFETIME_SECONDS * 1000,
      seq: this.nextSeq++,
    };
    this.codes.push(code);
    return code;
  }

  /** The code as of `now` (status "expired" once past its lifetime and not redeemed). */
  byDeviceCode(deviceCode: string, now: number): DeviceCode | undefined {
    const code = this.codes.find((c) => c.deviceCode === deviceCode);
    if (code !== undefined) this.expireIfDue(code, now);
    return code;
  }

  approve(userCode: string | undefined, mfa: boolean, now: number): DeviceCode {
    for (const c of this.codes) this.expireIfDue(c, now);
    let code: DeviceCode | undefined;
    if (userCode === undefined) {
      code = this.codes.filter((c) => c.status === 'pending').sort((a, b) => b.seq - a.seq)[0];
      if (code === undefined) throw new SandboxError('no_pending_device_code', 'no device code is waiting for approval', 404);
    } else {
      const wanted = normalizeUserCode(userCode);
      code = this.codes.find((c) => c.userCode === wanted && c.status === 'pending');
      if (code === undefined) throw new SandboxError('device_code_not_found', `no pending device code "${userCode}"`, 404);
    }
    code.status = 'approved';
    code.mfa = mfa;
    return code;
  }

  list(now: number): DeviceCodeView[] {
    return this.codes.map((c) => {
      this.expireIfDue(c, now);
      return toView(c);
    });
  }

  private expireIfDue(code: DeviceCode, now: number): void {
    if (code.status !== 'redeemed' && now > code.expiresAt) code.status = 'expired';
  }
}

export function toView(code: DeviceCode): DeviceCodeView {
  return {
    userCode: code.userCode,
    status: code.status,
    mfa: code.mfa,
    clientId: code.clientId,
    scopes: [...code.scopes],
    createdAt: new Date(code.createdAt).toISOString(),
    expiresAt: new Date(code.expiresAt).toISOString(),
  };
}
