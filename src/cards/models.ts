import type { SyncCounts } from '../domain/sync';

/**
 * One data model per card. Texts named `…Text` are already formatted for the reader (for times:
 * `formatInstant` in the user's zone). Every string from a user, Partner Center or Graph is escaped
 * and clipped by the card's render function, so callers pass raw values.
 */

/** The 1:1 notice sent when Partner Center lists a user (once per episode). */
export interface FirstNoticeModel {
  displayName: string;
  upn: string;
  /**
   * The last non-MFA request, formatted in the user's zone. Empty when we do not know the zone
   * yet: the card then lets the Teams client render `lastNonMfaIso` in the reader's own zone.
   */
  lastNonMfaText: string;
  /** The same instant as ISO 8601 UTC (shown small, for support). */
  lastNonMfaIso: string;
  /** Non-MFA requests Partner Center recorded for the user in its window. */
  recordCount: number;
  /** Partner Center's window, in days (7). */
  windowDays: number;
  /** True when the user was compliant and Partner Center lists new non-MFA requests (a new episode). */
  reappeared: boolean;
  /** Apps (from the integration inventory) whose recent non-MFA requests ran as the user; at most 3 shown. */
  integrations?: IntegrationMentionModel[];
}

/** An app that called Partner Center without MFA as a user, as a notice or the admin's view names it. */
export interface IntegrationMentionModel {
  /** The app's name as Partner Center or an admin gave it: outside text. */
  name: string;
  /** Partner Center's application id; absent for an integration added by hand. */
  applicationId?: string;
  /** Non-MFA requests made as the user in Partner Center's latest window. */
  nonMfaCount: number;
}

export type WalkthroughStep = 1 | 2 | 3;

export interface WalkthroughModel {
  step: WalkthroughStep;
  /** The user's federated domain: MFA happens at their identity provider (its own path). */
  federatedDomain?: string;
  /** Where to register MFA (https://aka.ms/mfasetup). */
  mfaSetupUrl: string;
  /** Where to review sign-in methods (https://mysignins.microsoft.com/security-info). */
  securityInfoUrl: string;
}

export type CardComplianceStatus = 'nonCompliant' | 'verificationPending' | 'compliant';
export type VerificationCardOutcome = 'registered' | 'notRegistered' | 'unavailable';
/**
 * Why the registration report could not be used. With `notPremium` and an outcome other than
 * `unavailable`, the sign-in methods fallback gave the answer; with `unavailable`, it failed too.
 */
export type VerificationUnavailableReason = 'notPremium' | 'forbidden' | 'graphDown' | 'notFound';

export interface VerificationResultModel {
  outcome: VerificationCardOutcome;
  reason?: VerificationUnavailableReason;
  /** Human labels of the registered methods, e.g. "Microsoft Authenticator". */
  methods: string[];
  /** When Graph was asked, formatted in the user's zone. */
  checkedAtText: string;
  /** The user's status after the check was recorded. */
  status: CardComplianceStatus;
  /** The last non-MFA request Partner Center listed, formatted ('' when unknown). */
  lastNonMfaText: string;
  /** The check was started by "I already use MFA". */
  fromAlreadyMfa: boolean;
  mfaSetupUrl: string;
  /** What the user's recent sign-ins showed; absent when they were not read. */
  signIns?: SignInCardModel;
  /** The user's federated domain: MFA happens at their identity provider. */
  federatedDomain?: string;
}

/** The sign-in finding, times already formatted in the reader's zone. */
export type SignInCardModel =
  | { kind: 'mfaPerformed'; atText: string; app: string; method?: string }
  | { kind: 'mfaFromToken'; atText: string; app: string }
  | { kind: 'mfaFromProvider'; atText: string; app: string }
  | { kind: 'singleFactor'; count: number; lastAtText: string; apps: string[]; lastMfaAtText?: string }
  | { kind: 'noSignIns'; sinceText: string }
  | { kind: 'unavailable'; reason: 'notPremium' | 'other' };

export interface WhyModel {
  mfaSetupUrl: string;
}

export type UserStatusCardStatus = CardComplianceStatus | 'notListed';

export interface UserStatusModel {
  displayName: string;
  status: UserStatusCardStatus;
  /** The last non-MFA request, formatted. */
  lastNonMfaText?: string;
  /** When Graph last checked the MFA registration, formatted: a time, never a sentence. */
  verificationText?: string;
  /** What that check found (default 'registered'). */
  /** `mfaSignIn`: a recent sign-in carried MFA (the strongest evidence); else what the registration check found. */
  verificationOutcome?: 'mfaSignIn' | 'registered' | 'notRegistered' | 'unavailable';
  /** When the user became compliant, formatted. */
  resolvedText?: string;
}

export interface UnreachableUserModel {
  upn: string;
  /** Human text, e.g. from `describeUnreachable`. */
  reason: string;
  sinceText: string;
  /** Apps whose recent non-MFA requests ran as the user (the admin sees why the account is listed). */
  integrations?: IntegrationMentionModel[];
}

export interface LastSyncModel {
  atText: string;
  /** A SyncOutcome code ('succeeded', 'mfaRequired', …) or a human label. */
  outcome: string;
  outcomeOk: boolean;
  records: number;
  correlationId: string;
  errorMessage?: string;
}

export interface BotTokenModel {
  connected: boolean;
  /** Whether the bot's Partner Center token carries the MFA claim; undefined when not known. */
  hasMfa?: boolean;
  /** The admin agent account the connection was made with. */
  account?: string;
  /** Partner Center's own `isMfaCompliant` answer, when it gave one. */
  partnerCenterSaysCompliant?: boolean;
  /** The stored sign-in exists but syncs fail until an admin reconnects: since when, and why. */
  reconnect?: { sinceText: string; reason: string };
}

export interface AdminSummaryModel {
  /** Per day, oldest first: drawn as an Adaptive Card chart (Chart.Line) with a text fallback. */
  trend?: { day: string; nonCompliant: number; new: number; resolved: number }[];
  nonCompliantNow: number;
  newSinceLastSync: number;
  resolvedLastSync: number;
  verificationPending: number;
  /** At most 10 are shown, then "and N more" (N from `unreachableTotal`). */
  unreachable: UnreachableUserModel[];
  unreachableTotal: number;
  lastSync?: LastSyncModel;
  botToken: BotTokenModel;
  nextSyncText?: string;
}

export type ReconnectReason = 'mfaRequired' | 'notConnected' | 'tokenWithoutMfa';

export interface ReconnectAlertModel {
  reason: ReconnectReason;
  /** When the sync stopped, formatted. */
  atText: string;
  correlationId?: string;
  /** Partner Center's or the identity platform's own words, if any. */
  detail?: string;
}

export interface DeviceCodeModel {
  userCode: string;
  verificationUri: string;
  /** When the code expires, formatted (e.g. "at 14:20 CET" or "Sun 22 Nov 2026, 14:20 CET"). */
  expiresText: string;
}

export interface ConnectResultModel {
  ok: boolean;
  hasMfa: boolean;
  account?: string;
  message: string;
}

/** The counts of a sync run (all zero when it failed before counting). */
export interface SyncResultModel extends SyncCounts {
  /** A SyncOutcome code ('succeeded', 'mfaRequired', …) or a human label. */
  outcome: string;
  outcomeOk: boolean;
  durationText: string;
  correlationId: string;
  errorMessage?: string;
}

export interface HelpModel {
  isAdmin: boolean;
}

export interface ErrorModel {
  title: string;
  message: string;
  /** A stable error code (shown small, so support can match logs). */
  code?: string;
  correlationId?: string;
}

export interface WelcomeModel {
  displayName: string;
}

/** A reminder to a non-compliant user, with the snooze choice while snoozes are left. */
export interface NudgeReminderModel {
  displayName: string;
  upn: string;
  reminderNumber: number;
  maxReminders: number;
  /** Since when Partner Center lists them (the episode start), formatted in the user's zone. */
  sinceText: string;
  snoozesLeft: number;
  maxSnoozeDays: number;
  /** Who is brought in next, e.g. "your manager" or "the security admins"; '' when the policy has no escalation. */
  escalationText: string;
}

export interface NudgeSnoozedModel {
  untilText: string;
  snoozesLeft: number;
  escalationText: string;
}

export interface NudgeManagerModel {
  reportName: string;
  reportUpn: string;
  sinceText: string;
  remindersSent: number;
}

export interface NudgeAdminsModel {
  /** 'escalation': every automatic step is done; 'blocked': the user blocked the bot. */
  kind: 'escalation' | 'blocked';
  displayName: string;
  upn: string;
  sinceText: string;
  remindersSent: number;
  /** Steps so far, oldest first, e.g. { atText: 'Mon 2 Mar 2026, 10:00 CET', stepText: 'Reminder 1' }. */
  history: { atText: string; stepText: string }[];
}

export interface NudgeOverviewRow {
  upn: string;
  whatText: string;
  whenText: string;
}

export interface NudgeOverviewModel {
  paused: boolean;
  pausedByText: string;
  pausedAtText: string;
  /** At most NUDGE_ROWS_SHOWN are shown, then "and N more". */
  rows: NudgeOverviewRow[];
  rowsTotal: number;
  total: number;
  dueNow: number;
  scheduled: number;
  stopped: number;
  zoneText: string;
}
