import {
  PublicClientApplication,
  type AccountInfo,
  type AuthenticationResult,
  type DeviceCodeRequest,
  type ICachePlugin,
  type INetworkModule,
  type TokenCacheContext,
} from '@azure/msal-node';
import type { AccessToken, DeviceCodePrompt, Logger, PartnerCenterAuth, SecretStore } from '../../app/ports';
import type { Clock } from '../../domain/clock';
import { AppError, ErrorCodes } from '../../domain/errors';
import { systemClock } from '../../system-clock';
import { decodeJwtPayload, tokenHasMfa } from './jwt';
import { authorityFor, msalSystemOptions } from './msal-config';
import { notConnected, partnerCenterAuthError } from './msal-errors';

export const PARTNER_CENTER_SCOPE = 'https://api.partnercenter.microsoft.com/user_impersonation';
/** Name of the SecretStore entry holding msal's serialized cache (the adapter encrypts it). */
export const TOKEN_CACHE_SECRET = 'partnerCenterTokenCache';
/** When an admin last connected with MFA (ISO 8601): a sync failure before it is no longer the connection's state. */
export const CONNECTED_AT_SECRET = 'partnerCenterConnectedAt';

export interface PartnerCenterAuthOptions {
  /** App registration with public client flows enabled (PARTNER_CENTER_CLIENT_ID). */
  clientId: string;
  /** The partner's tenant. */
  tenantId: string;
  secrets: SecretStore;
  /** msal network module; tests and local development point it at the sandbox Entra. */
  networkClient?: INetworkModule;
  scope?: string;
  logger?: Logger;
  clock?: Clock;
  /** Device code sign-in gives up after this many seconds (default: the code's own lifetime). */
  deviceCodeTimeoutSeconds?: number;
}


/** msal's cache, persisted as one secret: loaded before each cache access, saved when changed. */
function secretCachePlugin(secrets: SecretStore): ICachePlugin {
  return {
    async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
      const stored = await secrets.get(TOKEN_CACHE_SECRET);
      if (stored !== undefined && stored !== '') context.tokenCache.deserialize(stored);
    },
    async afterCacheAccess(context: TokenCacheContext): Promise<void> {
      if (context.cacheHasChanged) await secrets.put(TOKEN_CACHE_SECRET, context.tokenCache.serialize());
    },
  };
}

/**
 * The Secure Application Model connection: an admin consents once with MFA through a device code;
 * msal keeps the refresh token in its cache, persisted through the SecretStore, and redeems it
 * silently for access tokens. Every token's `amr` is checked and reported as `hasMfa`: the caller
 * decides what a token without MFA means (Partner Center will reject it with 900421).
 */
export function createPartnerCenterAuth(options: PartnerCenterAuthOptions): PartnerCenterAuth {
  const scope = options.scope ?? PARTNER_CENTER_SCOPE;
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  const app = new PublicClientApplication({
    auth: { clientId: options.clientId, authority: authorityFor(options.tenantId) },
    cache: { cachePlugin: secretCachePlugin(options.secrets) },
    system: msalSystemOptions(options.networkClient, logger),
  });

  function toAccessToken(result: AuthenticationResult | null): AccessToken {
    if (result === null || result.accessToken === '') {
      throw new AppError(ErrorCodes.IdentityUnavailable, 'Entra ID answered without an access token', { retryable: true });
    }
    const exp = decodeJwtPayload(result.accessToken)?.['exp'];
    const expiresOn =
      result.expiresOn ?? (typeof exp === 'number' ? new Date(exp * 1000) : new Date(clock.now().getTime() + 3_600_000));
    return {
      token: result.accessToken,
      expiresOn,
      hasMfa: tokenHasMfa(result.accessToken),
      account: result.account?.username || undefined,
    };
  }

  async function accounts(): Promise<AccountInfo[]> {
    return app.getTokenCache().getAllAccounts();
  }

  async function getAccessToken(request: { forceRefresh?: boolean } = {}): Promise<AccessToken> {
    let account: AccountInfo | undefined;
    try {
      account = (await accounts())[0];
    } catch (error) {
      throw partnerCenterAuthError(error, 'silent');
    }
    if (account === undefined) throw notConnected('no admin has connected it yet (no stored sign-in)');
    try {
      const forceRefresh = request.forceRefresh === true;
      const token = toAccessToken(await app.acquireTokenSilent({ account, scopes: [scope], forceRefresh }));
      if (!token.hasMfa) {
        logger?.warn({ account: token.account }, 'The Partner Center access token has no MFA claim (amr); Partner Center will reject it');
      }
      return token;
    } catch (error) {
      throw partnerCenterAuthError(error, 'silent');
    }
  }

  async function connectWithDeviceCode(onPrompt: (prompt: DeviceCodePrompt) => Promise<void>): Promise<AccessToken> {
    let promptFailure: { error: unknown } | undefined;
    const request: DeviceCodeRequest = {
      scopes: [scope],
      ...(options.deviceCodeTimeoutSeconds === undefined ? {} : { timeout: options.deviceCodeTimeoutSeconds }),
      deviceCodeCallback: (response): void => {
        const prompt: DeviceCodePrompt = {
          userCode: response.userCode,
          verificationUri: response.verificationUri,
          message: response.message,
          expiresAt: new Date(clock.now().getTime() + response.expiresIn * 1000),
        };
        Promise.resolve()
          .then(() => onPrompt(prompt))
          .catch((error: unknown) => {
          // Nobody can see the code: stop polling (msal checks `cancel` before each poll).
          promptFailure = { error };
          request.cancel = true;
        });
      },
    };

    // msal saves the new sign-in as soon as it has it; a consent without MFA must not replace a
    // working connection, so remember what was stored and put it back in that case.
    const previous = await options.secrets.get(TOKEN_CACHE_SECRET);
    let result: AuthenticationResult | null;
    try {
      result = await app.acquireTokenByDeviceCode(request);
    } catch (error) {
      if (promptFailure !== undefined) throw promptFailure.error;
      throw partnerCenterAuthError(error, 'deviceCode');
    }
    const token = toAccessToken(result);

    if (!token.hasMfa) {
      if (previous !== undefined) await options.secrets.put(TOKEN_CACHE_SECRET, previous);
      else if (result?.account) await app.getTokenCache().removeAccount(result.account);
      logger?.warn(
        { account: token.account },
        'Partner Center consent was given WITHOUT MFA (no "mfa" in amr): not kept, the previous connection stays; sign in again with MFA',
      );
      return token;
    }
    // One connection at a time: forget any account connected before this one.
    const connected = result?.account?.homeAccountId;
    for (const other of await accounts()) {
      if (other.homeAccountId !== connected) await app.getTokenCache().removeAccount(other);
    }
    await options.secrets.put(CONNECTED_AT_SECRET, clock.now().toISOString());
    logger?.info({ account: token.account }, 'Partner Center connected with MFA');
    return token;
  }

  async function status(): Promise<{ connected: boolean; account?: string; connectedAt?: Date }> {
    const account = (await accounts())[0];
    if (account === undefined) return { connected: false };
    const stored = await options.secrets.get(CONNECTED_AT_SECRET);
    const connectedAt = stored === undefined ? undefined : new Date(stored);
    return {
      connected: true,
      account: account.username || undefined,
      ...(connectedAt === undefined || Number.isNaN(connectedAt.getTime()) ? {} : { connectedAt }),
    };
  }

  return { getAccessToken, connectWithDeviceCode, status };
}
