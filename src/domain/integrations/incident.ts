/**
 * A 401/900421 another system of the partner's met, reported to MFA Shepherd (POST /api/incidents)
 * or filed by hand in Teams. Alerts are deduplicated per app and UTC hour.
 */
export interface Incident {
  id: string;
  /** The integration it concerns (its key), when we could match it. */
  integrationKey: string;
  applicationId?: string;
  name?: string;
  status: number;
  errorCode: string;
  correlationId?: string;
  operationName?: string;
  occurredAt: Date;
  receivedAt: Date;
  /** The intake key id, or `teams:<aadObjectId>` for one filed by hand. */
  source: string;
  /** The alert bucket: `<integrationKey>|<YYYY-MM-DDTHH>`. */
  alertBucket: string;
  acknowledgedBy?: string;
  acknowledgedByName?: string;
  acknowledgedAt?: Date;
  etag?: string;
}

export function hourBucket(integrationKey: string, at: Date): string {
  return `${integrationKey}|${at.toISOString().slice(0, 13)}`;
}

/** Partner Center's MFA rejection: 401 (or 403) with 900421. */
export function isMfaFailure(status: number, errorCode: string): boolean {
  return (status === 401 || status === 403) && /\b900421\b/.test(errorCode);
}

/** Incident ids: INC- and 10 characters from the id source, sortable enough for people. */
export function incidentId(random: string): string {
  return `INC-${random.replace(/[^A-Za-z0-9]/g, '').slice(0, 10).toUpperCase()}`;
}
