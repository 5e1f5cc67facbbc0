import type { Incident, Integration, IntegrationAlert, IntegrationRisk } from '../domain/integrations';
import { renderTemplate, type AdaptiveCard } from './render';
import { safeIdentifier, safeText, safeUrl } from './text';
import { readerTime } from './time';
import inventoryTemplate from './templates/integrations-inventory.json';
import detailTemplate from './templates/integration-detail.json';
import playbookTemplate from './templates/integration-playbook.json';
import incidentAlertTemplate from './templates/incident-alert.json';
import incidentReportTemplate from './templates/incident-report.json';
import connectionCheckTemplate from './templates/connection-check.json';
import integrationAlertTemplate from './templates/integration-alert.json';

/**
 * The integration watch's cards. Names, UPNs, operations and notes come from Partner Center or
 * from admins: all bound as escaped, clipped data. Times render in the reader's zone when known.
 */

export const INVENTORY_ROWS_SHOWN = 25;
const LIST_SHOWN = 8;

export const IMPACT_LABELS: Record<string, string> = {
  provisioning: 'Provisioning',
  billing: 'Billing',
  customerManagement: 'Customer management',
  support: 'Support',
  reporting: 'Reporting',
  other: 'Other',
};
export const AUTH_METHOD_LABELS: Record<string, string> = {
  samWithMfa: 'Secure Application Model with MFA',
  deviceCode: 'Device code sign-in',
  storedPassword: 'Stored password',
  appOnly: 'App-only',
  unknown: 'Unknown',
};

const n = (v: number) => String(Math.max(0, Math.trunc(v)));
const percent = (share: number) => `${Math.round(share * 100)}%`;
const ownerText = (i: Integration | undefined) => safeText(i?.fields.owner?.name, 200) || 'nobody yet';
const when = (at: Date | undefined, zone?: string) => (at ? readerTime(at, zone) : 'never');

export interface InventoryCardModel {
  ranked: readonly IntegrationRisk[];
}

export function integrationsInventoryCard(model: InventoryCardModel): AdaptiveCard {
  const failing = model.ranked.filter((r) => r.willFail);
  const unowned = failing.filter((r) => !r.integration.fields.owner).length;
  const rows = model.ranked.slice(0, INVENTORY_ROWS_SHOWN).map((r) => {
    const i = r.integration;
    const impact = IMPACT_LABELS[i.fields.impact ?? ''] ?? 'impact not set';
    const detail = r.willFail
      ? `${n(r.nonMfa)} of ${n(r.total)} calls without MFA (${percent(r.nonMfaShare)}, 30 days) · ${impact} · owner: ${ownerText(i)}`
      : `${n(r.total)} calls, all with MFA (30 days) · ${impact} · owner: ${ownerText(i)}${i.manual ? ' · added by hand' : ''}`;
    return {
      key: safeIdentifier(i.key, 300),
      name: safeText(i.name, 200) || safeIdentifier(i.key, 100),
      detail: safeText(detail, 400),
      verdict: r.willFail ? 'Will fail' : 'OK',
      verdictColor: r.willFail ? 'Attention' : 'Good',
    };
  });
  const summary =
    model.ranked.length === 0
      ? 'Nothing to show yet.'
      : `${n(failing.length)} of ${n(model.ranked.length)} integrations will fail under MFA enforcement${failing.length > 0 ? ` (${n(unowned)} without an owner)` : ''}. Most urgent first: impact, then volume of calls without MFA.`;
  return renderTemplate('integrations-inventory', inventoryTemplate, {
    summary,
    isEmpty: model.ranked.length === 0,
    rows,
    hasMore: model.ranked.length > rows.length,
    moreCount: n(model.ranked.length - rows.length),
  });
}

export interface IntegrationDetailModel {
  risk: IntegrationRisk;
  fix: string;
  canEdit: boolean;
  zone?: string;
  message?: string;
}

export function integrationDetailCard(model: IntegrationDetailModel): AdaptiveCard {
  const { risk, zone } = model;
  const i = risk.integration;
  const principals = i.principals.slice(0, LIST_SHOWN).map((p) => ({
    text: safeText(`${p.upn || p.objectId}: ${p.nonMfa} of ${p.requests} without MFA (7 days), last ${readerTime(p.lastAt, zone)}`, 400),
  }));
  const operations = i.operations.slice(0, LIST_SHOWN).map((o) => ({ text: safeText(`${o.name}: ${o.nonMfa} of ${o.requests} without MFA`, 400) }));
  const message = safeText(model.message, 300);
  const notes = safeText(i.fields.notes, 1000);
  return renderTemplate('integration-detail', detailTemplate, {
    key: safeIdentifier(i.key, 300),
    name: safeText(i.name, 200) || safeIdentifier(i.key, 100),
    willFail: risk.willFail,
    nonMfaText: `${n(risk.nonMfa)} of ${n(risk.total)} calls in the last 30 days had no MFA (${percent(risk.nonMfaShare)}).`,
    message,
    hasMessage: message !== '',
    applicationId: safeText(i.applicationId, 100) || 'added by hand',
    ownerText: ownerText(i),
    authMethodText: AUTH_METHOD_LABELS[i.fields.authMethod ?? ''] ?? 'not set',
    businessFunctionText: safeText(i.fields.businessFunction, 500) || 'not set',
    impactText: IMPACT_LABELS[i.fields.impact ?? ''] ?? 'not set',
    firstSeenText: when(i.firstSeen, zone),
    lastSeenText: when(i.lastSeen, zone),
    sourceIpsText: safeText(i.sourceIps.slice(0, LIST_SHOWN).join(', '), 400) || 'none recorded',
    notes,
    hasNotes: notes !== '',
    principals,
    noPrincipals: principals.length === 0,
    operations: operations.length > 0 ? operations : [{ text: 'none recorded' }],
    fix: safeText(model.fix, 1000),
    canEdit: model.canEdit,
  });
}

export interface PlaybookCardModel {
  integration?: Integration;
  steps: readonly string[];
  correlationIds: readonly string[];
  canEdit: boolean;
  message?: string;
}

export function playbookCard(model: PlaybookCardModel): AdaptiveCard {
  const i = model.integration;
  const runbookUrl = safeUrl(i?.fields.runbookUrl) ?? '';
  const message = safeText(model.message, 300);
  return renderTemplate('integration-playbook', playbookTemplate, {
    title: i ? `Playbook: ${safeText(i.name, 200)}` : 'Playbook: an integration fails with 401 / 900421',
    message,
    hasMessage: message !== '',
    steps: model.steps.map((s, k) => ({ text: `${k + 1}. ${safeText(s, 600)}` })),
    hasApp: i !== undefined,
    key: safeIdentifier(i?.key, 300),
    ownerText: ownerText(i),
    runsAsText: safeText(i?.principals.filter((p) => p.nonMfa > 0).map((p) => p.upn).slice(0, 5).join(', '), 400) || 'no non-MFA caller recorded',
    correlationText: safeText(model.correlationIds.slice(0, 5).join(', '), 400) || 'none recorded in the last 7 days',
    runbookUrl,
    hasRunbook: runbookUrl !== '',
    canEdit: model.canEdit && i !== undefined,
  });
}

export interface IncidentAlertModel {
  incident: Incident;
  integration?: Integration;
  steps: readonly string[];
  zone?: string;
}

export function incidentAlertCard(model: IncidentAlertModel): AdaptiveCard {
  const { incident: x, integration: i, zone } = model;
  const name = safeText(i?.name ?? x.name ?? x.applicationId, 200) || 'An integration';
  const runbookUrl = safeUrl(i?.fields.runbookUrl) ?? '';
  const mfa = /\b900421\b/.test(x.errorCode);
  return renderTemplate('incident-alert', incidentAlertTemplate, {
    title: `${name}: ${mfa ? 'MFA required (401/900421)' : `Partner Center answered ${x.status}`}`,
    summary: mfa
      ? `Partner Center refused a call of ${name} because its token carries no MFA claim. It will keep failing until it signs in with MFA. Further incidents of this app this hour are recorded without a new alert.`
      : `Partner Center refused a call of ${name}. Further incidents of this app this hour are recorded without a new alert.`,
    incidentId: safeIdentifier(x.id, 100),
    answerText: safeText(`HTTP ${x.status}, error ${x.errorCode}`, 200),
    operationText: safeText(x.operationName, 300) || 'not given',
    correlationText: safeText(x.correlationId, 200) || 'not given',
    occurredText: readerTime(x.occurredAt, zone),
    ownerText: ownerText(i),
    sourceText: x.source.startsWith('teams:') ? 'an admin, in Teams' : safeText(`intake key ${x.source}`, 100),
    steps: model.steps.map((s, k) => ({ text: `${k + 1}. ${safeText(s, 600)}` })),
    runbookUrl,
    hasRunbook: runbookUrl !== '',
    acknowledged: x.acknowledgedBy !== undefined,
    ackByName: safeText(x.acknowledgedByName, 200) || 'an admin',
    ackText: x.acknowledgedAt ? readerTime(x.acknowledgedAt, zone) : '',
  });
}

export function incidentReportCard(model: { apps: readonly Integration[]; error?: string }): AdaptiveCard {
  const error = safeText(model.error, 600);
  return renderTemplate('incident-report', incidentReportTemplate, {
    apps: model.apps.slice(0, 100).map((i) => ({ title: safeText(i.name, 200) || i.key, value: i.applicationId ?? i.key })),
    error,
    hasError: error !== '',
  });
}

export interface ConnectionCheckModel {
  ok: boolean;
  isMfaCompliant?: boolean;
  amr: readonly string[];
  account?: string;
  status?: number;
  correlationId: string;
  errorCode?: string;
  errorMessage?: string;
}

export function connectionCheckCard(model: ConnectionCheckModel): AdaptiveCard {
  const errorText = safeText(model.errorCode ? `${model.errorCode}: ${model.errorMessage ?? ''}` : '', 600);
  return renderTemplate('connection-check', connectionCheckTemplate, {
    ok: model.ok,
    compliantText: model.isMfaCompliant === undefined ? 'not given' : String(model.isMfaCompliant),
    amrText: safeText(model.amr.length > 0 ? model.amr.join(', ') : 'no token', 200) + (model.amr.includes('mfa') ? ' (contains mfa)' : model.amr.length > 0 ? ' (no mfa)' : ''),
    accountText: safeText(model.account, 320) || 'unknown',
    statusText: model.status === undefined ? 'no answer' : String(model.status),
    correlationId: safeIdentifier(model.correlationId, 100),
    errorText,
    hasError: errorText !== '',
  });
}

export function integrationAlertCard(alert: IntegrationAlert, integration: Integration | undefined, fix: string): AdaptiveCard {
  const name = safeText(alert.name, 200);
  const summary =
    alert.kind === 'newNonMfaApp'
      ? `${name} started calling Partner Center without MFA (${alert.nonMfa} calls in the last 7 days). It will fail under enforcement. Owner: ${ownerText(integration)}.`
      : `${name}: the share of its calls without MFA rose from ${percent(alert.previousShare)} to ${percent(alert.currentShare)} over the last 7 days. Owner: ${ownerText(integration)}.`;
  return renderTemplate('integration-alert', integrationAlertTemplate, {
    title: alert.kind === 'newNonMfaApp' ? `New integration without MFA: ${name}` : `More calls without MFA: ${name}`,
    summary,
    fix: safeText(fix, 1000),
    key: safeIdentifier(alert.key, 300),
  });
}
