/**
 * Partner Center lists the most recent non-MFA sign-ins or API tokens of the partner's own users,
 * one record per request: the same user appears many times. We aggregate by objectId.
 */
export interface NonMfaRecord {
  objectId: string;
  tenantId: string;
  upn: string;
  /** The last non-MFA request of this record, as an instant (UTC). */
  lastNonMfaAt: Date;
}

/**
 * Ids as MFA Shepherd stores and compares them. Entra object and tenant ids are GUIDs whose case
 * differs between sources (Partner Center, Teams, configuration); storage keys are case-sensitive.
 */
export function canonicalId(id: string): string {
  return id.trim().toLowerCase();
}

export interface AggregatedPrincipal {
  objectId: string;
  tenantId: string;
  upn: string;
  recordCount: number;
  firstNonMfaAt: Date;
  lastNonMfaAt: Date;
}

/** Aggregate raw records by objectId: count, first and last time. The UPN of the latest record wins. */
export function aggregateRecords(records: Iterable<NonMfaRecord>): AggregatedPrincipal[] {
  const byId = new Map<string, AggregatedPrincipal>();
  for (const record of records) {
    const t = record.lastNonMfaAt.getTime();
    const current = byId.get(record.objectId);
    if (!current) {
      byId.set(record.objectId, {
        objectId: record.objectId,
        tenantId: record.tenantId,
        upn: record.upn,
        recordCount: 1,
        firstNonMfaAt: record.lastNonMfaAt,
        lastNonMfaAt: record.lastNonMfaAt,
      });
      continue;
    }
    current.recordCount += 1;
    if (t < current.firstNonMfaAt.getTime()) current.firstNonMfaAt = record.lastNonMfaAt;
    if (t >= current.lastNonMfaAt.getTime()) {
      current.lastNonMfaAt = record.lastNonMfaAt;
      if (record.upn) current.upn = record.upn;
      if (record.tenantId) current.tenantId = record.tenantId;
    }
  }
  return [...byId.values()];
}
