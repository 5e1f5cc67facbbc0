import { createFederationCheck } from '../../src/app/federation';
import type { Logger } from '../../src/app/ports';
import { FixedClock } from '../../src/domain/clock';
import { createGraphClient } from '../../src/integrations/graph';
import { createAppTokenProvider, createNetworkClient } from '../../src/integrations/identity';
import { FEDERATED_DOMAIN, FEDERATED_PLAYGROUND_USER_ID, PARTNER_TENANT_ID, PLAYGROUND_USER_ID } from '../../sandbox';
import { recordingHttp, useSandbox } from './support/harness';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Federation detection with the real Graph client against the sandbox: its answers and its cache. */
describe('federation check', () => {
  const env = useSandbox();
  const start = new Date('2026-11-23T10:00:00Z');

  function check(clock: FixedClock) {
    const tokens = createAppTokenProvider({
      clientId: 'graph-app-id',
      clientSecret: 'graph-app-secret',
      tenantId: PARTNER_TENANT_ID,
      networkClient: createNetworkClient({ endpointOverride: `${env().sandbox.url}/entra` }),
    });
    const graph = createGraphClient({ baseUrl: `${env().sandbox.url}/graph`, getToken: () => tokens.getToken(), http: recordingHttp().http });
    return createFederationCheck({ graph, clock, logger: silent, ttlMs: 3600_000 });
  }
  const domainCalls = async () => (await env().control.requests('graph')).filter((r) => r.path.startsWith('/graph/v1.0/domains/'));

  it('when the user is on a federated domain, then it is named, read from Graph once within the hour, again after it', async () => {
    const clock = new FixedClock(start);
    const federation = check(clock);
    expect(await federation.federatedDomainOf(FEDERATED_PLAYGROUND_USER_ID, `pattif@${FEDERATED_DOMAIN}`)).toBe(FEDERATED_DOMAIN);
    expect(await federation.federatedDomainOf(FEDERATED_PLAYGROUND_USER_ID, `PATTIF@${FEDERATED_DOMAIN.toUpperCase()}`)).toBe(FEDERATED_DOMAIN);
    expect(await domainCalls()).toHaveLength(1);
    clock.set(new Date(start.getTime() + 3600_001));
    await federation.federatedDomainOf(FEDERATED_PLAYGROUND_USER_ID, `pattif@${FEDERATED_DOMAIN}`);
    expect(await domainCalls()).toHaveLength(2);
  });

  it('when the UPN is not known, then the user is read from Graph for it', async () => {
    const federation = check(new FixedClock(start));
    expect(await federation.federatedDomainOf(FEDERATED_PLAYGROUND_USER_ID)).toBe(FEDERATED_DOMAIN);
    expect((await env().control.requests('graph')).some((r) => r.path.startsWith(`/graph/v1.0/users/${FEDERATED_PLAYGROUND_USER_ID}?`))).toBe(true);
  });

  it('when the domain is managed or unknown to the tenant, then the user is not federated', async () => {
    const federation = check(new FixedClock(start));
    expect(await federation.federatedDomainOf(PLAYGROUND_USER_ID, 'alexw@example.com')).toBeUndefined();
    expect(await federation.federatedDomainOf('x', 'x@nowhere.example')).toBeUndefined();
  });

  it('when Graph fails, then the user counts as not federated for now and the failure is not cached', async () => {
    const federation = check(new FixedClock(start));
    await env().control.fault({ target: 'graph', kind: 'serverError', times: 3 });
    expect(await federation.federatedDomainOf(FEDERATED_PLAYGROUND_USER_ID, `pattif@${FEDERATED_DOMAIN}`)).toBeUndefined();
    expect(await federation.federatedDomainOf(FEDERATED_PLAYGROUND_USER_ID, `pattif@${FEDERATED_DOMAIN}`)).toBe(FEDERATED_DOMAIN);
  });
});
