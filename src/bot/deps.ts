import type { BackgroundTasks } from '../app/background';
import type { CommandLimits } from '../app/command-limits';
import type { ConnectPartnerCenter } from '../app/connect-partner-center';
import type { Notices } from '../app/notices';
import type { NudgeActions } from '../app/nudge-actions';
import type { ActivityDeduplicator, ContactStore, Logger, Messenger } from '../app/ports';
import type { StatusQueries } from '../app/status-queries';
import type { SyncPrincipals } from '../app/sync-principals';
import type { VerifyRegistration } from '../app/verify-registration';
import type { FederationCheck } from '../app/federation';
import type { Clock } from '../domain/clock';
import type { ExceptionWorkflow } from '../app/exception-workflow';
import type { IntegrationFeature } from './integration-handlers';
import type { RecordAdminAction } from '../app/admin-audit';

/** Everything the bot's routes use: use cases and a few stores, no SDK. */
export interface BotDeps {
  tenantId: string;
  /** This process's boot id: owner of the activity claims it takes. */
  instanceId: string;
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
  /** Whether a user's domain is federated (MFA at their identity provider). */
  federation: Pick<FederationCheck, 'federatedDomainOf'>;
  status: StatusQueries;
  syncPrincipals: SyncPrincipals;
  connectPartnerCenter: ConnectPartnerCenter;
  /** How long a turn may wait for a remote answer (Graph) before replying "later": under Teams' 15 s. */
  interactiveDeadlineMs: number;
  /** The technical-exception workflow's use cases. */
  exceptions: ExceptionWorkflow;
  /** After a successful sync (scheduled or asked for): first notices to the newly listed. */
  afterSync: () => Promise<void>;
  /** Snooze, the `nudges` overview and the global pause. */
  nudges: NudgeActions;
  /** Per-user limits on expensive commands (sync now, export, the registration check). */
  commandLimits: CommandLimits;
  /** The integration watch (inventory, playbooks, incidents, connection check). */
  integrations?: IntegrationFeature;
  /** The admin audit (connect, sync now, pause/resume, closures, channels, exports); absent in tests that do not wire it. */
  audit?: RecordAdminAction;
}
