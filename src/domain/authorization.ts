/** Admins are a configured list of AAD object IDs. The actor is always the activity's sender. */
export function isAdmin(aadObjectId: string | undefined, adminIds: ReadonlySet<string>): boolean {
  return aadObjectId !== undefined && aadObjectId !== '' && adminIds.has(aadObjectId.toLowerCase());
}

export function adminSet(ids: readonly string[]): ReadonlySet<string> {
  return new Set(ids.map((id) => id.trim().toLowerCase()).filter((id) => id !== ''));
}
