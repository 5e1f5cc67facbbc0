import type { FirstNoticeModel, IntegrationMentionModel, WelcomeModel, WhyModel } from './models';
import { renderTemplate, type AdaptiveCard } from './render';
import { plural, safeIdentifier, safeText, safeUrl } from './text';
import { Links } from './links';
import { clientLocalTime } from './time';
import firstNoticeTemplate from './templates/first-notice.json';
import whyTemplate from './templates/why.json';
import welcomeTemplate from './templates/welcome.json';

const NAME_MAX = 200;
const UPN_MAX = 320;
/** Apps named per user: the busiest without MFA. */
export const INTEGRATIONS_SHOWN = 3;

/** Apps as a card shows them: the name escaped (outside text), the app id reduced to identifier characters. */
export function integrationMentions(models: readonly IntegrationMentionModel[] | undefined): { name: string; appIdText: string; callsText: string }[] {
  return (models ?? []).slice(0, INTEGRATIONS_SHOWN).map((m) => {
    const appId = safeIdentifier(m.applicationId, 60);
    return {
      name: safeText(m.name, NAME_MAX) || 'An unnamed app',
      appIdText: appId === '' ? 'added by an admin' : `app id ${appId}`,
      callsText: plural(Math.max(0, Math.trunc(m.nonMfaCount)), 'call', 'calls'),
    };
  });
}


/** The 1:1 notice: what Partner Center saw, why it matters, and the three ways forward. */
export function firstNoticeCard(model: FirstNoticeModel): AdaptiveCard {
  const displayName = safeText(model.displayName, NAME_MAX);
  const upn = safeText(model.upn, UPN_MAX);
  const recordCount = Math.max(0, Math.trunc(model.recordCount));
  const integrations = integrationMentions(model.integrations);
  return renderTemplate('first-notice', firstNoticeTemplate, {
    integrations,
    hasIntegrations: integrations.length > 0,
    displayName,
    hasDisplayName: displayName !== '',
    accountText: upn === '' ? 'your account' : `your account (${upn})`,
    recordsText: plural(recordCount, 'request', 'requests'),
    windowDays: Math.max(1, Math.trunc(model.windowDays)),
    lastNonMfaText: model.lastNonMfaText.trim() === '' ? clientLocalTime(new Date(model.lastNonMfaIso)) : safeText(model.lastNonMfaText, 100),
    lastNonMfaIso: safeText(model.lastNonMfaIso, 40),
    hasLastNonMfaIso: model.lastNonMfaIso.trim() !== '',
    reappeared: model.reappeared === true,
  });
}

/** What MFA enforcement is, what 900421 means, what to do, and what an exception can (not) cover. */
export function whyCard(model: WhyModel): AdaptiveCard {
  return renderTemplate('why', whyTemplate, {
    mfaSetupUrl: safeUrl(model.mfaSetupUrl) ?? Links.mfaSetup,
  });
}

/** Sent when the app is installed for a user. */
export function welcomeCard(model: WelcomeModel): AdaptiveCard {
  const displayName = safeText(model.displayName, NAME_MAX);
  return renderTemplate('welcome', welcomeTemplate, { displayName, hasDisplayName: displayName !== '' });
}
