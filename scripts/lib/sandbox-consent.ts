import { loadConfig } from '../../src/config';
import { createNetworkClient, createPartnerCenterAuth } from '../../src/integrations/identity';
import { createStorage } from '../../src/storage';

/**
 * The Secure Application Model's one-time consent, done for the developer against the sandbox:
 * the same code path an admin takes with `connect partner center` (device code, MFA, encrypted
 * token cache in storage), with the sandbox approving the code. Skipped when already connected.
 */
export async function connectSandboxPartnerCenter(env: NodeJS.ProcessEnv): Promise<{ account?: string; already: boolean }> {
  const config = loadConfig(env);
  if (!config.identityEndpointOverride || !config.partnerCenter.clientId) {
    throw new Error('the playground environment must point IDENTITY_ENDPOINT_OVERRIDE at the sandbox and set PARTNER_CENTER_CLIENT_ID');
  }
  const storage = await createStorage({
    connectionString: config.storage.connectionString,
    tablePrefix: config.storage.tablePrefix,
    encryptionKey: config.tokenEncryptionKey,
    previousEncryptionKeys: config.previousTokenEncryptionKeys,
  });
  const auth = createPartnerCenterAuth({
    clientId: config.partnerCenter.clientId,
    tenantId: config.partnerCenter.tenantId,
    secrets: storage.secrets,
    networkClient: createNetworkClient({ endpointOverride: config.identityEndpointOverride }),
  });
  const status = await auth.status();
  if (status.connected) {
    try {
      // Redeem the refresh token rather than trust msal's cached access token: only the sandbox can
      // say whether it still knows the sign-in (its state lives in .data/sandbox).
      const token = await auth.getAccessToken({ forceRefresh: true });
      if (token.hasMfa) return { account: status.account, already: true };
    } catch {
      // the stored sign-in no longer works (e.g. .data/sandbox was deleted): consent again below
    }
  }
  const token = await auth.connectWithDeviceCode(async () => undefined);
  if (!token.hasMfa) throw new Error('the sandbox approved the sign-in without MFA; reset its config (autoApproveDeviceCodes) and retry');
  return { account: token.account, already: false };
}
