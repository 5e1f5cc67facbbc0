import { loadConfig } from '../../src/config';
import { isAppError } from '../../src/domain/errors';

/** The Bot Framework endpoints: public cloud by default, each one configurable (sovereign clouds, test key servers). */

const valid = {
  AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
  PARTNER_TENANT_ID: 'tenant-1',
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (isAppError(error, 'CONFIG_INVALID')) return error.message;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('Bot Framework endpoints in the configuration', () => {
  it('when none is set, then the public cloud endpoints are used', () => {
    expect(loadConfig(valid).bot.channel).toEqual({
      openIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
      tokenIssuer: 'https://api.botframework.com',
      loginUrl: 'https://login.microsoftonline.com/botframework.com',
      oauthScope: 'https://api.botframework.com',
    });
  });

  it("when a sovereign cloud's endpoints are set, then they are used as given", () => {
    const channel = loadConfig({
      ...valid,
      BOT_OPENID_METADATA_URL: 'https://login.botframework.azure.us/v1/.well-known/openidconfiguration',
      BOT_TOKEN_ISSUER: 'https://api.botframework.us',
      BOT_LOGIN_URL: 'https://login.microsoftonline.us/MicrosoftServices.onmicrosoft.us',
      BOT_OAUTH_SCOPE: 'https://api.botframework.us',
    }).bot.channel;
    expect(channel).toEqual({
      openIdMetadataUrl: 'https://login.botframework.azure.us/v1/.well-known/openidconfiguration',
      tokenIssuer: 'https://api.botframework.us',
      loginUrl: 'https://login.microsoftonline.us/MicrosoftServices.onmicrosoft.us',
      oauthScope: 'https://api.botframework.us',
    });
  });

  it('when the metadata URL is plain http on another host, then the start is refused (keys fetched in clear could be swapped)', () => {
    expect(errorOf({ ...valid, BOT_OPENID_METADATA_URL: 'http://keys.example/openid' })).toMatch(/BOT_OPENID_METADATA_URL is invalid: must be an https URL/);
    expect(errorOf({ ...valid, BOT_LOGIN_URL: 'http://login.example/x' })).toMatch(/BOT_LOGIN_URL is invalid: must be an https URL/);
  });

  it('when the metadata URL is http on loopback (a local test key server), then it is accepted', () => {
    expect(loadConfig({ ...valid, BOT_OPENID_METADATA_URL: 'http://127.0.0.1:4000/v1/.well-known/openidconfiguration' }).bot.channel.openIdMetadataUrl).toBe(
      'http://127.0.0.1:4000/v1/.well-known/openidconfiguration',
    );
  });
});
