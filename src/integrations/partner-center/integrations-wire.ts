import type { AdoptionDay, AppRequest } from '../../domain/integrations';
import { parsePartnerCenterTime } from './wire';

/**
 * Wire items of `GET /v1/applicationmfaadoptionstatus` and `GET /v1/partnerRequests`, mapped to
 * domain types in one place. Tolerant like the principals listing: an item without its
 * application id or a readable time is skipped (and counted), the source IP is read from
 * `ipAddress` (the docs' example) or `sourceIpAddress` (the REST reference), counts may be numbers
 * or numeric strings, `mfaCompliant` a boolean or "true"/"false".
 */

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

function count(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function flag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const v = text(value).toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

function record(raw: unknown): Record<string, unknown> | undefined {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
}

export function adoptionDayFrom(raw: unknown): AdoptionDay | undefined {
  const item = record(raw);
  if (!item) return undefined;
  const applicationId = text(item.applicationId);
  const at = parsePartnerCenterTime(item.loginDate);
  const total = count(item.totalRequestCount);
  const mfa = count(item.mfaCompliantRequestCount);
  if (applicationId === '' || !at || total === undefined || mfa === undefined) return undefined;
  return { applicationId, applicationName: text(item.applicationName), day: at.toISOString().slice(0, 10), totalRequestCount: total, mfaCompliantRequestCount: Math.min(mfa, total) };
}

export function appRequestFrom(raw: unknown): AppRequest | undefined {
  const item = record(raw);
  if (!item) return undefined;
  const applicationId = text(item.applicationId);
  const at = parsePartnerCenterTime(item.requestDateTime);
  const mfaCompliant = flag(item.mfaCompliant);
  if (applicationId === '' || !at || mfaCompliant === undefined) return undefined;
  const sourceIp = text(item.sourceIpAddress) || text(item.ipAddress);
  return {
    requestId: text(item.requestId),
    correlationId: text(item.correlationId),
    operationName: text(item.operationName) || 'unknown operation',
    at,
    ...(sourceIp === '' ? {} : { sourceIp }),
    objectId: text(item.objectId),
    tenantId: text(item.tenantId),
    upn: text(item.upn),
    applicationId,
    mfaCompliant,
  };
}
