import type { VerificationResultModel, WalkthroughModel, WalkthroughStep } from './models';
import { renderTemplate, type AdaptiveCard } from './render';
import { safeText, safeUrl } from './text';
import { Links } from './links';
import type { ACCEPTED_CATEGORIES } from '../domain/exception/draft';

type ExceptionReasonCategory = (typeof ACCEPTED_CATEGORIES)[number];
import walkthroughTemplate from './templates/walkthrough.json';
import verificationResultTemplate from './templates/verification-result.json';

export const WALKTHROUGH_STEPS = 3;
const MAX_METHODS = 12;

/** A step number from anything (card data comes back from clients): 1, 2 or 3; otherwise 1. */
export function toWalkthroughStep(value: unknown): WalkthroughStep {
  const n = typeof value === 'string' ? Number(value) : value;
  return n === 2 || n === 3 ? n : 1;
}

/**
 * Step 1 register MFA (federated users: MFA at their identity provider, which must pass the claim),
 * step 2 scripts and apps (Secure Application Model), step 3 verify.
 */
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
    isFederated: (model.federatedDomain ?? '') !== '',
    federatedDomain: safeText(model.federatedDomain, 100),
    exceptionReason: PROVIDER_CLAIM_REASON,
  });
}

/** The exception reason for a provider that cannot pass the MFA claim (src/domain/exception/draft.ts). */
export const PROVIDER_CLAIM_REASON: ExceptionReasonCategory = 'thirdPartyMfaCannotPassClaim';

const CONFIRMED = new Set(['mfaPerformed', 'mfaFromToken', 'mfaFromProvider']);

/** One sentence on what the sign-ins showed, for the reader (outside text escaped). */
function signInSentence(model: VerificationResultModel): string {
  const s = model.signIns;
  if (s === undefined) return '';
  const app = (name: string): string => (safeText(name, 80) === '' ? '' : ` (${safeText(name, 80)})`);
  switch (s.kind) {
    case 'mfaPerformed':
      return `MFA performed at **${safeText(s.atText, 100)}**${s.method ? ` via ${safeText(s.method, 80)}` : ''}${app(s.app)}: your latest sign-in carried MFA, which is what Partner Center checks.`;
    case 'mfaFromToken':
      return `Your latest sign-in at **${safeText(s.atText, 100)}**${app(s.app)} reused MFA you completed earlier (the MFA claim in your token), which Partner Center accepts.`;
    case 'mfaFromProvider':
      return `Satisfied by your identity provider's MFA claim: your latest sign-in at **${safeText(s.atText, 100)}**${app(s.app)} passed MFA to Entra ID${model.federatedDomain ? ` through ${safeText(model.federatedDomain, 100)}` : ''}.`;
    case 'singleFactor': {
      const apps = s.apps.map((a) => safeText(a, 80)).filter((a) => a !== '');
      const last = s.count === 1 ? 'Your last sign-in' : `Your last ${s.count} sign-ins`;
      const to = apps.length > 0 ? ` to ${apps.join(', ')}` : '';
      const mfaBefore = s.lastMfaAtText ? ` The last one with MFA was at ${safeText(s.lastMfaAtText, 100)}.` : '';
      return `${last}${to} used a password only (the latest at **${safeText(s.lastAtText, 100)}**).${mfaBefore}`;
    }
    case 'noSignIns':
      return `No sign-ins since ${safeText(s.sinceText, 100)} yet, so we couldn't yet see MFA in a sign-in. Sign in to Partner Center once and complete the MFA prompt; the next check will confirm it.`;
    case 'unavailable':
      return s.reason === 'notPremium'
        ? "Without Microsoft Entra ID P1 or P2, MFA Shepherd can't read sign-in logs, so this check is of your registration only: it can't see whether your sign-ins carry MFA, which is what Partner Center checks. Complete the MFA prompt whenever you sign in."
        : "We couldn't read your recent sign-ins just now, so we checked your registration only.";
  }
}

/** The answer to "I'm done — check my registration" and to "I already use MFA". */
export function verificationResultCard(model: VerificationResultModel): AdaptiveCard {
  const registered = model.outcome === 'registered';
  const unavailable = model.outcome === 'unavailable';
  const finding = model.signIns?.kind;
  const confirmed = finding !== undefined && CONFIRMED.has(finding);
  const singleFactor = finding === 'singleFactor';
  const federated = (model.federatedDomain ?? '') !== '';
  // What Partner Center checks: a sign-in with MFA, or a registration no sign-in contradicts.
  const ok = confirmed || (registered && !singleFactor);
  const methods = model.methods
    .slice(0, MAX_METHODS)
    .map((m) => safeText(m, 80))
    .filter((m) => m !== '');
  const moreMethods = model.methods.length - Math.min(model.methods.length, MAX_METHODS);
  const methodsText = methods.join(', ') + (moreMethods > 0 ? ` and ${moreMethods} more` : '');
  const lastNonMfaText = safeText(model.lastNonMfaText, 100);
  const reason = model.reason;
  const isFederatedNoClaim = !ok && singleFactor && federated;
  const isRegisteredNotUsed = !ok && singleFactor && !federated && model.outcome !== 'notRegistered';
  const isFederatedUnconfirmed = !ok && federated && !singleFactor && !unavailable;
  const isNotRegistered = !ok && model.outcome === 'notRegistered' && !federated && !isRegisteredNotUsed;
  const isUnavailableShown = !ok && unavailable && !singleFactor;
  const signInText = signInSentence(model);
  return renderTemplate('verification-result', verificationResultTemplate, {
    fromAlreadyMfa: model.fromAlreadyMfa === true,
    isRegisteredOk: ok && model.status !== 'nonCompliant',
    heading: confirmed ? 'Verified: your sign-ins carry MFA' : 'Verified: you have MFA registered',
    isPending: ok && model.status === 'verificationPending',
    isCompliant: ok && model.status === 'compliant',
    isRegisteredStillListed: ok && model.status === 'nonCompliant',
    isRegisteredNotUsed,
    isFederatedNoClaim,
    isFederatedUnconfirmed,
    isNotRegistered,
    isUnavailable: isUnavailableShown,
    reasonNotPremium: isUnavailableShown && reason === 'notPremium',
    reasonForbidden: isUnavailableShown && reason === 'forbidden',
    reasonGraphDown: isUnavailableShown && reason === 'graphDown',
    reasonNotFound: isUnavailableShown && reason === 'notFound',
    reasonUnknown: isUnavailableShown && reason === undefined,
    showFallbackNote: !unavailable && reason === 'notPremium',
    hasMethods: methods.length > 0,
    methodsText,
    signInText,
    hasSignInText: signInText !== '',
    federatedDomain: safeText(model.federatedDomain, 100),
    showExceptionButton: isFederatedNoClaim || isFederatedUnconfirmed,
    exceptionReason: PROVIDER_CLAIM_REASON,
    checkedAtText: safeText(model.checkedAtText, 100),
    lastNonMfaText,
    hasLastNonMfa: lastNonMfaText !== '',
    mfaSetupUrl: safeUrl(model.mfaSetupUrl) ?? Links.mfaSetup,
  });
}
