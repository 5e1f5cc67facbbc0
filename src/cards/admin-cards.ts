import type { AdminSummaryModel, ReconnectAlertModel, SyncResultModel, UnreachableUserModel } from './models';
import { integrationMentions } from './notice-cards';
import { renderTemplate, type AdaptiveCard } from './render';
import { safeIdentifier, safeText } from './text';
import { needsReconnect } from '../domain/sync-run';
import { describeSyncOutcome } from './outcomes';
import adminSummaryTemplate from './templates/admin-summary.json';
import reconnectAlertTemplate from './templates/reconnect-alert.json';
import syncResultTemplate from './templates/sync-result.json';

/** At most this many unreachable users are listed, then "and N more". */
export const UNREACHABLE_SHOWN = 10;

const count = (n: number): string => String(Math.max(0, Math.trunc(n)));
const yesNo = (value: boolean | undefined): string => (value === undefined ? 'Unknown' : value ? 'Yes' : 'No');

/**
 * The compact trend: Teams' `Chart.Line` (card version 1.5) of non-compliant per day. Clients that
 * do not draw charts (older Teams clients, the Agents Playground's renderer) show the `fallback`:
 * the same numbers as a one-line text. Only our own numbers and dates go in: no user text.
 */
export function trendChart(trend: NonNullable<AdminSummaryModel['trend']>): Record<string, unknown> {
  const first = trend[0];
  const last = trend.at(-1);
  const newTotal = trend.reduce((n, p) => n + p.new, 0);
  const resolvedTotal = trend.reduce((n, p) => n + p.resolved, 0);
  const text = first && last ? `Last ${trend.length} days: non-compliant ${count(first.nonCompliant)} → ${count(last.nonCompliant)} (${count(newTotal)} new, ${count(resolvedTotal)} resolved).` : 'No sync history yet.';
  return {
    type: 'Chart.Line',
    id: 'trend',
    title: 'Non-compliant per day',
    spacing: 'Medium',
    data: [{ legend: 'Non-compliant', values: trend.map((p) => ({ x: p.day, y: Math.max(0, Math.trunc(p.nonCompliant)) })) }],
    fallback: { type: 'TextBlock', id: 'trend-fallback', wrap: true, spacing: 'Medium', text },
  };
}

/** " · non-MFA calls as them by Billing Export Script (app id …)", or nothing. */
function viaText(integrations: UnreachableUserModel['integrations']): string {
  const mentions = integrationMentions(integrations);
  if (mentions.length === 0) return '';
  return ` · non-MFA calls as them by ${mentions.map((m) => `${m.name} (${m.appIdText})`).join(', ')}`;
}

/** Compliance at a glance, the last sync and the bot's own Partner Center connection. */
export function adminSummaryCard(model: AdminSummaryModel): AdaptiveCard {
  const card = adminSummaryCardWithoutTrend(model);
  if (model.trend === undefined || model.trend.length < 2) return card;
  // After the counts: the first FactSet of the body.
  const body = card['body'] as Record<string, unknown>[];
  const at = body.findIndex((e) => e['type'] === 'FactSet');
  const heading = { type: 'TextBlock', text: `Non-compliant per day, last ${model.trend.length} days`, weight: 'Bolder', wrap: true, spacing: 'Medium' };
  return { ...card, body: [...body.slice(0, at + 1), heading, trendChart(model.trend), ...body.slice(at + 1)] };
}

function adminSummaryCardWithoutTrend(model: AdminSummaryModel): AdaptiveCard {
  const shown = model.unreachable.slice(0, UNREACHABLE_SHOWN).map((u) => ({
    upn: safeText(u.upn, 320),
    reason: safeText(u.reason, 200),
    sinceText: safeText(u.sinceText, 100),
    viaText: viaText(u.integrations),
  }));
  const total = Math.max(model.unreachableTotal, model.unreachable.length);
  const more = total - shown.length;
  const last = model.lastSync;
  const lastSyncError = safeText(last?.errorMessage);
  const lastSyncFailed = last !== undefined && !last.outcomeOk;
  const botNotConnected = !model.botToken.connected;
  const reconnect = model.botToken.connected ? model.botToken.reconnect : undefined;
  const botNeedsReconnect = reconnect !== undefined;
  const botTokenLacksMfa = model.botToken.connected && model.botToken.hasMfa === false;
  const account = safeText(model.botToken.account, 320);
  const nextSyncText = safeText(model.nextSyncText, 100);
  return renderTemplate('admin-summary', adminSummaryTemplate, {
    nonCompliantNow: count(model.nonCompliantNow),
    newSinceLastSync: count(model.newSinceLastSync),
    resolvedLastSync: count(model.resolvedLastSync),
    verificationPending: count(model.verificationPending),
    unreachableTotal: count(total),
    unreachable: shown,
    hasUnreachable: shown.length > 0,
    moreUnreachable: count(more),
    hasMoreUnreachable: more > 0,
    hasLastSync: last !== undefined,
    lastSyncAtText: safeText(last?.atText, 100),
    lastSyncOutcomeText: last ? safeText(describeSyncOutcome(last.outcome), 200) : '',
    lastSyncRecords: count(last?.records ?? 0),
    lastSyncCorrelationId: safeIdentifier(last?.correlationId),
    lastSyncError,
    hasLastSyncError: lastSyncError !== '',
    lastSyncFailed,
    botNotConnected,
    botTokenLacksMfa,
    botNeedsReconnect,
    // One warning is enough: a token without MFA has its own, more precise one.
    showReconnectWarning: botNeedsReconnect && !botTokenLacksMfa,
    reconnectSinceText: safeText(reconnect?.sinceText, 100),
    reconnectReason: safeText(reconnect?.reason),
    showWarning: lastSyncFailed || botNotConnected || botTokenLacksMfa || botNeedsReconnect,
    // Never "Yes" while every sync is refused: the sign-in is stored, but it does not work.
    botConnectedText: botNeedsReconnect ? 'Needs reconnect' : yesNo(model.botToken.connected),
    botAccount: account,
    hasBotAccount: account !== '',
    botHasMfaText: !model.botToken.connected
      ? 'No connection'
      : botNeedsReconnect && model.botToken.hasMfa === undefined
        ? 'Unknown until reconnected'
        : yesNo(model.botToken.hasMfa),
    pcSaysCompliantText: yesNo(model.botToken.partnerCenterSaysCompliant),
    hasPcSaysCompliant: model.botToken.partnerCenterSaysCompliant !== undefined,
    nextSyncText,
    hasNextSync: nextSyncText !== '',
  });
}

/** To admins: Partner Center refused the bot's connection, or there is none. Sync stopped; how to reconnect. */
export function reconnectAlertCard(model: ReconnectAlertModel): AdaptiveCard {
  const correlationId = safeIdentifier(model.correlationId);
  const detail = safeText(model.detail);
  return renderTemplate('reconnect-alert', reconnectAlertTemplate, {
    isMfaRequired: model.reason === 'mfaRequired',
    isNotConnected: model.reason === 'notConnected',
    isTokenWithoutMfa: model.reason === 'tokenWithoutMfa',
    atText: safeText(model.atText, 100),
    correlationId,
    hasCorrelationId: correlationId !== '',
    detail,
    hasDetail: detail !== '',
  });
}

/** The answer to "sync now". */
export function syncResultCard(model: SyncResultModel): AdaptiveCard {
  const errorMessage = safeText(model.errorMessage);
  const reconnect = needsReconnect(model.outcome);
  return renderTemplate('sync-result', syncResultTemplate, {
    outcomeOk: model.outcomeOk === true,
    outcomeText: safeText(describeSyncOutcome(model.outcome), 200),
    records: count(model.records),
    listed: count(model.listed),
    nonCompliant: count(model.nonCompliant),
    newCount: count(model.new),
    reappeared: count(model.reappeared),
    resolved: count(model.resolved),
    durationText: safeText(model.durationText, 50),
    correlationId: safeIdentifier(model.correlationId),
    errorMessage,
    hasError: errorMessage !== '',
    needsReconnect: reconnect,
    canRetry: model.outcomeOk !== true && !reconnect,
  });
}
