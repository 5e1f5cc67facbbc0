import type { BackgroundTasks } from '../app/background';
import type { ConnectPartnerCenter } from '../app/connect-partner-center';
import type { Notices } from '../app/notices';
import type { NudgeActions } from '../app/nudge-actions';
import type { ActivityDeduplicator, ContactStore, Logger, Messenger } from '../app/ports';
import type { StatusQueries } from '../app/status-queries';
import type { SyncPrincipals } from '../app/sync-principals';
import type { VerifyRegistration } from '../app/verify-registration';
import type { Clock } from '../domain/clock';
import type { Closures } from '../app/closures';
import type { DownloadLinks } from '../app/download-links';
import type { Exceptions } from '../app/exceptions';
import type { Directory } from '../app/exception-views';
import type { SettingsStore } from '../app/ports';
import type { Sla } from '../app/sla';
import type { RecordAdminAction } from '../app/admin-audit';

/** The technical-exception workflow's use cases, for the bot's routes. */
export interface ExceptionFeature {
  exceptions: Exceptions;
  sla: Sla;
  closures: Closures;
  directory: Directory;
  settings: SettingsStore;
  links: DownloadLinks;
  /** Base of the bot's own links (PUBLIC_BASE_URL, else where it listens). */
  publicBaseUrl: () => string;
}

/** Everything the bot's routes use: use cases and a few stores, no SDK. */
export interface BotDeps {
  tenantId: string;
  adminIds: ReadonlySet<string>;
  links: { mfaSetup: string; securityInfo: string };
  defaultTimezone: string;
  clock: Clock;
  logger: Logger;
  background: BackgroundTasks;
  dedup: ActivityDeduplicator;
  contacts: ContactStore;
  messenger: Messenger;
  notices: Notices;
  verifyRegistration: VerifyRegistration;
  status: StatusQueries;
  syncPrincipals: SyncPrincipals;
  connectPartnerCenter: ConnectPartnerCenter;
  /** How long a turn may wait for a remote answer (Graph) before replying "later": under Teams' 15 s. */
  interactiveDeadlineMs: number;
  exceptions: ExceptionFeature;
  /** After a successful sync (scheduled or asked for): first notices to the newly listed. */
  afterSync: () => Promise<void>;
  /** Snooze, the `nudges` overview and the global pause. */
  nudges: NudgeActions;
  /** The admin audit (connect, sync now, pause/resume, closures, channels, exports); absent in tests that do not wire it. */
  audit?: RecordAdminAction;
}
