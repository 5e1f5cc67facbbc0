import { isAdmin } from '../domain/authorization';
import { AppError, ErrorCodes, describeError } from '../domain/errors';
import type { PartnerCenterIntegrations } from './integration-ports';
import type { IdGenerator, PartnerCenterAuth } from './ports';

/**
 * `check connection`: one Partner Center call with `ValidateMfa: true`, and the token's `amr`:
 * what a partner's own integrations should see when they are ready for enforcement.
 */
export interface ConnectionCheck {
  ok: boolean;
  /** Partner Center's own verdict (header or body), when it gave one. */
  isMfaCompliant?: boolean;
  /** The access token's `amr` values. */
  amr: string[];
  tokenHasMfa?: boolean;
  account?: string;
  status?: number;
  correlationId: string;
  errorCode?: string;
  errorMessage?: string;
}

export function createCheckConnection(deps: {
  auth: Pick<PartnerCenterAuth, 'getAccessToken'>;
  partnerCenter: Pick<PartnerCenterIntegrations, 'probe'>;
  /** The token's `amr` claim (decoded, not verified: we only report what we send). */
  readAmr: (accessToken: string) => string[];
  adminIds: ReadonlySet<string>;
  ids: IdGenerator;
}) {
  return async function checkConnection(actor: string): Promise<ConnectionCheck> {
    if (!isAdmin(actor, deps.adminIds)) throw new AppError(ErrorCodes.NotAdmin, 'Only MFA Shepherd admins can check the Partner Center connection. The integration commands are for admins.');
    const correlationId = deps.ids.newId();
    let amr: string[] = [];
    let tokenHasMfa: boolean | undefined;
    let account: string | undefined;
    try {
      const token = await deps.auth.getAccessToken();
      amr = deps.readAmr(token.token);
      tokenHasMfa = token.hasMfa;
      account = token.account;
      const probe = await deps.partnerCenter.probe({ correlationId, accessToken: token.token });
      return { ok: probe.isMfaCompliant !== false, isMfaCompliant: probe.isMfaCompliant, amr, tokenHasMfa, account, status: probe.status, correlationId };
    } catch (error) {
      const { code, message } = describeError(error);
      const details = error instanceof AppError ? error.details : {};
      const flag = details['isMfaCompliant'];
      return {
        ok: false,
        isMfaCompliant: typeof flag === 'boolean' ? flag : undefined,
        amr,
        tokenHasMfa,
        account,
        status: error instanceof AppError ? error.status : undefined,
        correlationId,
        errorCode: code,
        errorMessage: message,
      };
    }
  };
}

export type CheckConnection = ReturnType<typeof createCheckConnection>;
