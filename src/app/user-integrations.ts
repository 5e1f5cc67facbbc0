import type { Clock } from '../domain/clock';
import { integrationsByUser, type UserIntegration } from '../domain/integrations';
import { canonicalId } from '../domain/principal';
import type { IntegrationStore } from './integration-ports';

export interface UserIntegrationsDeps {
  integrations: Pick<IntegrationStore, 'listAll'>;
  clock: Clock;
}

/**
 * Which apps called Partner Center without MFA as whom: the integration inventory read once and
 * indexed by user, so a sweep over thousands of users asks storage once. Storage errors propagate
 * (callers decide whether a notice waits for the names or goes without them).
 */
export function createUserIntegrations(deps: UserIntegrationsDeps) {
  return async function integrationsOfUsers(): Promise<(objectId: string) => readonly UserIntegration[]> {
    const byUser = integrationsByUser(await deps.integrations.listAll(), deps.clock.now());
    return (objectId) => byUser.get(canonicalId(objectId)) ?? [];
  };
}

export type UserIntegrations = ReturnType<typeof createUserIntegrations>;
