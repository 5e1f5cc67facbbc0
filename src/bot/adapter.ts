import { TeamsAdapter } from '@microsoft/teams-ai';
import { ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import type { Config } from '../config';

/**
 * The Teams adapter with incoming-request validation: with BOT_ID set, botbuilder checks every
 * request's token (unsigned → 401). Without BOT_ID (local mode) authentication is disabled, which
 * is why the server then binds to loopback only.
 *
 * UserAssignedMSI: the bot's identity is the App Service's user-assigned managed identity
 * (BOT_ID = its client id). botbuilder then gets outgoing tokens from the managed identity
 * endpoint; there is no password at all (botbuilder refuses one for this type).
 */
export function createTeamsAdapter(config: Pick<Config, 'bot'>): TeamsAdapter {
  if (!config.bot.id) return new TeamsAdapter({ MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant' });
  if (config.bot.type === 'UserAssignedMSI') {
    const settings = { MicrosoftAppId: config.bot.id, MicrosoftAppTenantId: config.bot.tenantId ?? '', MicrosoftAppType: 'UserAssignedMsi' };
    return new TeamsAdapter(settings, new ConfigurationServiceClientCredentialFactory(settings));
  }
  return new TeamsAdapter({
    MicrosoftAppId: config.bot.id,
    MicrosoftAppPassword: config.bot.password ?? '',
    MicrosoftAppTenantId: config.bot.tenantId ?? '',
    MicrosoftAppType: config.bot.type,
  });
}
