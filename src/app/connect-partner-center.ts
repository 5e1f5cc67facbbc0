import { describeError } from '../domain/errors';
import type { AccessToken, DeviceCodePrompt, Logger, PartnerCenterAuth } from './ports';

export interface ConnectDeps {
  auth: Pick<PartnerCenterAuth, 'connectWithDeviceCode'>;
  logger: Logger;
}

export type ConnectOutcome =
  | { ok: true; token: AccessToken }
  | { ok: false; code: string; message: string };

/**
 * The Secure Application Model's one-time consent: an admin agent signs in with MFA through a
 * device code. The prompt and the result go to the admin who asked; a sign-in without MFA is
 * reported as a failure because Partner Center would reject its tokens (900421).
 */
export function createConnectPartnerCenter(deps: ConnectDeps) {
  return async function connect(showPrompt: (prompt: DeviceCodePrompt) => Promise<void>): Promise<ConnectOutcome> {
    try {
      const token = await deps.auth.connectWithDeviceCode(showPrompt);
      if (!token.hasMfa) {
        deps.logger.warn({ account: token.account }, 'Partner Center consent completed without MFA');
        return {
          ok: false,
          code: 'TOKEN_WITHOUT_MFA',
          message: 'You signed in without multifactor authentication, so Partner Center will reject this connection (900421). Run `connect partner center` again and complete the MFA prompt.',
        };
      }
      deps.logger.info({ account: token.account }, 'Partner Center connected');
      return { ok: true, token };
    } catch (error) {
      const { code, message } = describeError(error);
      deps.logger.warn({ err: { code, message } }, 'Partner Center consent failed');
      return { ok: false, code, message };
    }
  };
}

export type ConnectPartnerCenter = ReturnType<typeof createConnectPartnerCenter>;
