import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { loadConfig } from '../../src/config';
import { configSchema } from '../../src/config/schema';
import { isAppError } from '../../src/domain/errors';

const valid = {
  AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
  PARTNER_TENANT_ID: 'tenant-1',
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

/** A deployed bot: BOT_ID, its secrets, a random key and an https address. */
const deployed = {
  ...valid,
  BOT_ID: 'app-id',
  BOT_PASSWORD: 'pw',
  BOT_TENANT_ID: 't',
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  PUBLIC_BASE_URL: 'https://shepherd.contoso.example',
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

describe('loadConfig', () => {
  it('when only the required keys are set, then defaults fill the rest and local mode binds to loopback', () => {
    const config = loadConfig(valid);
    expect(config.localMode).toBe(true);
    expect(config.bindHost).toBe('127.0.0.1');
    expect(config.port).toBe(3978);
    expect(config.partnerCenter.principalsPath).toBe('/v1/nonMfaCompliantPartnerPrincipals');
    expect(config.syncIntervalMinutes).toBe(60);
  });

  it('when a required key is missing, then the error names it', () => {
    const { PARTNER_TENANT_ID: _omit, ...rest } = valid;
    expect(errorOf(rest)).toMatch(/PARTNER_TENANT_ID is missing/);
  });

  it('when a value is invalid, then the error names the key and why', () => {
    expect(errorOf({ ...valid, SYNC_INTERVAL_MINUTES: 'soon' })).toMatch(/SYNC_INTERVAL_MINUTES/);
    expect(errorOf({ ...valid, DEFAULT_TIMEZONE: 'Mars/Olympus' })).toMatch(/DEFAULT_TIMEZONE .*IANA/);
    expect(errorOf({ ...valid, PARTNER_CENTER_BASE_URL: 'not a url' })).toMatch(/PARTNER_CENTER_BASE_URL/);
    expect(errorOf({ ...valid, TOKEN_ENCRYPTION_KEY: 'c2hvcnQ=' })).toMatch(/TOKEN_ENCRYPTION_KEY .*32 bytes/);
  });

  it('when BOT_ID is unset and BIND_HOST is not loopback, then the start is refused', () => {
    expect(errorOf({ ...valid, BIND_HOST: '0.0.0.0' })).toMatch(/BIND_HOST .*loopback/);
    expect(loadConfig({ ...valid, BIND_HOST: '::1' }).bindHost).toBe('::1');
  });

  it('when BOT_ID is set without a password, then BOT_PASSWORD is named', () => {
    expect(errorOf({ ...valid, BOT_ID: 'app-id', BOT_TENANT_ID: 't' })).toMatch(/BOT_PASSWORD/);
  });

  it('when BOT_ID is set with its secrets, then the server binds to all interfaces', () => {
    const config = loadConfig({ ...deployed });
    expect(config.localMode).toBe(false);
    expect(config.bindHost).toBe('0.0.0.0');
    expect(config.graph.clientId).toBe('app-id');
  });

  it('when BOT_ID is set, then a key published in env/* is refused, naming the key', () => {
    const published = readdirSync('env')
      .flatMap((file) => readFileSync(`env/${file}`, 'utf8').split('\n'))
      .map((line) => /^\s*TOKEN_ENCRYPTION_KEY(?:S_PREVIOUS)?\s*=\s*(\S+)/.exec(line)?.[1])
      .filter((key): key is string => key !== undefined);
    expect(published.length).toBeGreaterThan(0);
    for (const key of published) expect(errorOf({ ...deployed, TOKEN_ENCRYPTION_KEY: key })).toMatch(/TOKEN_ENCRYPTION_KEY .*published development key/);
    // Local mode (the Playground) keeps working with it.
    expect(loadConfig({ ...valid, TOKEN_ENCRYPTION_KEY: published[0]! }).localMode).toBe(true);
  });

  it.each([
    ['one repeated byte', Buffer.alloc(32, 7)],
    ['a short pattern', Buffer.from('0123456789abcdef'.repeat(4), 'hex')],
    ['ASCII text', Buffer.from('correct horse battery staple 123', 'utf8')],
    ['zeros', Buffer.alloc(32)],
  ])('when BOT_ID is set and the key is %s, then it is refused as low entropy', (_name, key) => {
    expect(key.length).toBe(32);
    expect(errorOf({ ...deployed, TOKEN_ENCRYPTION_KEY: key.toString('base64') })).toMatch(/TOKEN_ENCRYPTION_KEY is invalid: (has too little entropy|is ASCII text)/);
  });

  it('when the sign-in override points anywhere but this machine, then the configuration is refused', () => {
    expect(errorOf({ ...deployed, IDENTITY_ENDPOINT_OVERRIDE: 'https://login.attacker.example/entra' })).toMatch(/IDENTITY_ENDPOINT_OVERRIDE .*loopback/);
    expect(loadConfig({ ...deployed, IDENTITY_ENDPOINT_OVERRIDE: 'http://127.0.0.1:3979/entra' }).identityEndpointOverride).toBe('http://127.0.0.1:3979/entra');
  });

  it('when BOT_ID is set, then PUBLIC_BASE_URL is required and must be https', () => {
    const { PUBLIC_BASE_URL: _omit, ...withoutUrl } = deployed;
    expect(errorOf(withoutUrl)).toMatch(/PUBLIC_BASE_URL is invalid: is required when BOT_ID is set/);
    expect(errorOf({ ...deployed, PUBLIC_BASE_URL: 'http://shepherd.contoso.example' })).toMatch(/PUBLIC_BASE_URL is invalid: must be an https:\/\/ URL/);
    expect(loadConfig(deployed).publicBaseUrl).toBe('https://shepherd.contoso.example');
  });

  it('when previous keys are listed, then they are kept for decryption in order; a malformed one is named', () => {
    const old1 = randomBytes(32).toString('base64');
    const old2 = randomBytes(32).toString('base64');
    const config = loadConfig({ ...deployed, TOKEN_ENCRYPTION_KEYS_PREVIOUS: `${old1}, ${old2}` });
    expect(config.previousTokenEncryptionKeys.map((k) => k.toString('base64'))).toEqual([old1, old2]);
    expect(errorOf({ ...deployed, TOKEN_ENCRYPTION_KEYS_PREVIOUS: 'c2hvcnQ=' })).toMatch(/TOKEN_ENCRYPTION_KEYS_PREVIOUS .*32-byte/);
  });

  it('when admin ids are listed with spaces and semicolons, then each is kept', () => {
    expect(loadConfig({ ...valid, ADMIN_AAD_OBJECT_IDS: ' a , b;c ' }).adminAadObjectIds).toEqual(['a', 'b', 'c']);
  });
});

describe('configuration documentation', () => {
  it('when the schema has a key, then the README and env/.env.playground document it', () => {
    const readme = readFileSync(`${__dirname}/../../README.md`, 'utf8');
    const envFile = readFileSync(`${__dirname}/../../env/.env.playground`, 'utf8');
    const keys = Object.keys(configSchema._def.schema.shape).filter((k) => k !== 'NODE_ENV');
    expect(keys.length).toBeGreaterThan(20);
    for (const key of keys) {
      expect({ key, inReadme: readme.includes(`| \`${key}\` |`) }).toEqual({ key, inReadme: true });
      expect({ key, inEnvFile: envFile.includes(key) }).toEqual({ key, inEnvFile: true });
    }
  });
});

describe('storage and identity in Azure', () => {
  const { AZURE_STORAGE_CONNECTION_STRING: _cs, ...noStorage } = valid;
  // A deployed bot: a random key (weak ones are refused with BOT_ID) and its https address.
  const msiBot = {
    BOT_ID: '11111111-2222-4333-8444-555555555555',
    BOT_TYPE: 'UserAssignedMSI',
    BOT_TENANT_ID: 'tenant-1',
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PUBLIC_BASE_URL: 'https://shepherd.contoso.example',
  };

  it('when only the account name is set, then storage is reached with a token at the account endpoints', () => {
    const config = loadConfig({ ...noStorage, AZURE_STORAGE_ACCOUNT_NAME: 'mfashepdevst' });
    expect(config.storage.connectionString).toBeUndefined();
    expect(config.storage.tokenAccess).toEqual({ tableEndpoint: 'https://mfashepdevst.table.core.windows.net', queueEndpoint: 'https://mfashepdevst.queue.core.windows.net' });
  });

  it('when neither a connection string nor an account is set, then the error names both ways', () => {
    expect(errorOf(noStorage)).toMatch(/AZURE_STORAGE_CONNECTION_STRING .*AZURE_STORAGE_ACCOUNT_NAME/);
  });

  it('when a connection string and an account name are both set, then the configuration is refused', () => {
    expect(errorOf({ ...valid, AZURE_STORAGE_ACCOUNT_NAME: 'mfashepdevst' })).toMatch(/choose one/);
  });

  it('when only one endpoint is set without an account, then the configuration is refused', () => {
    expect(errorOf({ ...noStorage, AZURE_STORAGE_TABLE_ENDPOINT: 'https://127.0.0.1:10002/devstoreaccount1' })).toMatch(/go together/);
  });

  it('when the bot is a user-assigned managed identity, then that identity gets Storage and Graph tokens and no secret is needed', () => {
    const config = loadConfig({ ...noStorage, ...msiBot, AZURE_STORAGE_ACCOUNT_NAME: 'mfashepdevst' });
    expect(config.managedIdentityClientId).toBe(msiBot.BOT_ID);
    expect(config.graph.auth).toBe('managedIdentity');
    expect(config.bot.password).toBeUndefined();
  });

  it('when a Graph secret is configured, then Graph uses it even with a managed identity', () => {
    const config = loadConfig({ ...valid, ...msiBot, GRAPH_CLIENT_ID: 'graph-app', GRAPH_CLIENT_SECRET: 'graph-secret' });
    expect(config.graph.auth).toBe('secret');
  });

  it('when nothing names a Graph identity, then Graph is not configured', () => {
    expect(loadConfig(valid).graph.auth).toBe('none');
  });
});
