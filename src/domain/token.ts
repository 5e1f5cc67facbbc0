/**
 * MFA evidence in an Entra v1 access token is its `amr` claim containing "mfa".
 * Decoding happens in the identity integration; this is the rule.
 */
export function amrHasMfa(amr: unknown): boolean {
  return Array.isArray(amr) && amr.some((v) => typeof v === 'string' && v.toLowerCase() === 'mfa');
}
