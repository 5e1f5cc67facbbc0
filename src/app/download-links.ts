import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../domain/clock';
import { AppError, ErrorCodes } from '../domain/errors';
import type { ExportKind } from './exception-export';

/**
 * Short-lived signed links to the CSV exports. A bot cannot attach a file to a 1:1 chat without
 * the file-consent flow, so the admin gets a link instead. Token:
 *
 *   base64url(JSON {kind, actor, exp}) "." base64url(HMAC-SHA256(key, first part))
 *
 * The key is derived with HKDF-SHA256 from TOKEN_ENCRYPTION_KEY (info 'mfa-shepherd download
 * links'), so the encryption key itself never signs anything. A link is valid for 15 minutes; it
 * names the admin it was made for, so the route can check that they are still an admin.
 * verify() throws AppError INPUT_INVALID with details.reason 'invalid' (forged, tampered,
 * malformed) or 'expired' (signature checked first: a forged token never learns about expiry).
 */

export const DOWNLOAD_LINK_LIFETIME_MS = 15 * 60 * 1000;
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
}

const payloadSchema = z.object({
  kind: z.enum(['requests', 'audit']),
  actor: z.string().min(1),
  exp: z.number().int().positive(),
});

export interface DownloadLinks {
  /** A token for `kind`, made for `actor`, valid for 15 minutes from now. */
  sign(kind: ExportKind, actor: string): string;
  /** The payload of a valid, unexpired token; AppError INPUT_INVALID otherwise. */
  verify(token: string): DownloadLinkPayload;
  /** `<publicBaseUrl>/exports/<token>`. */
  url(publicBaseUrl: string, kind: ExportKind, actor: string): string;
}

export type DownloadLinkFailure = 'invalid' | 'expired';

function failure(reason: DownloadLinkFailure): AppError {
  return new AppError(ErrorCodes.InputInvalid, reason === 'expired' ? 'link expired' : 'link invalid', { details: { reason } });
}

/** The reason a download link was refused, when `error` is such a refusal. */
export function downloadLinkFailure(error: unknown): DownloadLinkFailure | undefined {
  if (!(error instanceof AppError) || error.code !== ErrorCodes.InputInvalid) return undefined;
  const reason = error.details['reason'];
  return reason === 'invalid' || reason === 'expired' ? reason : undefined;
}

export function createDownloadLinks(deps: { encryptionKey: Buffer; clock: Clock; lifetimeMs?: number }): DownloadLinks {
  if (deps.encryptionKey.length !== 32) throw new Error(`Download links need the 32-byte TOKEN_ENCRYPTION_KEY, got ${deps.encryptionKey.length} bytes`);
  const key = Buffer.from(hkdfSync('sha256', deps.encryptionKey, Buffer.alloc(0), HKDF_INFO, 32));
  const lifetimeMs = deps.lifetimeMs ?? DOWNLOAD_LINK_LIFETIME_MS;
  const mac = (body: string): Buffer => createHmac('sha256', key).update(body, 'ascii').digest();

  const sign = (kind: ExportKind, actor: string): string => {
    const payload: DownloadLinkPayload = { kind, actor, exp: deps.clock.now().getTime() + lifetimeMs };
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${body}.${mac(body).toString('base64url')}`;
  };

  const verify = (token: string): DownloadLinkPayload => {
    const match = TOKEN.exec(token);
    const body = match?.[1];
    const signature = match?.[2];
    if (body === undefined || signature === undefined) throw failure('invalid');
    const given = Buffer.from(signature, 'base64url');
    const expected = mac(body);
    // Re-encoding must give the same text: rejects non-canonical base64url (extra trailing bits).
    if (given.length !== expected.length || given.toString('base64url') !== signature || !timingSafeEqual(given, expected)) {
      throw failure('invalid');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw failure('invalid');
    }
    const result = payloadSchema.safeParse(parsed);
    if (!result.success) throw failure('invalid');
    if (deps.clock.now().getTime() >= result.data.exp) throw failure('expired');
    return result.data;
  };

  return {
    sign,
    verify,
    url: (publicBaseUrl, kind, actor) => `${publicBaseUrl.replace(/\/+$/, '')}/exports/${sign(kind, actor)}`,
  };
}
