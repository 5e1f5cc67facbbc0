import { ConfidentialClientApplication, type INetworkModule } from '@azure/msal-node';
import { TeamsAdapter } from '@microsoft/teams-ai';
import { ConfigurationServiceClientCredentialFactory, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import {
  AuthenticationConfiguration,
  AuthenticationConstants,
  AuthenticationError,
  MsalServiceClientCredentialsFactory,
  type AuthenticateRequestResult,
  type Claim,
} from 'botframework-connector';
import type { Config } from '../config';
import { authorityFor, msalSystemOptions } from '../integrations/identity/msal-config';

/** The Bot Framework endpoints of the public cloud (Config supplies them; tests leave them out). */
const PUBLIC_CLOUD: Config['bot']['channel'] = {
  openIdMetadataUrl: AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
  tokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
  loginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
  oauthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
};

/** The channel the bot serves: every signing key it trusts must be endorsed for it. */
const TEAMS_CHANNEL = 'msteams';

/**
 * The Teams adapter, with authentication and the turn as two public steps so that the HTTP edge
 * can answer each failure with its own status (see server.ts): botbuilder's own `process()`
 * answers a key-fetch failure, a malformed token and a bug in a turn alike with a 500 that carries
 * the raw error text.
 */
export class ShepherdAdapter extends TeamsAdapter {
  /** Check the request's Bot Framework token (local mode: an anonymous identity). Throws on refusal. */
  authenticate(activity: Partial<Activity>, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.botFrameworkAuthentication.authenticateRequest(activity as Activity, authHeader);
  }

  /** Run one turn for an authenticated activity; the invoke response, if the turn set one. */
  runTurn(auth: AuthenticateRequestResult, activity: Partial<Activity>, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(auth, activity as Activity, logic);
  }
}

/** Why an incoming request could not be authenticated, as the HTTP edge reports it. */
export interface AuthFailure {
  status: 401 | 503;
  code: 'UNAUTHORIZED' | 'AUTH_UNAVAILABLE';
}

const JWT_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

/**
 * 401 for every token that is missing, malformed, forged, expired, for someone else or signed with a
 * key we do not trust; 503 when the signing keys could not be fetched (the token was not judged, so
 * the Bot Connector should retry later). Never 500.
 */
export function authFailure(error: unknown): AuthFailure {
  if (error instanceof AuthenticationError) {
    // botbuilder marks "could not load the OpenID document / keys" with a 5xx status.
    return error.statusCode >= 500 ? { status: 503, code: 'AUTH_UNAVAILABLE' } : { status: 401, code: 'UNAUTHORIZED' };
  }
  const name = error instanceof Error ? error.name : '';
  if (JWT_ERRORS.has(name)) return { status: 401, code: 'UNAUTHORIZED' };
  // node-fetch's FetchError (refused, reset, DNS, invalid JSON from the metadata endpoint).
  if (name === 'FetchError' || (error instanceof Error && 'code' in error && typeof error.code === 'string')) return { status: 503, code: 'AUTH_UNAVAILABLE' };
  return { status: 401, code: 'UNAUTHORIZED' };
}

/**
 * Only tokens from the Bot Framework channel service are accepted: botbuilder would also take
 * Emulator and skill tokens (other issuers, no `serviceurl` claim), which Teams never sends.
 */
function onlyChannelTokens(issuer: string) {
  return async (claims: Claim[]): Promise<void> => {
    const iss = claims.find((c) => c.type === AuthenticationConstants.IssuerClaim)?.value;
    if (iss !== issuer) throw new AuthenticationError('Unauthorized. Only Bot Framework channel tokens are accepted.', 401);
  };
}

export interface AdapterConfig {
  bot: Omit<Config['bot'], 'channel'> & Partial<Pick<Config['bot'], 'channel'>>;
  identityEndpointOverride?: string;
}

/**
 * The Teams adapter with incoming-request validation: with BOT_ID set, botbuilder checks every
 * request's token against the configured OpenID metadata (signature, issuer, audience, expiry
 * with 5 minutes of skew, the `serviceurl` claim, the key's `msteams` endorsement). Without BOT_ID
 * (local mode) authentication is disabled, which is why the server then binds to loopback only and
 * checks the Host header.
 *
 * UserAssignedMSI: the bot's identity is the App Service's user-assigned managed identity
 * (BOT_ID = its client id). botbuilder then gets outgoing tokens from the managed identity
 * endpoint; there is no password at all (botbuilder refuses one for this type).
 *
 * `networkClient` carries the sandbox's sign-in stand-in (IDENTITY_ENDPOINT_OVERRIDE): when given,
 * the bot's own outgoing tokens are fetched through it too.
 */
export function createTeamsAdapter(config: AdapterConfig, networkClient?: INetworkModule): ShepherdAdapter {
  if (!config.bot.id) return new ShepherdAdapter({ MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant' });
  const channel = config.bot.channel ?? PUBLIC_CLOUD;
  const auth = new AuthenticationConfiguration([TEAMS_CHANNEL], onlyChannelTokens(channel.tokenIssuer));
  const msi = config.bot.type === 'UserAssignedMSI';
  const credentials = msi
    ? new ConfigurationServiceClientCredentialFactory({ MicrosoftAppId: config.bot.id, MicrosoftAppTenantId: config.bot.tenantId ?? '', MicrosoftAppType: 'UserAssignedMsi' })
    : config.identityEndpointOverride !== undefined && networkClient !== undefined && config.bot.password
      ? new MsalServiceClientCredentialsFactory(
          config.bot.id,
          new ConfidentialClientApplication({
            auth: { clientId: config.bot.id, clientSecret: config.bot.password, authority: authorityFor(config.bot.tenantId ?? 'botframework.com') },
            system: msalSystemOptions(networkClient, undefined),
          }),
        )
      : undefined;
  return new ShepherdAdapter(
    {
      MicrosoftAppId: config.bot.id,
      ...(msi ? {} : { MicrosoftAppPassword: config.bot.password ?? '' }),
      MicrosoftAppTenantId: config.bot.tenantId ?? '',
      MicrosoftAppType: msi ? 'UserAssignedMsi' : config.bot.type,
      // Setting any of these makes botbuilder take all of them as given (ParameterizedBotFrameworkAuthentication).
      ToBotFromChannelOpenIdMetadataUrl: channel.openIdMetadataUrl,
      ToBotFromChannelTokenIssuer: channel.tokenIssuer,
      ToChannelFromBotLoginUrl: channel.loginUrl,
      ToChannelFromBotOAuthScope: channel.oauthScope,
      ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
      OAuthUrl: AuthenticationConstants.OAuthUrl,
      CallerId: 'urn:botframework:azure',
    },
    credentials,
    auth,
  );
}
