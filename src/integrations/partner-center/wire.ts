import { z } from 'zod';
import type { NonMfaRecord } from '../../domain/principal';

/**
 * Partner Center's wire format for `GET /v1/nonMfaCompliantPartnerPrincipals`, and its mapping to
 * domain records, in one place. Tolerant by design (the docs disagree with each other):
 * - the body is the collection envelope `{ totalCount, items, links: { next? }, attributes }`,
 *   a bare array of items, or a single item;
 * - the time field is `lastNonMfaCompliantLoginDateTime` or `lastNonMfaCompliantRequestDateTime`;
 * - times without a zone (`2020-04-21T22:09:53.051`) are UTC; a zone, when present, is honoured;
 * - an item without objectId or a readable time is skipped and counted, not fatal.
 */

const linkHeaderSchema = z.object({ key: z.string(), value: z.string() });

const linkSchema = z.object({
  uri: z.string().min(1),
  method: z.string().optional(),
  headers: z.union([z.array(linkHeaderSchema), z.record(z.string(), z.string())]).optional(),
});

const envelopeSchema = z.object({
  totalCount: z.number().optional(),
  items: z.array(z.unknown()),
  links: z.object({ next: linkSchema.nullish() }).passthrough().nullish(),
  isMfaCompliant: z.unknown().optional(),
});

/** A Partner Center error body `{ code, description, data, source }`; every field optional. */
const errorBodySchema = z
  .object({
    code: z.union([z.number(), z.string()]).nullish(),
    description: z.string().nullish(),
    data: z.unknown().optional(),
    source: z.string().nullish(),
  })
  .passthrough();


export interface NextPage {
  uri: string;
  continuationToken?: string;
}

export interface ParsedPage {
  records: NonMfaRecord[];
  /** Items without objectId or a readable time. */
  skipped: number;
  next?: NextPage;
  /** `isMfaCompliant` found in the body, when present. */
  isMfaCompliant?: boolean;
}

export type PageParseResult = { ok: true; page: ParsedPage } | { ok: false; reason: string };

const ISO_LIKE =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * An instant from Partner Center's ISO 8601 text. No zone → UTC. More than millisecond precision
 * (.NET writes 7 digits) is truncated. Undefined when unreadable.
 */
/** Partner Center's usual form (no zone, or Z): read by numbers, without building ISO text again. */
const UTC_FORM = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$/;

export function parsePartnerCenterTime(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const fast = UTC_FORM.exec(value);
  if (fast) {
    const [, y, mo, d, hh, mm, ss, fraction = ''] = fast;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
    const epoch = Date.UTC(year, month - 1, day, Number(hh), Number(mm), Number(ss), ms);
    const at = new Date(epoch);
    // Reject overflow such as 2021-02-30 or 25:00 (Date.UTC rolls it over).
    if (Number.isNaN(epoch) || at.getUTCFullYear() !== year || at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day || at.getUTCHours() !== Number(hh) || at.getUTCMinutes() !== Number(mm) || at.getUTCSeconds() !== Number(ss)) {
      return undefined;
    }
    // Years 0-99 are 1900-1999 to Date.UTC: keep the text's meaning or refuse.
    return year < 100 ? undefined : at;
  }
  const m = ISO_LIKE.exec(value.trim());
  if (!m) return undefined;
  const [, date, hh, mm, ss = '00', fraction = '', zone] = m;
  const ms = fraction.padEnd(3, '0').slice(0, 3);
  let offset = 'Z';
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    offset = `${zone[0]}${digits.slice(0, 2)}:${digits.slice(2, 4).padEnd(2, '0')}`;
  }
  const text = `${date}T${hh}:${mm}:${ss}.${ms}${offset}`;
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) return undefined;
  // Reject calendar overflow such as 2021-02-30 (some engines roll it over to March).
  if (offset === 'Z' && at.toISOString().slice(0, 10) !== date) return undefined;
  return at;
}

const optionalString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * One item → one record. Plain checks rather than a zod schema: this runs 10,000 times a sync and
 * zod's per-item parse (with passthrough copies) was most of the parsing time in the benchmark.
 */
function recordFrom(raw: unknown): NonMfaRecord | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const item = raw as Record<string, unknown>;
  const objectId = typeof item.objectId === 'string' ? item.objectId.trim() : '';
  if (objectId === '') return undefined;
  const login = parsePartnerCenterTime(item.lastNonMfaCompliantLoginDateTime);
  const request = parsePartnerCenterTime(item.lastNonMfaCompliantRequestDateTime);
  const latest = login && request ? (request.getTime() > login.getTime() ? request : login) : (login ?? request);
  if (!latest) return undefined;
  return {
    objectId,
    tenantId: optionalString(item.tenantId) ?? '',
    upn: optionalString(item.upn) ?? optionalString(item.userPrincipalName) ?? '',
    lastNonMfaAt: latest,
  };
}

/** `true`/`false` as a boolean or a string; undefined otherwise. */
export function readBooleanFlag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
  }
  return undefined;
}

function nextFrom(link: z.infer<typeof linkSchema> | null | undefined): NextPage | undefined {
  if (!link) return undefined;
  const headers = link.headers;
  let continuationToken: string | undefined;
  if (Array.isArray(headers)) {
    continuationToken = headers.find((h) => h.key.toLowerCase() === 'ms-continuationtoken')?.value;
  } else if (headers) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === 'ms-continuationtoken');
    continuationToken = key === undefined ? undefined : headers[key];
  }
  return { uri: link.uri, continuationToken };
}

function parseItems<T>(items: readonly unknown[], itemFrom: (raw: unknown) => T | undefined): { items: T[]; skipped: number } {
  const out: T[] = [];
  let skipped = 0;
  for (const raw of items) {
    const item = itemFrom(raw);
    if (item !== undefined) out.push(item);
    else skipped += 1;
  }
  return { items: out, skipped };
}

/** One page of any Partner Center collection: its readable items, the unreadable ones counted. */
export interface CollectionPage<T> {
  items: T[];
  skipped: number;
  next?: NextPage;
  isMfaCompliant?: boolean;
}

export type CollectionParseResult<T> = { ok: true; page: CollectionPage<T> } | { ok: false; reason: string };

/**
 * One page of a collection, from the response body text: the envelope, a bare array, a
 * `{ totalCount: 0 }` without items, or a single item (recognised by `singleItemField`).
 */
export function parseCollectionPage<T>(text: string, itemFrom: (raw: unknown) => T | undefined, singleItemField: string): CollectionParseResult<T> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
  if (Array.isArray(body)) return { ok: true, page: parseItems(body, itemFrom) };
  if (typeof body !== 'object' || body === null) {
    return { ok: false, reason: 'the body is neither a collection, an array nor an item' };
  }
  const envelope = envelopeSchema.safeParse(body);
  if (envelope.success) {
    return {
      ok: true,
      page: {
        ...parseItems(envelope.data.items, itemFrom),
        next: nextFrom(envelope.data.links?.next),
        isMfaCompliant: readBooleanFlag(envelope.data.isMfaCompliant),
      },
    };
  }
  if ('items' in body || 'links' in body) {
    return { ok: false, reason: 'the collection envelope is malformed (items must be an array, links.next must have a uri)' };
  }
  const countOnly = z.object({ totalCount: z.literal(0) }).safeParse(body);
  if (countOnly.success) return { ok: true, page: { items: [], skipped: 0 } };
  if (singleItemField in body) {
    const single = parseItems([body], itemFrom);
    const flag = 'isMfaCompliant' in body ? readBooleanFlag(body.isMfaCompliant) : undefined;
    return { ok: true, page: { ...single, isMfaCompliant: flag } };
  }
  return { ok: false, reason: 'the body is neither a collection, an array nor an item' };
}

/** One page of the principals listing, from the response body text. */
export function parsePrincipalsPage(text: string): PageParseResult {
  const parsed = parseCollectionPage(text, recordFrom, 'objectId');
  if (!parsed.ok) return parsed;
  const { items, ...rest } = parsed.page;
  return { ok: true, page: { records: items, ...rest } };
}

export interface PartnerCenterErrorBody {
  code?: string;
  description?: string;
  /** The body as text, for MFA markers anywhere in it (code, data or description). */
  raw: string;
}

/** Partner Center's generic error body, as far as it can be read. */
export function parseErrorBody(text: string): PartnerCenterErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { raw: text };
  }
  const parsed = errorBodySchema.safeParse(json);
  if (!parsed.success) return { raw: text };
  const { code, description } = parsed.data;
  return {
    code: code === null || code === undefined ? undefined : String(code),
    description: description ?? undefined,
    raw: text,
  };
}
