import type { ConnectResultModel, DeviceCodeModel } from './models';
import { renderTemplate, type AdaptiveCard } from './render';
import { safeText, safeUrl } from './text';
import deviceCodeTemplate from './templates/device-code.json';
import connectResultTemplate from './templates/connect-result.json';

/** The device code sign-in for `connect partner center`. */
export function deviceCodeCard(model: DeviceCodeModel): AdaptiveCard {
  const url = safeUrl(model.verificationUri);
  return renderTemplate('device-code', deviceCodeTemplate, {
    userCode: safeText(model.userCode, 40),
    verificationUriText: safeText(model.verificationUri, 300),
    verificationUrl: url ?? '',
    hasVerificationUrl: url !== undefined,
    expiresText: safeText(model.expiresText, 100),
  });
}

/** The outcome of `connect partner center`. */
export function connectResultCard(model: ConnectResultModel): AdaptiveCard {
  const account = safeText(model.account, 320);
  const message = safeText(model.message);
  return renderTemplate('connect-result', connectResultTemplate, {
    isConnectedWithMfa: model.ok && model.hasMfa,
    isConnectedWithoutMfa: model.ok && !model.hasMfa,
    isFailed: !model.ok,
    account,
    hasAccount: account !== '',
    message,
    hasMessage: message !== '',
  });
}
