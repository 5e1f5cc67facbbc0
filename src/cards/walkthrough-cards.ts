import type { VerificationResultModel, WalkthroughModel, WalkthroughStep } from './models';
import { renderTemplate, type AdaptiveCard } from './render';
import { safeText, safeUrl } from './text';
import { Links } from './links';
import walkthroughTemplate from './templates/walkthrough.json';
import verificationResultTemplate from './templates/verification-result.json';

export const WALKTHROUGH_STEPS = 3;
const MAX_METHODS = 12;

/** A step number from anything (card data comes back from clients): 1, 2 or 3; otherwise 1. */
export function toWalkthroughStep(value: unknown): WalkthroughStep {
  const n = typeof value === 'string' ? Number(value) : value;
  return n === 2 || n === 3 ? n : 1;
}

/** Step 1 register MFA, step 2 scripts and apps (Secure Application Model), step 3 verify. */
export function walkthroughCard(model: WalkthroughModel): AdaptiveCard {
  const step = toWalkthroughStep(model.step);
  return renderTemplate('walkthrough', walkthroughTemplate, {
    step,
    progressText: `Step ${step} of ${WALKTHROUGH_STEPS}`,
    isStep1: step === 1,
    isStep2: step === 2,
    isStep3: step === 3,
    hasPrev: step > 1,
    prevStep: Math.max(1, step - 1),
    hasNext: step < WALKTHROUGH_STEPS,
    nextStep: Math.min(WALKTHROUGH_STEPS, step + 1),
    mfaSetupUrl: safeUrl(model.mfaSetupUrl) ?? Links.mfaSetup,
    securityInfoUrl: safeUrl(model.securityInfoUrl) ?? Links.securityInfo,
    secureAppModelUrl: Links.secureAppModel,
  });
}

/** The answer to "I'm done — check my registration" and to "I already use MFA". */
export function verificationResultCard(model: VerificationResultModel): AdaptiveCard {
  const registered = model.outcome === 'registered';
  const unavailable = model.outcome === 'unavailable';
  const methods = model.methods
    .slice(0, MAX_METHODS)
    .map((m) => safeText(m, 80))
    .filter((m) => m !== '');
  const moreMethods = model.methods.length - Math.min(model.methods.length, MAX_METHODS);
  const methodsText = methods.join(', ') + (moreMethods > 0 ? ` and ${moreMethods} more` : '');
  const lastNonMfaText = safeText(model.lastNonMfaText, 100);
  const reason = model.reason;
  return renderTemplate('verification-result', verificationResultTemplate, {
    fromAlreadyMfa: model.fromAlreadyMfa === true,
    isRegisteredOk: registered && model.status !== 'nonCompliant',
    isPending: registered && model.status === 'verificationPending',
    isCompliant: registered && model.status === 'compliant',
    isRegisteredStillListed: registered && model.status === 'nonCompliant',
    isNotRegistered: model.outcome === 'notRegistered',
    isUnavailable: unavailable,
    reasonNotPremium: unavailable && reason === 'notPremium',
    reasonForbidden: unavailable && reason === 'forbidden',
    reasonGraphDown: unavailable && reason === 'graphDown',
    reasonNotFound: unavailable && reason === 'notFound',
    reasonUnknown: unavailable && reason === undefined,
    showFallbackNote: !unavailable && reason === 'notPremium',
    hasMethods: methods.length > 0,
    methodsText,
    checkedAtText: safeText(model.checkedAtText, 100),
    lastNonMfaText,
    hasLastNonMfa: lastNonMfaText !== '',
    mfaSetupUrl: safeUrl(model.mfaSetupUrl) ?? Links.mfaSetup,
  });
}
