import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../domain/clock';
import { AppError, ErrorCodes } from '../domain/errors';
import type { ExportKind } from './exception-export';

/**
 * Short-lived signed links to the CSV exports. A bot cannot attach a file to a 1:1 chat without
 * the file-consent flow, so the admin gets a link instead. Token:
 *
 *   base64url(JSON {kind, actor, exp, n}) "." base64url(HMAC-SHA256(key, first part))
 *
 * The key is derived with HKDF-SHA256 from TOKEN_ENCRYPTION_KEY (info 'mfa-shepherd download
 * links'), so the encryption key itself never signs anything. Rotation: links are signed with the
 * current key; a link signed with a previous key (TOKEN_ENCRYPTION_KEYS_PREVIOUS) still verifies
 * for its few minutes of life. A link is valid for 5 minutes and once: `n` is a random nonce the
 * download route records in storage (a conditional insert, so of two concurrent downloads only one
 * wins). It names the admin it was made for, so the route can check that they are still an admin.
 * verify() throws AppError INPUT_INVALID with details.reason 'invalid' (forged, tampered,
 * malformed) or 'expired' (signature checked first: a forged token never learns about expiry);
 * the route adds 'used'.
 */

export const DOWNLOAD_LINK_LIFETIME_MS = 5 * 60 * 1000;
const HKDF_INFO = 'mfa-shepherd download links';
/** The longest token verify() looks at (a payload of up to 2,048 characters, a dot, 43 of signature). */
export const MAX_DOWNLOAD_TOKEN_CHARS = 2048 + 1 + 43;
const TOKEN = /^([A-Za-z0-9_-]{1,2048})\.([A-Za-z0-9_-]{43})$/;

export interface DownloadLinkPayload {
  kind: ExportKind;
  /** AAD object ID of the admin the link was made for. */
  actor: string;
  /** Expiry, milliseconds since the epoch. */
  exp: number;
  /** Random, recorded on first download: a link works once. */
  n: string;
}

const payloadSchema = z.object({
  kind: z.enum(['requests', 'audit']),
  actor: z.string().min(1),
  exp: z.number().int().positive(),
  n: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
});

export interface DownloadLinks {
  /** A token for `kind`, made for `actor`, valid once within the next 5 minutes. */
  sign(kind: ExportKind, actor: string): string;
  /** The payload of a valid, unexpired token; AppError INPUT_INVALID otherwise. */
  verify(token: string): DownloadLinkPayload;
  /** `<publicBaseUrl>/exports/<token>`. */
  url(publicBaseUrl: string, kind: ExportKind, actor: string): string;
}

export type DownloadLinkFailure = 'invalid' | 'expired' | 'used';

export function downloadLinkRefusal(reason: DownloadLinkFailure): AppError {
  const message = reason === 'expired' ? 'link expired' : reason === 'used' ? 'link already used' : 'link invalid';
  return new AppError(ErrorCodes.InputInvalid, message, { details: { reason } });
}

/** The reason a download link was refused, when `error` is such a refusal. */
export function downloadLinkFailure(error: unknown): DownloadLinkFailure | undefined {
  if (!(error instanceof AppError) || error.code !== ErrorCodes.InputInvalid) return undefined;
  const reason = error.details['reason'];
  return reason === 'invalid' || reason === 'expired' || reason === 'used' ? reason : undefined;
}

export function createDownloadLinks(deps: { encryptionKey: Buffer; previousKeys?: readonly Buffer[]; clock: Clock; lifetimeMs?: number }): DownloadLinks {
  const derive = (secret: Buffer): Buffer => {
    if (secret.length !== 32) throw new Error(`Download links need the 32-byte TOKEN_ENCRYPTION_KEY, got ${secret.length} bytes`);
    return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), HKDF_INFO, 32));
  };
  const key = derive(deps.encryptionKey);
  const verifyKeys = [key, ...(deps.previousKeys ?? []).map(derive)];
  const lifetimeMs = deps.lifetimeMs ?? DOWNLOAD_LINK_LIFETIME_MS;
  const mac = (body: string, with_: Buffer = key): Buffer => createHmac('sha256', with_).update(body, 'ascii').digest();

  const sign = (kind: ExportKind, actor: string): string => {
    const payload: DownloadLinkPayload = { kind, actor, exp: deps.clock.now().getTime() + lifetimeMs, n: randomBytes(16).toString('base64url') };
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${body}.${mac(body).toString('base64url')}`;
  };

  const verify = (token: string): DownloadLinkPayload => {
    const match = TOKEN.exec(token);
    const body = match?.[1];
    const signature = match?.[2];
    if (body === undefined || signature === undefined) throw downloadLinkRefusal('invalid');
    const given = Buffer.from(signature, 'base64url');
    // Re-encoding must give the same text: rejects non-canonical base64url (extra trailing bits).
    if (given.length !== 32 || given.toString('base64url') !== signature) throw downloadLinkRefusal('invalid');
    // Every configured key is checked (no early exit), so timing does not tell which one matched.
    const matches = verifyKeys.map((k) => timingSafeEqual(given, mac(body, k)));
    if (!matches.includes(true)) throw downloadLinkRefusal('invalid');
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw downloadLinkRefusal('invalid');
    }
    const result = payloadSchema.safeParse(parsed);
    if (!result.success) throw downloadLinkRefusal('invalid');
    if (deps.clock.now().getTime() >= result.data.exp) throw downloadLinkRefusal('expired');
    return result.data;
  };

  return {
    sign,
    verify,
    url: (publicBaseUrl, kind, actor) => `${publicBaseUrl.replace(/\/+$/, '')}/exports/${sign(kind, actor)}`,
  };
}
