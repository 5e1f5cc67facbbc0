import type { ErrorModel, HelpModel, UserStatusModel } from './models';
import { renderTemplate, type AdaptiveCard } from './render';
import { safeIdentifier, safeText } from './text';
import userStatusTemplate from './templates/user-status.json';
import helpTemplate from './templates/help.json';
import errorTemplate from './templates/error.json';

/** A user's own state, with the next step where there is one. */
export function userStatusCard(model: UserStatusModel): AdaptiveCard {
  const displayName = safeText(model.displayName, 200);
  const lastNonMfaText = safeText(model.lastNonMfaText, 100);
  const verificationText = safeText(model.verificationText, 100);
  const resolvedText = safeText(model.resolvedText, 100);
  return renderTemplate('user-status', userStatusTemplate, {
    displayName,
    hasDisplayName: displayName !== '',
    isNonCompliant: model.status === 'nonCompliant',
    isPending: model.status === 'verificationPending',
    isCompliant: model.status === 'compliant',
    isNotListed: model.status === 'notListed',
    lastNonMfaText,
    hasLastNonMfa: lastNonMfaText !== '',
    verificationText,
    hasVerification: verificationText !== '',
    verifiedBySignIn: verificationText !== '' && model.verificationOutcome === 'mfaSignIn',
    verifiedRegistered: verificationText !== '' && (model.verificationOutcome ?? 'registered') === 'registered',
    verifiedNotRegistered: verificationText !== '' && model.verificationOutcome === 'notRegistered',
    verificationUnavailable: verificationText !== '' && model.verificationOutcome === 'unavailable',
    resolvedText,
    hasResolved: resolvedText !== '',
  });
}

/** The commands; the admin section only for admins. */
export function helpCard(model: HelpModel): AdaptiveCard {
  return renderTemplate('help', helpTemplate, { isAdmin: model.isAdmin === true });
}

/** A friendly error; the stable code and correlation id in small text so support can match logs. */
export function errorCard(model: ErrorModel): AdaptiveCard {
  const code = safeIdentifier(model.code, 80);
  const correlationId = safeIdentifier(model.correlationId);
  return renderTemplate('error', errorTemplate, {
    title: safeText(model.title, 150) || 'Something went wrong',
    message: safeText(model.message),
    code,
    hasCode: code !== '',
    correlationId,
    hasCorrelationId: correlationId !== '',
  });
}
