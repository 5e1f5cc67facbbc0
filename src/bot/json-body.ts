import type { Request, RequestHandler, Response } from 'restify';

/**
 * The one body reader of the HTTP edge, for every POST route: JSON only, read into memory under
 * one size limit and one deadline, never written to disk, never decompressed. restify's bodyParser
 * is not used: it reads form posts and multipart uploads too (to temp files, past its size limit)
 * and its gunzip stream has no error listener, so one bad gzip body killed the process.
 *
 * Refusals (always before any route logic runs, with `Connection: close` so an unread body does
 * not stay on the connection):
 * - 415 UNSUPPORTED_MEDIA_TYPE: a content type other than application/json (form posts,
 *   multipart, text/plain…), or a charset other than UTF-8;
 * - 415 ENCODING_NOT_ACCEPTED: any Content-Encoding but identity (the Bot Connector does not
 *   compress requests, and a decoder is a decompression bomb waiting to happen);
 * - 413 BODY_TOO_LARGE: over `maxBytes`, declared or counted (chunked bodies are counted);
 * - 408 BODY_TIMEOUT: the whole body did not arrive within `timeoutMs` of the request (slow clients);
 * - 400 INVALID_JSON: not UTF-8, not JSON, truncated, nested deeper than `maxDepth`, or not an object.
 */

export interface JsonBodyLimits {
  /** Largest body accepted, in bytes (every content type is refused or held to this). */
  maxBytes: number;
  /** How long the whole body may take to arrive, in milliseconds. */
  timeoutMs: number;
  /** Deepest nesting of arrays and objects accepted. */
  maxDepth: number;
}

/** Teams activities are a few kB; 1 MiB leaves room for big card submits and never strains memory. */
export const DEFAULT_JSON_BODY_LIMITS: JsonBodyLimits = { maxBytes: 1024 * 1024, timeoutMs: 10_000, maxDepth: 64 };

export const EdgeCodes = {
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  EncodingNotAccepted: 'ENCODING_NOT_ACCEPTED',
  BodyTooLarge: 'BODY_TOO_LARGE',
  BodyTimeout: 'BODY_TIMEOUT',
  InvalidJson: 'INVALID_JSON',
} as const;

export interface EdgeRefusal {
  status: number;
  code: string;
  message: string;
}

/** Answer a refusal: JSON `{ code, message }`, the connection closed afterwards. */
export function refuse(res: Response, refusal: EdgeRefusal): void {
  if (res.headersSent) return;
  res.header('Connection', 'close');
  res.status(refusal.status);
  res.json({ code: refusal.code, message: refusal.message });
}

function contentTypeRefusal(req: Request): EdgeRefusal | undefined {
  const header = req.headers['content-type'] ?? '';
  const [type = '', ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') {
    return { status: 415, code: EdgeCodes.UnsupportedMediaType, message: 'Only application/json is accepted.' };
  }
  for (const param of params) {
    const [key, value = ''] = param.split('=').map((p) => p.trim());
    if (key === 'charset' && !['utf-8', 'utf8', '"utf-8"'].includes(value)) {
      return { status: 415, code: EdgeCodes.UnsupportedMediaType, message: 'Only UTF-8 JSON is accepted.' };
    }
  }
  const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity') {
    return { status: 415, code: EdgeCodes.EncodingNotAccepted, message: 'Content-Encoding is not accepted; send the body uncompressed.' };
  }
  return undefined;
}

function tooLarge(maxBytes: number): EdgeRefusal {
  return { status: 413, code: EdgeCodes.BodyTooLarge, message: `The body is larger than ${maxBytes} bytes.` };
}

type Outcome<T> = { ok: true; value: T } | { ok: false; refusal: EdgeRefusal };
const refused = (refusal: EdgeRefusal): { ok: false; refusal: EdgeRefusal } => ({ ok: false, refusal });

/** Read the raw body under the limits; a refusal when they are broken or the client goes away. */
function readBody(req: Request, limits: JsonBodyLimits): Promise<Outcome<Buffer>> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limits.maxBytes) return Promise.resolve(refused(tooLarge(limits.maxBytes)));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: Outcome<Buffer>) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) {
        finish(refused(tooLarge(limits.maxBytes)));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, value: Buffer.concat(chunks, size) });
    const onError = () => finish(refused({ status: 400, code: EdgeCodes.InvalidJson, message: 'The body could not be read.' }));
    const onClose = () => finish(refused({ status: 400, code: EdgeCodes.InvalidJson, message: 'The client closed the request before its body ended.' }));
    const timer = setTimeout(
      () => finish(refused({ status: 408, code: EdgeCodes.BodyTimeout, message: `The body did not arrive within ${limits.timeoutMs} ms.` })),
      limits.timeoutMs,
    );
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Nesting depth of a JSON text (brackets outside strings), stopping as soon as it passes `max`. */
function deeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return false;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parse a raw body as one JSON object; a refusal otherwise. */
export function parseJsonObject(raw: Buffer, maxDepth: number): Outcome<Record<string, unknown>> {
  const invalid = (message: string) => refused({ status: 400, code: EdgeCodes.InvalidJson, message });
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return invalid('The body is not valid UTF-8.');
  }
  if (deeperThan(text, maxDepth)) return invalid(`The JSON is nested deeper than ${maxDepth} levels.`);
  let value: unknown;
  try {
    // A "__proto__" key would become an object's prototype wherever the body is merged: refused.
    value = text.includes('__proto__')
      ? JSON.parse(text, (key, v: unknown) => {
          if (key === '__proto__') throw new SyntaxError('__proto__');
          return v;
        })
      : JSON.parse(text);
  } catch {
    return invalid('The body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid('The body must be a JSON object.');
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * A restify handler for POST routes: sets `req.body` to the parsed JSON object, or answers the
 * refusal and stops the chain. Use it first in every POST route: `server.post(path, jsonBody(), handler)`.
 */
export function jsonBody(limits: Partial<JsonBodyLimits> = {}): RequestHandler {
  const l = { ...DEFAULT_JSON_BODY_LIMITS, ...limits };
  return (req, res, next) => {
    const wrongType = contentTypeRefusal(req);
    if (wrongType !== undefined) {
      refuse(res, wrongType);
      next(false);
      return;
    }
    void readBody(req, l).then((raw) => {
      const parsed = raw.ok ? parseJsonObject(raw.value, l.maxDepth) : raw;
      if (!parsed.ok) {
        refuse(res, parsed.refusal);
        next(false);
        return;
      }
      req.body = parsed.value;
      next();
    });
  };
}
