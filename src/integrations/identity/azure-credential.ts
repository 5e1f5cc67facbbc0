import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { AppError, ErrorCodes } from '../../domain/errors';
import { GRAPH_DEFAULT_SCOPE, type AppTokenProvider } from './app-token';

/**
 * The deployment's Microsoft Entra identity for Azure resources (Storage) and Graph. With a client
 * id: that user-assigned managed identity (App Service gives the process IDENTITY_ENDPOINT /
 * IDENTITY_HEADER for it; no secret exists anywhere). Without: DefaultAzureCredential, e.g. a
 * developer's `az login` against a real account.
 */
export function createAzureCredential(options: { managedIdentityClientId?: string }): TokenCredential {
  if (options.managedIdentityClientId !== undefined) return new ManagedIdentityCredential({ clientId: options.managedIdentityClientId });
  return new DefaultAzureCredential();
}

/**
 * App-only Graph tokens from the managed identity (its service principal holds the Graph app
 * roles). @azure/identity caches the token and renews it before it expires.
 */
export function createManagedIdentityTokenProvider(credential: TokenCredential, scope = GRAPH_DEFAULT_SCOPE): AppTokenProvider {
  return {
    async getToken() {
      let token: string | undefined;
      try {
        token = (await credential.getToken(scope))?.token;
      } catch (error) {
        throw new AppError(ErrorCodes.IdentityUnavailable, `The managed identity could not get a token for ${scope}`, { retryable: true, cause: error });
      }
      if (token === undefined || token === '') {
        throw new AppError(ErrorCodes.IdentityUnavailable, `The managed identity answered without a token for ${scope}`, { retryable: true });
      }
      return token;
    },
  };
}
