import type { Clock } from '../domain/clock';
import { describeError } from '../domain/errors';
import { upnDomain } from '../domain/verification';
import type { Graph, Logger } from './ports';

export interface FederationDeps {
  graph: Pick<Graph, 'getDomain' | 'getUser'>;
  clock: Clock;
  logger: Logger;
  /** How long a domain's answer is kept (default 1 hour: federation settings rarely change). */
  ttlMs?: number;
}

/**
 * Whether a user signs in through a federated domain (Graph `domains/{name}`, `authenticationType`
 * "Federated"): then MFA happens at their identity provider, which must pass the MFA claim to
 * Entra ID. Answers are cached per domain; a Graph failure is not cached and counts as "not
 * known to be federated" (the walkthrough then shows the ordinary path, which is never wrong).
 */
export function createFederationCheck(deps: FederationDeps) {
  const ttlMs = deps.ttlMs ?? 3600_000;
  const cache = new Map<string, { federated: boolean; until: number }>();

  async function isFederated(domain: string): Promise<boolean | undefined> {
    const now = deps.clock.now().getTime();
    const hit = cache.get(domain);
    if (hit !== undefined && hit.until > now) return hit.federated;
    if (deps.graph.getDomain === undefined) return undefined;
    try {
      const found = await deps.graph.getDomain(domain);
      const federated = found?.authenticationType.toLowerCase() === 'federated';
      cache.set(domain, { federated, until: now + ttlMs });
      return federated;
    } catch (error) {
      deps.logger.warn({ domain, err: describeError(error) }, 'could not read whether a domain is federated');
      return undefined;
    }
  }

  /** The user's federated domain, or undefined (managed, unknown, or Graph did not answer). */
  async function federatedDomainOf(objectId: string, knownUpn?: string): Promise<string | undefined> {
    let upn = knownUpn;
    if (upnDomain(upn) === undefined && deps.graph.getUser !== undefined) {
      try {
        upn = (await deps.graph.getUser(objectId)).userPrincipalName;
      } catch (error) {
        deps.logger.warn({ objectId, err: describeError(error) }, 'could not read the user for the federation check');
        return undefined;
      }
    }
    const domain = upnDomain(upn);
    if (domain === undefined) return undefined;
    return (await isFederated(domain)) === true ? domain : undefined;
  }

  return { federatedDomainOf };
}

export type FederationCheck = ReturnType<typeof createFederationCheck>;
