import type { RequestHandler } from 'restify';
import type { Logger } from '../app/ports';
import { refuse } from './json-body';

/**
 * Local mode (no BOT_ID) has no incoming authentication: the loopback bind keeps other machines
 * out, and this guard keeps out web pages in the developer's own browser.
 * - The Host header must name a loopback host (127.0.0.1, localhost, [::1]) and the port the
 *   request came in on. A DNS-rebinding page reaches 127.0.0.1 under its own name
 *   (evil.example:3978), so it is refused: 421 HOST_NOT_ALLOWED (this server is not
 *   authoritative for that name).
 * - A request sent by a web page (it carries an Origin header) is accepted only from a loopback
 *   origin: 403 ORIGIN_NOT_ALLOWED otherwise. Browsers send Origin on every cross-origin POST.
 */

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `host[:port]` of a Host header, split; undefined for anything else. */
function parseHost(value: string): { host: string; port?: number } | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(value.trim());
  if (!match) return undefined;
  return { host: (match[1] as string).toLowerCase(), ...(match[2] === undefined ? {} : { port: Number(match[2]) }) };
}

export function isLoopbackHost(value: string | undefined, localPort: number | undefined): boolean {
  if (value === undefined) return false;
  const parsed = parseHost(value);
  if (parsed === undefined || !LOOPBACK.has(parsed.host)) return false;
  return (parsed.port ?? 80) === localPort;
}

function isLoopbackOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK.has(url.hostname.toLowerCase());
  } catch {
    return false; // "null" (sandboxed frames, file://) and garbage
  }
}

export function loopbackGuard(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const host = req.headers.host;
    if (!isLoopbackHost(host, req.socket.localPort)) {
      logger.warn({ host: String(host).slice(0, 100), path: req.path() }, 'local mode: request for a host that is not this loopback server refused');
      refuse(res, { status: 421, code: 'HOST_NOT_ALLOWED', message: 'In local mode only 127.0.0.1, localhost and [::1] on this port are served.' });
      next(false);
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !isLoopbackOrigin(origin)) {
      logger.warn({ origin: origin.slice(0, 100), path: req.path() }, 'local mode: request from a web page on another origin refused');
      refuse(res, { status: 403, code: 'ORIGIN_NOT_ALLOWED', message: 'In local mode only pages on loopback origins may call the bot.' });
      next(false);
      return;
    }
    next();
  };
}
