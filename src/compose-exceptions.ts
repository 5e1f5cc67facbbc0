import type { BackgroundTasks } from './app/background';
import { createClosures } from './app/closures';
import { createDownloadLinks, downloadLinkRefusal } from './app/download-links';
import { createExceptionEffects } from './app/exception-effects';
import { createExceptionExpiry } from './app/exception-expiry';
import { createExceptionFollowUps } from './app/exception-follow-ups';
import { auditCsv, exportFilename, requestsCsv } from './app/exception-export';
import { createDirectory, createExceptionMessages } from './app/exception-views';
import { createExceptions } from './app/exceptions';
import { createExceptionWorkflow } from './app/exception-workflow';
import type { Logger, Messenger, Metrics, Outbox, OutboxStore } from './app/ports';
import { createSla } from './app/sla';
import { withLease } from './app/with-lease';
import type { Config } from './config';
import { adminSet, isAdmin } from './domain/authorization';
import type { Clock } from './domain/clock';
import type { OutboxRecord } from './domain/outbox';
import { AppError, ErrorCodes } from './domain/errors';
import { canonicalId } from './domain/principal';
import type { Storage } from './storage';
import type { RecordAdminAction } from './app/admin-audit';

/** The technical-exception workflow wired from its parts: use cases, effects, SLA sweep, CSV exports. */
export function composeExceptions(parts: {
  config: Config;
  storage: Storage;
  messenger: Messenger;
  outbox: Outbox;
  /** The outbox ledger: approval cards' activity ids, should the hook after their send not have recorded one. */
  outboxLedger?: Pick<OutboxStore, 'get'>;
  background: BackgroundTasks;
  clock: Clock;
  logger: Logger;
  instanceId: string;
  metrics?: Pick<Metrics, 'slaBreached'>;
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
  const partner = { tenantId, ...(config.partnerId ? { partnerId: config.partnerId } : {}) };
  const messages = createExceptionMessages({ directory, partner, timezoneOf: async (id) => (await storage.contacts.get(tenantId, id))?.timezone ?? config.defaultTimezone, calendarZone: config.businessCalendar.zone });
  const effects = createExceptionEffects({
    tenantId,
    approverIds: approvers,
    adminIds: admins,
    store: storage.exceptions,
    settings: storage.settings,
    contacts: storage.contacts,
    messenger,
    outbox,
    ledger: parts.outboxLedger,
    messages,
    logger,
  });
  const followUps = createExceptionFollowUps({ store: storage.exceptions, effects, background, logger });
  const exceptions = createExceptions({
    store: storage.exceptions,
    adminIds: admins,
    approverIds: approvers,
    approvalsRequired: config.exceptionApprovalsRequired,
    clock,
    logger,
    // What a change owes is stored with it; this runs it at once (the sweep catches what a crash left).
    followUps,
  });
  const sla = createSla({
    tenantId,
    store: storage.exceptions,
    settings: storage.settings,
    calendar: config.businessCalendar,
    deadlines: config.exceptionDeadlines,
    adminIds: admins,
    approverIds: approvers,
    outbox,
    announcement: (request, status, audience) => messages.slaAnnouncement(request, status, audience),
    reminder: (request, clock, reminder) => messages.deadlineReminder(request, clock, reminder),
    clock,
    logger,
  });
  const expiry = createExceptionExpiry({
    tenantId,
    store: storage.exceptions,
    calendar: () => sla.calendar(),
    adminIds: config.adminAadObjectIds,
    outbox,
    notice: (request, notice, audience) => messages.expiryNotice(request, notice, audience),
    clock,
    logger,
  });
  const links = createDownloadLinks({ encryptionKey: config.tokenEncryptionKey, previousKeys: config.previousTokenEncryptionKeys, clock });
  let listeningAt = '';

  const feature = createExceptionWorkflow({
    exceptions,
    sla,
    closures: createClosures({ settings: storage.settings, calendar: config.businessCalendar }),
    directory,
    settings: storage.settings,
    links,
    publicBaseUrl: () => config.publicBaseUrl ?? listeningAt,
    upnOf: async (id) => (await storage.principals.get(tenantId, id))?.upn,
    partner,
    clock,
    logger,
    audit: parts.audit,
  });

  /**
   * GET /exports/:token — the link is a 5-minute, single-use bearer token; its admin is checked
   * again now, then its nonce is recorded (the first download wins, every other gets 410).
   */
  const exports = async (token: string) => {
    const { kind, actor, exp, n } = links.verify(token);
    if (!isAdmin(canonicalId(actor), admins)) throw new AppError(ErrorCodes.NotAdmin, 'This link was made for someone who is no longer an admin.', { expected: true });
    const now = clock.now();
    if ((await storage.usedLinks.use(n, now, new Date(exp))) === 'used') {
      logger.warn({ actor, kind }, 'export link used a second time');
      throw downloadLinkRefusal('used');
    }
    const csv = kind === 'requests' ? requestsCsv(await storage.exceptions.listAll(), { calendar: await sla.calendar(), now }) : auditCsv(await storage.exceptions.listAudit());
    logger.info({ actor, kind }, 'exception export downloaded');
    const filename = exportFilename(kind, now);
    await parts.audit?.({ actorId: actor, action: 'export.download', channel: 'link', target: filename, note: kind });
    return { filename, csv };
  };

  /**
   * Once per interval across instances: every instance schedules it, the first to take the lease
   * runs it. Microsoft's answers and the partner's deadlines due, then the granted exceptions about
   * to end (each sweep is harmless to repeat).
   */
  const sweepSla = () =>
    withLease({ leases: storage.leases, clock, logger }, { name: 'sla-sweep', instanceId: parts.instanceId, hold: { forInterval: { intervalMs: config.sweeps.slaMinutes * 60_000 } } }, async () => {
      const result = await sla.sweep();
      for (const { state } of result.announced) if (state === 'breached') parts.metrics?.slaBreached();
      return { sla: result, expiry: await expiry.sweep() };
    });

  /** Where the server listens, for links when PUBLIC_BASE_URL is not set (local runs). */
  const listening = (url: string) => {
    listeningAt = url.replace(/\/+$/, '');
  };

  return {
    feature,
    /** The SLA clocks (the Compliance tab's exception board reads them). */
    sla,
    /** Who may approve, read live (roles from Entra groups change without a restart). */
    isApprover: (aadObjectId: string) => exceptions.isApprover(aadObjectId),
    exports,
    sweepSla,
    /** The notices before and at the end of granted exceptions (also run with each SLA sweep). */
    sweepExpiry: () => expiry.sweep(),
    /** Run every follow-up still owed: at start, then on the schedule. */
    sweepFollowUps: () => followUps.sweep(),
    /** The outbox's hook after each send: approval cards' activity ids. */
    afterSend: (record: OutboxRecord) => effects.recordApprovalCard(record),
    listening,
  };
}
