/**
 * Domain state → card models. One place that decides what people read; the cards decide how it looks.
 */
import {
  adminSummaryCard,
  describeSyncOutcome,
  errorCard,
  connectResultCard,
  deviceCodeCard,
  firstNoticeCard,
  formatInstant,
  reconnectAlertCard,
  syncResultCard,
  userStatusCard,
  verificationResultCard,
} from '../cards';
import type { AdaptiveCard } from '../cards';
import type { IntegrationMentionModel, SignInCardModel } from '../cards';
import type { UserIntegration } from '../domain/integrations';
import type { Principal, Verification } from '../domain/compliance';
import { confirmsMfa, type SignInFinding } from '../domain/verification';
import type { SyncRun } from '../domain/sync-run';
import { ErrorCodes } from '../domain/errors';
import type { ConnectOutcome } from './connect-partner-center';
import type { AdminSummary } from './status-queries';
import type { DeviceCodePrompt, OutboundMessage } from './ports';
import { methodLabel } from './verify-registration';


/** `timezone` undefined: the user's zone is not known yet, so the Teams client renders the time. */
/** `integrations`: the apps whose recent non-MFA requests ran as the user; the card names them. */
export function firstNoticeMessage(p: Principal, timezone: string | undefined, displayName?: string, integrations: readonly UserIntegration[] = []): OutboundMessage {
  return {
    text: `Partner Center saw a sign-in or API call from you without MFA (last: ${formatInstant(p.lastNonMfaAt, timezone ?? 'UTC')}). Please set up MFA.`,
    card: firstNoticeCard({
      displayName: displayName ?? '',
      upn: p.upn,
      lastNonMfaText: timezone ? formatInstant(p.lastNonMfaAt, timezone) : '',
      lastNonMfaIso: p.lastNonMfaAt.toISOString(),
      recordCount: p.recordCount,
      windowDays: 7,
      reappeared: p.episode > 1,
      integrations: integrations.map(integrationMention),
    }),
  };
}

export function verificationCard(
  result: { verification: Verification; principal?: Principal },
  options: { timezone: string; fromAlreadyMfa: boolean; mfaSetupUrl: string },
): AdaptiveCard {
  const { verification, principal } = result;
  // notPremium with an answer means the authentication-methods fallback answered.
  const reason =
    verification.errorCode === 'GRAPH_NOT_PREMIUM'
      ? 'notPremium'
      : verification.outcome !== 'unavailable'
        ? undefined
        : verification.errorCode === 'GRAPH_FORBIDDEN'
          ? 'forbidden'
          : verification.errorCode === 'GRAPH_NOT_FOUND'
            ? 'notFound'
            : 'graphDown';
  return verificationResultCard({
    outcome: verification.outcome,
    reason,
    methods: [...new Set(verification.methods.map(methodLabel))],
    checkedAtText: formatInstant(verification.checkedAt, options.timezone),
    status: principal?.status ?? 'compliant',
    lastNonMfaText: principal ? formatInstant(principal.lastNonMfaAt, options.timezone) : '',
    fromAlreadyMfa: options.fromAlreadyMfa,
    mfaSetupUrl: options.mfaSetupUrl,
    ...(verification.signIns === undefined ? {} : { signIns: signInCardModel(verification.signIns, options.timezone) }),
    ...(verification.federatedDomain === undefined ? {} : { federatedDomain: verification.federatedDomain }),
  });
}

/** The sign-in finding for the card, instants in the reader's zone. */
function signInCardModel(finding: SignInFinding, timezone: string): SignInCardModel {
  switch (finding.kind) {
    case 'mfaPerformed':
      return { kind: finding.kind, atText: formatInstant(finding.at, timezone), app: finding.app, ...(finding.method ? { method: finding.method } : {}) };
    case 'mfaFromToken':
    case 'mfaFromProvider':
      return { kind: finding.kind, atText: formatInstant(finding.at, timezone), app: finding.app };
    case 'singleFactor':
      return {
        kind: 'singleFactor',
        count: finding.count,
        lastAtText: formatInstant(finding.lastAt, timezone),
        apps: finding.apps,
        ...(finding.lastMfaAt ? { lastMfaAtText: formatInstant(finding.lastMfaAt, timezone) } : {}),
      };
    case 'noSignIns':
      return { kind: 'noSignIns', sinceText: formatInstant(finding.since, timezone) };
    case 'unavailable':
      return { kind: 'unavailable', reason: finding.errorCode === ErrorCodes.GraphNotPremium ? 'notPremium' : 'other' };
  }
}

export function userStatusMessageCard(displayName: string, principal: Principal | undefined, timezone: string): AdaptiveCard {
  if (!principal) return userStatusCard({ displayName, status: 'notListed' });
  const v = principal.lastVerification;
  return userStatusCard({
    displayName,
    status: principal.status,
    lastNonMfaText: formatInstant(principal.lastNonMfaAt, timezone),
    // The card says what the check found; the model carries only when, as a time.
    verificationText: v ? formatInstant(v.checkedAt, timezone) : undefined,
    verificationOutcome: v ? (confirmsMfa(v.signIns) ? 'mfaSignIn' : v.outcome) : undefined,
    resolvedText: principal.resolvedAt ? formatInstant(principal.resolvedAt, timezone) : undefined,
  });
}

function integrationMention(i: UserIntegration): IntegrationMentionModel {
  return { name: i.name, applicationId: i.applicationId, nonMfaCount: i.nonMfa };
}

export function adminSummaryMessageCard(summary: AdminSummary, timezone: string): AdaptiveCard {
  const last = summary.lastSync;
  return adminSummaryCard({
    ...(summary.trend ? { trend: summary.trend } : {}),
    nonCompliantNow: summary.nonCompliantNow,
    newSinceLastSync: summary.newSinceLastSync,
    resolvedLastSync: summary.resolvedLastSync,
    verificationPending: summary.verificationPending,
    unreachable: summary.unreachable.slice(0, 10).map((u) => ({ upn: u.upn, reason: u.reason, sinceText: formatInstant(u.since, timezone), integrations: (u.integrations ?? []).map(integrationMention) })),
    unreachableTotal: summary.unreachable.length,
    lastSync: last
      ? {
          atText: formatInstant(last.finishedAt, timezone),
          outcome: last.outcome,
          outcomeOk: last.outcome === 'succeeded',
          records: last.counts?.records ?? 0,
          correlationId: last.correlationId,
          errorMessage: last.errorMessage,
        }
      : undefined,
    botToken: {
      connected: summary.connection.connected,
      hasMfa: summary.connection.tokenHasMfa,
      account: summary.connection.account,
      partnerCenterSaysCompliant: summary.connection.partnerCenterSaysCompliant,
      ...(summary.connection.reconnectNeeded
        ? {
            reconnect: {
              sinceText: formatInstant(summary.connection.reconnectNeeded.since, timezone),
              reason: summary.connection.reconnectNeeded.reason ?? describeSyncOutcome(summary.connection.reconnectNeeded.outcome),
            },
          }
        : {}),
    },
    nextSyncText: summary.nextSyncAt ? formatInstant(summary.nextSyncAt, timezone) : undefined,
  });
}

export function syncResultMessage(run: SyncRun): OutboundMessage {
  const c = run.counts;
  const seconds = (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000;
  return {
    text: `Partner Center sync: ${describeSyncOutcome(run.outcome)}`,
    card: syncResultCard({
      outcome: run.outcome,
      outcomeOk: run.outcome === 'succeeded',
      ...(c ?? { records: 0, listed: 0, nonCompliant: 0, new: 0, reappeared: 0, resolved: 0 }),
      durationText: `${seconds.toFixed(1)} s`,
      correlationId: run.correlationId,
      errorMessage: run.errorMessage,
    }),
  };
}

export function reconnectAlertMessage(run: SyncRun, timezone: string): OutboundMessage {
  const reason = run.errorCode === 'TOKEN_WITHOUT_MFA' ? 'tokenWithoutMfa' : run.outcome === 'mfaRequired' ? 'mfaRequired' : 'notConnected';
  return {
    text: 'MFA Shepherd stopped syncing: Partner Center needs you to reconnect with MFA.',
    card: reconnectAlertCard({ reason, atText: formatInstant(run.finishedAt, timezone), correlationId: run.correlationId, detail: run.errorMessage }),
  };
}

export function deviceCodeMessage(prompt: DeviceCodePrompt, timezone: string): OutboundMessage {
  return {
    text: `Sign in at ${prompt.verificationUri} with code ${prompt.userCode}`,
    card: deviceCodeCard({ userCode: prompt.userCode, verificationUri: prompt.verificationUri, expiresText: formatInstant(prompt.expiresAt, timezone) }),
  };
}

export function connectResultMessage(outcome: ConnectOutcome): OutboundMessage {
  const card = outcome.ok
    ? connectResultCard({ ok: true, hasMfa: true, account: outcome.token.account, message: 'Partner Center is connected with MFA. A sync starts now.' })
    : connectResultCard({ ok: false, hasMfa: outcome.code !== 'TOKEN_WITHOUT_MFA', message: outcome.message });
  return { text: outcome.ok ? 'Partner Center connected.' : 'Partner Center connection failed.', card };
}

export function graphCheckUnavailableMessage(verification: Verification): OutboundMessage {
  const message =
    verification.errorCode === 'GRAPH_NOT_PREMIUM'
      ? 'Your tenant has no Microsoft Entra ID P1/P2, so MFA Shepherd cannot read registration reports, and reading users\' authentication methods failed too. Grant the app UserAuthenticationMethod.Read.All (application) and admin consent, so users can verify their MFA registration.'
      : 'Microsoft Graph refused MFA Shepherd\'s registration check. Grant the app AuditLog.Read.All and UserAuthenticationMethod.Read.All (application permissions) with admin consent, so users can verify their MFA registration.';
  return {
    text: 'MFA Shepherd cannot check MFA registrations.',
    card: errorCard({ title: 'Users cannot verify their MFA registration', message, code: verification.errorCode }),
  };
}
