import { startAzurite, type AzuriteHandle } from '../../scripts/lib/azurite';

/** Where the handle lives between globalSetup and globalTeardown (same process, shared globalThis). */
export const AZURITE_HANDLE_KEY = '__mfaShepherdTestAzurite';

type GlobalWithAzurite = typeof globalThis & { [AZURITE_HANDLE_KEY]?: AzuriteHandle };

export function takeAzuriteHandle(): AzuriteHandle | undefined {
  const g = globalThis as GlobalWithAzurite;
  const handle = g[AZURITE_HANDLE_KEY];
  delete g[AZURITE_HANDLE_KEY];
  return handle;
}

/**
 * Starts ONE in-memory Azurite for the whole jest run. Workers are started after this and
 * inherit process.env, so every test sees the same AZURE_STORAGE_CONNECTION_STRING (any value
 * from the shell is replaced: tests never talk to real storage).
 */
export default async function globalSetup(globalConfig?: { selectProjects?: string[] }): Promise<void> {
  // The unit tier alone (`npm run test:unit`) needs no storage: no child process for it.
  const selected = globalConfig?.selectProjects;
  if (selected && selected.length > 0 && selected.every((name) => name === 'unit')) return;
  const azurite = await startAzurite({ inMemory: true });
  (globalThis as GlobalWithAzurite)[AZURITE_HANDLE_KEY] = azurite;
  process.env['AZURE_STORAGE_CONNECTION_STRING'] = azurite.connectionString;
}
