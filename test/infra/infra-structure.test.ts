import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../src/config';
import { configSchema } from '../../src/config/schema';
import { METRIC_NAMES } from '../../src/integrations/telemetry/otel-metrics';
import { block, entries, parseBicep, value, type BicepFile } from './bicep';

const ROOT = join(__dirname, '..', '..');
const INFRA = join(ROOT, 'infra');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const packageJson = JSON.parse(read('package.json')) as { engines: { node: string }; scripts: Record<string, string> };

function bicepFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? bicepFiles(join(dir, e.name)) : e.name.endsWith('.bicep') ? [join(dir, e.name)] : []));
}
const files = new Map<string, BicepFile>(bicepFiles(INFRA).map((path) => [path, parseBicep(path)]));
const main = files.get(join(INFRA, 'azure.bicep')) as BicepFile;
const file = (relative: string) => files.get(join(INFRA, relative)) as BicepFile;
const resource = (f: BicepFile, type: string) => {
  const found = f.resources.filter((r) => r.type === type);
  if (found.length === 0) throw new Error(`no ${type}`);
  return found;
};

/**
 * API versions checked to exist in Azure/bicep-types-az (generated/<provider>/<namespace>/<version>).
 * A new resource or version must be looked up there and added here.
 */
const PINNED_API_VERSIONS: Record<string, string[]> = {
  'Microsoft.ManagedIdentity/userAssignedIdentities': ['2023-01-31'],
  'Microsoft.Storage/storageAccounts': ['2023-05-01'],
  'Microsoft.Storage/storageAccounts/tableServices': ['2023-05-01'],
  'Microsoft.Storage/storageAccounts/queueServices': ['2023-05-01'],
  'Microsoft.KeyVault/vaults': ['2023-07-01'],
  'Microsoft.KeyVault/vaults/secrets': ['2023-07-01'],
  'Microsoft.Authorization/roleAssignments': ['2022-04-01'],
  'Microsoft.Web/serverfarms': ['2023-12-01'],
  'Microsoft.Web/sites': ['2023-12-01'],
  'Microsoft.Web/sites/config': ['2023-12-01'],
  'Microsoft.BotService/botServices': ['2022-09-15', '2021-03-01'],
  'Microsoft.BotService/botServices/channels': ['2022-09-15', '2021-03-01'],
  'Microsoft.OperationalInsights/workspaces': ['2023-09-01', '2022-10-01'],
  'Microsoft.Insights/components': ['2020-02-02'],
  'Microsoft.Insights/diagnosticSettings': ['2021-05-01-preview'],
  'Microsoft.Insights/actionGroups': ['2023-01-01'],
  'Microsoft.Insights/scheduledQueryRules': ['2023-03-15-preview'],
  'Microsoft.Insights/metricAlerts': ['2018-03-01'],
};

const ROLE = {
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
};

/** Settings App Service itself reads; everything else must be a key of the config schema. */
const PLATFORM_SETTINGS = new Set(['WEBSITE_RUN_FROM_PACKAGE', 'SCM_DO_BUILD_DURING_DEPLOYMENT', 'RUNNING_ON_AZURE']);

/** What Azure puts where the Bicep has an expression (App Service resolves the Key Vault reference). */
const SAMPLE_FOR_EXPRESSION: Record<string, string> = {
  BOT_ID: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
  MANAGED_IDENTITY_CLIENT_ID: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
  BOT_TENANT_ID: '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d',
  PARTNER_TENANT_ID: '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d',
  PUBLIC_BASE_URL: 'https://mfashepabc123.azurewebsites.net',
  AZURE_STORAGE_ACCOUNT_NAME: 'mfashepabc123st7xk2',
  // What the Key Vault reference resolves to: 32 random bytes (a deployed bot refuses weak keys).
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
  PARTNER_CENTER_CLIENT_ID: '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e',
  ADMIN_AAD_OBJECT_IDS: '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f',
  DEFAULT_TIMEZONE: 'Europe/Berlin',
  SYNC_INTERVAL_MINUTES: '60',
  TEAMS_APP_CATALOG_ID: '',
};

function appSettings(): Map<string, string> {
  const [settings] = resource(file('modules/webapp.bicep'), 'Microsoft.Web/sites/config');
  expect(value(settings?.body ?? '', 'name')).toBe("'appsettings'");
  return entries(block(settings?.body ?? '', 'properties'));
}

/** `${{NAME}}` placeholders in a toolkit file. */
const placeholders = (text: string) => new Set([...text.matchAll(/\$\{\{([A-Z0-9_]+)\}\}/g)].map((m) => m[1] as string));

/** The actions of one stage (provision / deploy / publish) of an m365agents yml, as text blocks. */
function stage(yml: string, name: string): { uses: string; text: string }[] {
  const start = new RegExp(`^${name}:\\s*$`, 'm').exec(yml);
  if (!start) throw new Error(`no ${name}: stage`);
  const rest = yml.slice(start.index + start[0].length);
  const end = /^\S/m.exec(rest);
  const body = end ? rest.slice(0, end.index) : rest;
  return body
    .split(/^ {2}- uses: /m)
    .slice(1)
    .map((chunk) => ({ uses: (chunk.split('\n')[0] as string).trim(), text: chunk }));
}

/** Variables an action writes: `writeToEnvironmentFile:` entries. */
function written(yml: string): Set<string> {
  const names = new Set<string>();
  for (const m of yml.matchAll(/writeToEnvironmentFile:\n((?: {6}\w+: \w+\n)+)/g)) {
    for (const line of (m[1] as string).trim().split('\n')) names.add((line.split(':')[1] as string).trim());
  }
  return names;
}

const envDev = read('env/.env.dev');
const envDevKeys = new Set([...envDev.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1] as string));
const TOOLKIT_BUILT_INS = new Set(['TEAMSFX_ENV', 'AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP_NAME']);

describe('infra: Bicep structure (no compiler offline: parsed and cross-checked)', () => {
  it('when every Bicep file is read, then brackets and strings balance and each declares something', () => {
    expect(files.size).toBeGreaterThanOrEqual(7);
    for (const [path, f] of files) expect({ path, declarations: f.resources.length + f.modules.length > 0 }).toEqual({ path, declarations: true });
  });

  it('when resources are declared, then each API version is one of the pinned, real ones', () => {
    for (const [path, f] of files) {
      for (const r of f.resources) {
        expect({ path, type: r.type, apiVersion: r.apiVersion, pinned: PINNED_API_VERSIONS[r.type]?.includes(r.apiVersion) ?? false }).toEqual({ path, type: r.type, apiVersion: r.apiVersion, pinned: true });
      }
    }
  });

  it('when a module is used, then its file exists, every parameter passed is declared and every required one is passed', () => {
    for (const [path, f] of files) {
      for (const m of f.modules) {
        const target = join(dirname(path), m.path);
        expect({ module: m.symbol, exists: existsSync(target) }).toEqual({ module: m.symbol, exists: true });
        const declared = (files.get(target) as BicepFile).params;
        const passed = entries(block(m.body, 'params'));
        for (const name of passed.keys()) expect({ module: m.symbol, param: name, declared: declared.has(name) }).toEqual({ module: m.symbol, param: name, declared: true });
        for (const [name, p] of declared) if (p.default === undefined) expect({ module: m.symbol, param: name, passed: passed.has(name) }).toEqual({ module: m.symbol, param: name, passed: true });
        // Every `<module>.outputs.X` used exists in that module.
        for (const use of f.text.matchAll(new RegExp(`\\b${m.symbol}\\.outputs\\.(\\w+)`, 'g'))) {
          expect({ module: m.symbol, output: use[1], exists: (files.get(target) as BicepFile).outputs.has(use[1] as string) }).toEqual({ module: m.symbol, output: use[1], exists: true });
        }
      }
    }
  });

  it('when a role is assigned, then its name is a deterministic guid() of scope, principal and role, never newGuid()', () => {
    const assignments = [...files.values()].flatMap((f) => f.resources.filter((r) => r.type === 'Microsoft.Authorization/roleAssignments'));
    expect(assignments).toHaveLength(3);
    for (const a of assignments) {
      const name = value(a.body, 'name') ?? '';
      expect(name).toMatch(/^guid\(\w+\.id, identityPrincipalId, roles?\.\w+|^guid\(\w+\.id, identityPrincipalId, keyVaultSecretsUser\)$/);
      expect(a.body).not.toMatch(/newGuid/);
      expect(value(a.body, 'principalId')).toBe('identityPrincipalId');
      expect(value(a.body, 'principalType')).toBe("'ServicePrincipal'");
    }
    expect(read('infra/modules/storage.bicep')).toContain(ROLE.storageTableDataContributor);
    expect(read('infra/modules/storage.bicep')).toContain(ROLE.storageQueueDataContributor);
    expect(read('infra/modules/keyvault.bicep')).toContain(ROLE.keyVaultSecretsUser);
  });

  it('when the identity is wired, then it is the bot, the web app identity, the Key Vault reference identity and the Storage / Key Vault principal', () => {
    const [identity] = resource(main, 'Microsoft.ManagedIdentity/userAssignedIdentities');
    const id = identity?.symbol as string;
    const params = (symbol: string) => entries(block(main.modules.find((m) => m.symbol === symbol)?.body ?? '', 'params'));
    expect(params('azureBotRegistration').get('identityClientId')).toBe(`${id}.properties.clientId`);
    expect(params('azureBotRegistration').get('identityResourceId')).toBe(`${id}.id`);
    expect(params('azureBotRegistration').get('identityTenantId')).toBe(`${id}.properties.tenantId`);
    expect(params('webApp').get('identityResourceId')).toBe(`${id}.id`);
    expect(params('webApp').get('identityClientId')).toBe(`${id}.properties.clientId`);
    expect(params('storage').get('identityPrincipalId')).toBe(`${id}.properties.principalId`);
    expect(params('keyVault').get('identityPrincipalId')).toBe(`${id}.properties.principalId`);

    const [bot] = resource(file('botRegistration/azurebot.bicep'), 'Microsoft.BotService/botServices');
    const botProps = entries(block(bot?.body ?? '', 'properties'));
    expect(value(bot?.body ?? '', 'kind')).toBe("'azurebot'");
    expect(value(bot?.body ?? '', 'location')).toBe("'global'");
    expect(botProps.get('msaAppType')).toBe("'UserAssignedMSI'");
    expect(botProps.get('msaAppId')).toBe('identityClientId');
    expect(botProps.get('msaAppMSIResourceId')).toBe('identityResourceId');
    expect(botProps.get('msaAppTenantId')).toBe('identityTenantId');
    expect(botProps.get('endpoint')).toBe("'https://${botAppDomain}/api/messages'");
    const [channel] = resource(file('botRegistration/azurebot.bicep'), 'Microsoft.BotService/botServices/channels');
    expect(value(channel?.body ?? '', 'name')).toBe("'MsTeamsChannel'");

    const [site] = resource(file('modules/webapp.bicep'), 'Microsoft.Web/sites');
    expect(block(site?.body ?? '', 'identity')).toMatch(/type: 'UserAssigned'[\s\S]*'\$\{identityResourceId\}': \{\}/);
    expect(value(site?.body ?? '', 'keyVaultReferenceIdentity')).toBe('identityResourceId');
    expect(appSettings().get('BOT_ID')).toBe('identityClientId');
    expect(appSettings().get('MANAGED_IDENTITY_CLIENT_ID')).toBe('identityClientId');
  });

  it('when the web app is configured, then it runs Node 22 LTS always on, with /healthz as health check and PUBLIC_BASE_URL from its host name', () => {
    const [site] = resource(file('modules/webapp.bicep'), 'Microsoft.Web/sites');
    const config = entries(block(site?.body ?? '', 'siteConfig'));
    expect(config.get('linuxFxVersion')).toBe("'NODE|22-lts'");
    expect(config.get('alwaysOn')).toBe('true');
    expect(config.get('healthCheckPath')).toBe("'/healthz'");
    expect(config.get('appCommandLine')).toBe("'node dist/src/main.js'");
    expect(read('src/bot/server.ts')).toContain("server.get('/healthz'");
    expect(packageJson.engines.node).toMatch(/\^22/);
    expect(appSettings().get('PUBLIC_BASE_URL')).toBe("'https://${site.properties.defaultHostName}'");
    expect(appSettings().get('BOT_TYPE')).toBe("'UserAssignedMSI'");
    const [plan] = resource(file('modules/webapp.bicep'), 'Microsoft.Web/serverfarms');
    expect(block(plan?.body ?? '', 'properties')).toMatch(/reserved: true/);
  });

  it('when the app settings are read as the app would see them, then the config schema accepts them and every setting is a known key', () => {
    const env: Record<string, string> = {};
    const shape = configSchema.innerType().shape as Record<string, unknown>;
    for (const [name, raw] of appSettings()) {
      expect({ name, known: name in shape || PLATFORM_SETTINGS.has(name) }).toEqual({ name, known: true });
      const literal = /^'([^'$]*)'$/.exec(raw);
      const sample = literal ? literal[1] : SAMPLE_FOR_EXPRESSION[name];
      expect({ name, sample: sample !== undefined }).toEqual({ name, sample: true });
      env[name] = sample as string;
    }
    const config = loadConfig(env);
    expect(config.localMode).toBe(false);
    expect(config.bot.type).toBe('UserAssignedMSI');
    expect(config.storage.connectionString).toBeUndefined();
    expect(config.storage.tokenAccess?.tableEndpoint).toBe(`https://${SAMPLE_FOR_EXPRESSION.AZURE_STORAGE_ACCOUNT_NAME}.table.core.windows.net`);
    expect(config.graph.auth).toBe('managedIdentity');
    expect(config.telemetry.connectionString).toBeDefined();
  });

  it('when the templates are scanned, then no secret is a literal and the only secret reaches the app as a Key Vault reference', () => {
    for (const [path, f] of files) {
      expect({ path, keys: /AccountKey=|listKeys\(|listKeys\b|connectionString: '|clientSecret|BOT_PASSWORD|GRAPH_CLIENT_SECRET/i.test(f.text) }).toEqual({ path, keys: false });
      for (const [name, p] of f.params) if (p.secure) expect({ path, name, default: p.default }).toEqual({ path, name, default: undefined });
    }
    expect(appSettings().get('TOKEN_ENCRYPTION_KEY')).toMatch(/^'@Microsoft\.KeyVault\(VaultName=\$\{keyVaultName\};SecretName=\$\{tokenEncryptionKeySecretName\}\)'$/);
    expect(appSettings().has('AZURE_STORAGE_CONNECTION_STRING')).toBe(false);
    // The secure parameter goes to the Key Vault module and from there only into the secret.
    expect(main.params.get('tokenEncryptionKey')?.secure).toBe(true);
    expect(file('modules/keyvault.bicep').params.get('tokenEncryptionKey')?.secure).toBe(true);
    // The param declaration and `tokenEncryptionKey: tokenEncryptionKey` into the Key Vault module: nothing else.
    expect([...main.text.matchAll(/\btokenEncryptionKey\b/g)]).toHaveLength(3);
    const [account] = resource(file('modules/storage.bicep'), 'Microsoft.Storage/storageAccounts');
    expect(entries(block(account?.body ?? '', 'properties')).get('allowSharedKeyAccess')).toBe('false');
    const [vault] = resource(file('modules/keyvault.bicep'), 'Microsoft.KeyVault/vaults');
    expect(entries(block(vault?.body ?? '', 'properties')).get('enableRbacAuthorization')).toBe('true');
  });

  it('when alerts are defined, then they cover failed syncs, 900421, parked messages and 5xx with the metric names the app emits', () => {
    const alerts = read('infra/modules/alerts.bicep');
    expect(alerts).toContain(`"${METRIC_NAMES.syncRuns}"`);
    expect(alerts).toContain(`"${METRIC_NAMES.mfaRejections}"`);
    expect(alerts).toContain(`"${METRIC_NAMES.outboxParked}"`);
    expect(alerts).toMatch(/metricName: 'Http5xx'/);
    expect(resource(file('modules/alerts.bicep'), 'Microsoft.Insights/scheduledQueryRules')[0]?.loop).toBe(true);
  });
});

describe('infra: toolkit files', () => {
  const yml = read('m365agents.yml');
  const localYml = read('m365agents.local.yml');
  const parametersText = read('infra/azure.parameters.json');

  it('when provision, deploy and publish are read, then they run the toolkit actions in the template order', () => {
    expect(yml).toMatch(/^version: v1\.11$/m);
    const provision = stage(yml, 'provision').map((a) => a.uses);
    const order = ['teamsApp/create', 'arm/deploy', 'teamsApp/validateManifest', 'teamsApp/zipAppPackage', 'teamsApp/validateAppPackage', 'teamsApp/update'];
    expect(provision.filter((u) => order.includes(u))).toEqual(order);
    const arm = stage(yml, 'provision').find((a) => a.uses === 'arm/deploy')?.text ?? '';
    expect(arm).toMatch(/path: \.\/infra\/azure\.bicep/);
    expect(arm).toMatch(/parameters: \.\/infra\/azure\.parameters\.json/);
    expect(arm).toMatch(/bicepCliVersion: v\d+\.\d+\.\d+/);
    const deploy = stage(yml, 'deploy');
    expect(deploy.map((a) => a.uses)).toEqual(['cli/runNpmCommand', 'cli/runNpmCommand', 'cli/runNpmCommand', 'azureAppService/zipDeploy']);
    const zipDeploy = deploy[3]?.text ?? '';
    expect(zipDeploy).toMatch(/resourceId: \$\{\{AZURE_APP_SERVICE_RESOURCE_ID\}\}/);
    expect(zipDeploy).toMatch(/ignoreFile: \.webappignore/);
    expect(existsSync(join(ROOT, '.webappignore'))).toBe(true);
    for (const npm of deploy.slice(1, 3)) {
      const script = /args: run ([\w:]+)/.exec(npm.text)?.[1] as string;
      expect({ script, defined: script in packageJson.scripts }).toEqual({ script, defined: true });
    }
    expect(stage(yml, 'publish').map((a) => a.uses)).toContain('teamsApp/publishAppPackage');
    expect(stage(localYml, 'provision').map((a) => a.uses)).toEqual(expect.arrayContaining(['aadApp/create', 'botFramework/create']));
    expect(localYml).toMatch(/messagingEndpoint: \$\{\{BOT_ENDPOINT\}\}\/api\/messages/);
    expect(localYml).toMatch(/- name: msteams/);
  });

  it('when the yml, parameters and manifest use a variable, then an action or a Bicep output writes it, or env/.env.dev names it', () => {
    const outputs = new Set(main.outputs.keys());
    const writtenByActions = written(yml);
    const used = new Set([...placeholders(yml), ...placeholders(parametersText), ...placeholders(read('appPackage/manifest.json')), ...placeholders(read('infra/entra/partner-center-consent.aad.manifest.json'))]);
    for (const name of used) {
      if (TOOLKIT_BUILT_INS.has(name) || name.startsWith('SECRET_')) continue;
      const source = outputs.has(name) || writtenByActions.has(name) || envDevKeys.has(name);
      expect({ name, source }).toEqual({ name, source: true });
    }
    // The deploy target and the manifest's ids come from provision, not from hand-edited values.
    for (const name of ['AZURE_APP_SERVICE_RESOURCE_ID', 'BOT_ID', 'BOT_DOMAIN']) expect({ name, output: outputs.has(name) }).toEqual({ name, output: true });
    expect(writtenByActions.has('TEAMS_APP_ID')).toBe(true);
  });

  it('when provision writes outputs, then env/.env.dev names every one of them', () => {
    for (const name of [...main.outputs.keys(), ...written(yml)]) expect({ name, inEnvDev: envDevKeys.has(name) }).toEqual({ name, inEnvDev: true });
  });

  it('when the parameters file is read, then it parses, names only declared parameters and gives every required one', () => {
    const parameters = JSON.parse(parametersText) as { parameters: Record<string, { value: unknown }> };
    for (const name of Object.keys(parameters.parameters)) expect({ name, declared: main.params.has(name) }).toEqual({ name, declared: true });
    for (const [name, p] of main.params) if (p.default === undefined) expect({ name, given: name in parameters.parameters }).toEqual({ name, given: true });
    expect(parameters.parameters.tokenEncryptionKey?.value).toBe('${{SECRET_TOKEN_ENCRYPTION_KEY}}');
  });

  it('when the consent app manifest is read, then it is a public client with the Partner Center user_impersonation permission', () => {
    const manifest = JSON.parse(read('infra/entra/partner-center-consent.aad.manifest.json')) as { allowPublicClient: boolean; requiredResourceAccess: { resourceAppId: string; resourceAccess: { id: string; type: string }[] }[] };
    expect(manifest.allowPublicClient).toBe(true);
    expect(manifest.requiredResourceAccess).toEqual([{ resourceAppId: 'fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd', resourceAccess: [{ id: '1cebfa2a-fb4d-419e-b5f9-839b4383e05a', type: 'Scope' }] }]);
  });

  it('when the Graph grant script is read, then it grants every permission the Graph client names', () => {
    const script = read('scripts/azure/grant-graph-permissions.sh');
    const needed = [...read('src/integrations/graph/graph-client.ts').matchAll(/: '(\w+\.\w+(?:\.\w+)*\.All)'/g)].map((m) => m[1] as string);
    expect(needed.length).toBeGreaterThanOrEqual(4);
    const granted = /permissions=\(([^)]*)\)/.exec(script)?.[1]?.split(/\s+/).filter(Boolean) ?? [];
    expect([...new Set(needed)].sort()).toEqual([...granted].sort());
  });
});
