import { TeamsAdapter } from '@microsoft/teams-ai';
import type { Config } from '../config';

/**
 * The Teams adapter with incoming-request validation: with BOT_ID set, botbuilder checks every
 * request's token (unsigned → 401). Without BOT_ID (local mode) authentication is disabled, which
 * is why the server then binds to loopback only.
 */
export function createTeamsAdapter(config: Pick<Config, 'bot'>): TeamsAdapter {
  if (!config.bot.id) return new TeamsAdapter({ MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant' });
  return new TeamsAdapter({
    MicrosoftAppId: config.bot.id,
    MicrosoftAppPassword: config.bot.password ?? '',
    MicrosoftAppTenantId: config.bot.tenantId ?? '',
    MicrosoftAppType: config.bot.type,
  });
}
