import type restify from 'restify';
import type { Logger } from '../app/ports';
import { describeError, ErrorCodes, isAppError } from '../domain/errors';
import { jsonBody } from './json-body';

/**
 * POST /api/incidents: another system of the partner reports a Partner Center 401/900421.
 * Authenticated by a per-integration key (`Authorization: Bearer msk_…` or `X-Api-Key`), created
 * and revoked by admins in Teams. `req.body` arrives already parsed as JSON by the server's body
 * reader (a body that is not JSON never gets here as an object). Answers 202 with the incident id;
 * 401 without a valid key; 400 for an invalid incident; 413 over MAX_INCIDENT_BYTES; 415 for a
 * body that is not a JSON object; 429 over the key's rate. Nothing is stored on a 4xx.
 */

export interface IncidentIntake {
  authenticate(secret: string | undefined): Promise<string>;
  intake(keyId: string, body: unknown): Promise<{ incident: { id: string } }>;
}

export const MAX_INCIDENT_BYTES = 8 * 1024;

const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };

function secretOf(req: restify.Request): string | undefined {
  const authorization = req.header('authorization');
  const bearer = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  return bearer ?? (req.header('x-api-key') || undefined);
}

export function registerIncidentRoute(server: restify.Server, intake: IncidentIntake, logger: Logger): void {
  // The same JSON reader as every POST route (JSON only, no encodings, bounded size, depth and time).
  server.post('/api/incidents', jsonBody({ maxBytes: MAX_INCIDENT_BYTES }), async (req, res) => {
    const answer = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
      res.sendRaw(status, JSON.stringify(body), { ...JSON_HEADERS, ...headers });
    };
    let keyId: string;
    try {
      keyId = await intake.authenticate(secretOf(req));
    } catch (error) {
      if (isAppError(error, ErrorCodes.IntakeUnauthorized)) {
        logger.info({ ip: req.socket.remoteAddress }, 'incident intake refused: no valid key');
        return answer(401, { code: error.code, message: error.message }, { 'WWW-Authenticate': 'Bearer realm="mfa-shepherd-incidents"' });
      }
      logger.error({ err: describeError(error) }, 'incident intake: key check failed');
      return answer(503, { code: describeError(error).code, message: 'The incident could not be checked now. Try again later.' });
    }
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || Buffer.isBuffer(body)) {
      return answer(415, { code: ErrorCodes.InputInvalid, message: 'Send one incident as a JSON object (Content-Type: application/json).' });
    }
    if (Buffer.byteLength(JSON.stringify(body), 'utf8') > MAX_INCIDENT_BYTES) {
      return answer(413, { code: ErrorCodes.InputInvalid, message: `An incident is at most ${MAX_INCIDENT_BYTES} bytes.` });
    }
    try {
      const view = await intake.intake(keyId, body);
      return answer(202, { incidentId: view.incident.id });
    } catch (error) {
      if (isAppError(error, ErrorCodes.InputInvalid)) return answer(400, { code: error.code, message: error.message });
      if (isAppError(error, ErrorCodes.RateLimited)) return answer(429, { code: error.code, message: error.message }, { 'Retry-After': String(error.retryAfterSeconds ?? 1) });
      const { code } = describeError(error);
      logger.error({ err: describeError(error), keyId }, 'incident intake failed');
      return answer(code.startsWith('STORAGE') ? 503 : 500, { code, message: 'The incident could not be stored. Try again later.' });
    }
  });
}
