import { share, windowCounts } from './inventory';
import { canonicalId } from '../principal';
import type { Impact, Integration } from './types';

/** How much a failure hurts, for ranking: money and customers first; unknown counts as serious. */
export const IMPACT_WEIGHT: Record<Impact | 'unknown', number> = {
  provisioning: 5,
  billing: 5,
  customerManagement: 4,
  support: 3,
  reporting: 2,
  other: 2,
  unknown: 4,
};

/** The window the risk view looks at: Partner Center keeps 7 days of requests, summaries longer. */
export const RISK_WINDOW_DAYS = 30;

export interface IntegrationRisk {
  integration: Integration;
  /** Non-MFA requests in the risk window. */
  nonMfa: number;
  total: number;
  /** 0..1 */
  nonMfaShare: number;
  /** Any non-MFA request in the window: Partner Center will reject it under enforcement. */
  willFail: boolean;
  score: number;
}

export function assessRisk(integration: Integration, at: Date): IntegrationRisk {
  const counts = windowCounts(integration, at, RISK_WINDOW_DAYS);
  const weight = IMPACT_WEIGHT[integration.fields.impact ?? 'unknown'];
  const nonMfa = counts.nonMfa;
  return {
    integration,
    nonMfa,
    total: counts.mfa + counts.nonMfa,
    nonMfaShare: share(counts),
    willFail: nonMfa > 0,
    // Impact first; volume (log scale) orders apps of similar impact: a handful of failing billing
    // calls outranks thousands of failing reports.
    score: nonMfa === 0 ? 0 : weight + Math.log10(1 + nonMfa) / 2,
  };
}

/**
 * Every integration, those that will fail first (by score: impact × log volume), then the rest by
 * name. Stable: ties are broken by name and key.
 */
export function rankIntegrations(integrations: readonly Integration[], at: Date): IntegrationRisk[] {
  return integrations
    .map((i) => assessRisk(i, at))
    .sort((a, b) => {
      if (a.willFail !== b.willFail) return a.willFail ? -1 : 1;
      return b.score - a.score || b.nonMfa - a.nonMfa || a.integration.name.localeCompare(b.integration.name) || (a.integration.key < b.integration.key ? -1 : 1);
    });
}

/** The integrations a user's non-MFA requests come from (their notice and the admin's view name them). */
export function integrationsOfUser(integrations: readonly Integration[], objectId: string): Integration[] {
  const id = objectId.toLowerCase();
  return integrations.filter((i) => i.principals.some((p) => p.objectId === id && p.nonMfa > 0));
}

/** Partner Center's window of requests: what "recent" means for calls made as a user. */
export const RECENT_REQUEST_DAYS = 7;
/** A notice names at most this many apps (the busiest without MFA); the admin's view the same. */
export const MAX_APPS_PER_USER = 3;

/** An app that called Partner Center without MFA as a user, as their notice and the admin's view name it. */
export interface UserIntegration {
  name: string;
  /** Absent for an integration an admin added by hand. */
  applicationId?: string;
  /** Non-MFA requests made as the user in the latest window Partner Center returned. */
  nonMfa: number;
  /** The app's latest request as the user. */
  lastAt: Date;
}

/**
 * Per user (canonical objectId), the apps whose recent requests ran as them without MFA: a non-MFA
 * count in the inventory and a request within RECENT_REQUEST_DAYS of `at` (an app that stopped
 * calling as them weeks ago is not named). Busiest first, at most MAX_APPS_PER_USER each.
 */
export function integrationsByUser(integrations: readonly Integration[], at: Date): Map<string, UserIntegration[]> {
  const since = at.getTime() - RECENT_REQUEST_DAYS * 24 * 60 * 60_000;
  const byUser = new Map<string, UserIntegration[]>();
  for (const i of integrations) {
    for (const p of i.principals) {
      if (p.nonMfa <= 0 || p.lastAt.getTime() < since) continue;
      const id = canonicalId(p.objectId);
      const list = byUser.get(id) ?? [];
      list.push({ name: i.name, ...(i.applicationId ? { applicationId: i.applicationId } : {}), nonMfa: p.nonMfa, lastAt: p.lastAt });
      byUser.set(id, list);
    }
  }
  for (const [id, list] of byUser) {
    list.sort((a, b) => b.nonMfa - a.nonMfa || b.lastAt.getTime() - a.lastAt.getTime() || a.name.localeCompare(b.name));
    byUser.set(id, list.slice(0, MAX_APPS_PER_USER));
  }
  return byUser;
}
