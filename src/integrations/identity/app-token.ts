import { ConfidentialClientApplication, type INetworkModule } from '@azure/msal-node';
import type { Logger } from '../../app/ports';
import { AppError, ErrorCodes } from '../../domain/errors';
import { authorityFor, msalSystemOptions } from './msal-config';
import { appTokenError } from './msal-errors';

export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

export interface AppTokenOptions {
  clientId: string;
  clientSecret: string;
  tenantId: string;
  networkClient?: INetworkModule;
  scope?: string;
  logger?: Logger;
}

/** A source of app-only (client credentials) access tokens. */
export interface AppTokenProvider {
  getToken(): Promise<string>;
}

/**
 * Client-credentials tokens for Microsoft Graph. msal caches them in memory and renews them
 * before they expire, so calling `getToken()` for every request is cheap.
 */
export function createAppTokenProvider(options: AppTokenOptions): AppTokenProvider {
  const scope = options.scope ?? GRAPH_DEFAULT_SCOPE;
  const app = new ConfidentialClientApplication({
    auth: { clientId: options.clientId, clientSecret: options.clientSecret, authority: authorityFor(options.tenantId) },
    system: msalSystemOptions(options.networkClient, options.logger),
  });

  async function getToken(): Promise<string> {
    let token: string | undefined;
    try {
      token = (await app.acquireTokenByClientCredential({ scopes: [scope] }))?.accessToken;
    } catch (error) {
      throw appTokenError(error);
    }
    if (token === undefined || token === '') {
      throw new AppError(ErrorCodes.IdentityUnavailable, 'Entra ID answered the client-credentials request without an access token', { retryable: true });
    }
    return token;
  }

  return { getToken };
}
