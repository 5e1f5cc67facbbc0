import { amrHasMfa } from '../../domain/token';

/**
 * The payload of a JWT, decoded WITHOUT verifying its signature. Only for reading the claims of a
 * token we just received from Entra ourselves (the resource verifies it, not us). Undefined when
 * the text is not a JWT with an object payload.
 */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  const payload = parts[1];
  if (parts.length < 2 || payload === undefined || payload === '') return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return value as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Whether the token's `amr` claim contains "mfa". False for anything unreadable. */
export function tokenHasMfa(token: string): boolean {
  return amrHasMfa(decodeJwtPayload(token)?.['amr']);
}
