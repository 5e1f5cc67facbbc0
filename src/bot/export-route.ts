import type restify from 'restify';
import { downloadLinkFailure } from '../app/download-links';
import type { Logger } from '../app/ports';
import { describeError, ErrorCodes, isAppError } from '../domain/errors';

/**
 * GET /exports/:token: the CSV behind a signed download link (see src/app/download-links.ts).
 * `exports` verifies the token, checks the actor and builds the file; this route only speaks HTTP:
 * 200 text/csv as an attachment, never cached; 403 for a forged link or an actor who may not
 * export; 410 for an expired or already used one; 500 otherwise. Error bodies are short plain text for a browser.
 */

export type ExportsHandler = (token: string) => Promise<{ filename: string; csv: string }>;

const TEXT = 'text/plain; charset=utf-8';

/** Only a plain file name goes into the header (no quotes, no line breaks, no paths). */
function safeFilename(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  return cleaned === '' ? 'export.csv' : cleaned;
}

function refusal(error: unknown): { status: number; text: string } | undefined {
  const reason = downloadLinkFailure(error);
  if (reason === 'expired') return { status: 410, text: 'This download link has expired. Ask MFA Shepherd in Teams for a new one.\n' };
  if (reason === 'used') return { status: 410, text: 'This download link was already used: each link works once. Ask MFA Shepherd in Teams for a new one.\n' };
  if (reason === 'invalid') return { status: 403, text: 'This download link is not valid.\n' };
  if (isAppError(error, ErrorCodes.NotAdmin)) return { status: 403, text: 'Only MFA Shepherd admins can download this export.\n' };
  return undefined;
}

export function registerExportRoute(server: restify.Server, exports: ExportsHandler, logger: Logger): void {
  server.get('/exports/:token', async (req, res) => {
    const params: unknown = req.params;
    const raw = typeof params === 'object' && params !== null ? (params as Record<string, unknown>)['token'] : undefined;
    const token = typeof raw === 'string' ? raw : '';
    const noStore = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
    try {
      const file = await exports(token);
      res.sendRaw(200, file.csv, {
        ...noStore,
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${safeFilename(file.filename)}"`,
      });
    } catch (error) {
      const refused = refusal(error);
      if (refused !== undefined) {
        logger.info({ err: describeError(error), status: refused.status }, 'export download refused');
        res.sendRaw(refused.status, refused.text, { ...noStore, 'Content-Type': TEXT });
        return;
      }
      logger.error({ err: describeError(error) }, 'export download failed');
      res.sendRaw(500, 'The export could not be created. Try again later.\n', { ...noStore, 'Content-Type': TEXT });
    }
  });
}
