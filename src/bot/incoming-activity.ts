import type { EdgeRefusal } from './json-body';

/**
 * The shape an activity needs before authentication and a turn may look at it: a type, a
 * conversation to answer in, an http(s) service URL, and dates that parse. Anything else is a 400
 * ACTIVITY_INVALID here rather than a failure deep inside botbuilder. Timestamps become Dates, as
 * botbuilder's own reader does.
 */

const MAX_TYPE_CHARS = 64;
const DATE_FIELDS = ['timestamp', 'localTimestamp', 'expiration'] as const;

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 2048) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

export function validateActivity(activity: Record<string, unknown>): EdgeRefusal | undefined {
  const invalid = (message: string): EdgeRefusal => ({ status: 400, code: 'ACTIVITY_INVALID', message });
  const type = activity['type'];
  if (typeof type !== 'string' || type === '' || type.length > MAX_TYPE_CHARS) return invalid('The activity has no valid type.');
  if (!isHttpUrl(activity['serviceUrl'])) return invalid('The activity has no valid serviceUrl.');
  const conversation = activity['conversation'];
  if (typeof conversation !== 'object' || conversation === null || typeof (conversation as Record<string, unknown>)['id'] !== 'string') {
    return invalid('The activity has no conversation id.');
  }
  for (const field of DATE_FIELDS) {
    const value = activity[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) return invalid(`The activity's ${field} is not a date.`);
    activity[`raw${field[0]!.toUpperCase()}${field.slice(1)}`] = value;
    activity[field] = new Date(value);
  }
  return undefined;
}
