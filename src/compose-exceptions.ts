import type { BackgroundTasks } from './app/background';
import { createClosures } from './app/closures';
import { createDownloadLinks } from './app/download-links';
import { createExceptionEffects } from './app/exception-effects';
import { auditCsv, exportFilename, requestsCsv } from './app/exception-export';
import { createDirectory, createExceptionMessages } from './app/exception-views';
import { createExceptions } from './app/exceptions';
import type { Logger, Messenger, Outbox } from './app/ports';
import { createSla } from './app/sla';
import type { ExceptionFeature } from './bot/deps';
import type { Config } from './config';
import { adminSet, isAdmin } from './domain/authorization';
import type { Clock } from './domain/clock';
import { AppError, ErrorCodes, describeError } from './domain/errors';
import { canonicalId } from './domain/principal';
import { exclusivePerInterval } from './jobs/exclusive';
import type { Storage } from './storage';
import type { RecordAdminAction } from './app/admin-audit';

/** The technical-exception workflow wired from its parts: use cases, effects, SLA sweep, CSV exports. */
export function composeExceptions(parts: {
  config: Config;
  storage: Storage;
  messenger: Messenger;
  outbox: Outbox;
  background: BackgroundTasks;
  clock: Clock;
  logger: Logger;
  instanceId: string;
  /** Live roles (id lists plus Entra groups); default: the configured id lists. */
  roles?: { admins: ReadonlySet<string>; approvers: ReadonlySet<string> };
  /** The admin audit: each download through a link is recorded. */
  audit?: RecordAdminAction;
}) {
  const { config, storage, messenger, outbox, background, clock, logger } = parts;
  const tenantId = config.partnerCenter.tenantId;
  const admins = parts.roles?.admins ?? adminSet(config.adminAadObjectIds);
  const approvers = parts.roles?.approvers ?? adminSet(config.approverAadObjectIds);
  const directory = createDirectory({ tenantId, contacts: storage.contacts, principals: storage.principals });
  const messages = createExceptionMessages({ directory, timezoneOf: async (id) => (await storage.contacts.get(tenantId, id))?.timezone ?? config.defaultTimezone });
  const effects = createExceptionEffects({
    tenantId,
    approverIds: approvers,
    adminIds: admins,
    store: storage.exceptions,
    settings: storage.settings,
    contacts: storage.contacts,
    messenger,
    outbox,
    messages,
    logger,
  });
  const exceptions = createExceptions({
    store: storage.exceptions,
    adminIds: admins,
    approverIds: approvers,
    clock,
    logger,
    // After the turn: approval cards, the requester told, the pack to the admins. A failure is logged, never lost silently.
    onChange: (change) =>
      background.run(`exception ${change.audit.action}`, async () => {
        try {
          await effects(change);
        } catch (error) {
          logger.error({ requestId: change.after.id, action: change.audit.action, err: describeError(error) }, 'exception follow-up messages failed');
        }
      }),
  });
  const sla = createSla({
    tenantId,
    store: storage.exceptions,
    settings: storage.settings,
    calendar: config.businessCalendar,
    adminIds: admins,
    outbox,
    announcement: (request, status, audience) => messages.slaAnnouncement(request, status, audience),
    clock,
    logger,
  });
  const links = createDownloadLinks({ encryptionKey: config.tokenEncryptionKey, clock });
  let listeningAt = '';

  const feature: ExceptionFeature = {
    exceptions,
    sla,
    closures: createClosures({ settings: storage.settings, calendar: config.businessCalendar }),
    directory,
    settings: storage.settings,
    links,
    publicBaseUrl: () => config.publicBaseUrl ?? listeningAt,
  };

  /** GET /exports/:token — the link is a 15-minute bearer token; its admin is checked again now. */
  const exports = async (token: string) => {
    const { kind, actor } = links.verify(token);
    if (!isAdmin(canonicalId(actor), admins)) throw new AppError(ErrorCodes.NotAdmin, 'This link was made for someone who is no longer an admin.', { expected: true });
    const now = clock.now();
    const csv = kind === 'requests' ? requestsCsv(await storage.exceptions.listAll(), { calendar: await sla.calendar(), now }) : auditCsv(await storage.exceptions.listAudit());
    logger.info({ actor, kind }, 'exception export downloaded');
    const filename = exportFilename(kind, now);
    await parts.audit?.({ actorId: actor, action: 'export.download', channel: 'link', target: filename, note: kind });
    return { filename, csv };
  };

  const sweepSla = exclusivePerInterval({
    name: 'sla-sweep',
    intervalMs: config.sweeps.slaMinutes * 60_000,
    leases: storage.leases,
    clock,
    logger,
    instanceId: parts.instanceId,
    run: () => sla.sweep(),
  });

  /** Where the server listens, for links when PUBLIC_BASE_URL is not set (local runs). */
  const listening = (url: string) => {
    listeningAt = url.replace(/\/+$/, '');
  };

  return { feature, exports, sweepSla, listening };
}
