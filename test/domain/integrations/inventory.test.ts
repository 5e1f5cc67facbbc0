import {
  emptyIntegration,
  evaluateAlerts,
  integrationsOfUser,
  manualKey,
  mergeInventory,
  rankIntegrations,
  type AdoptionDay,
  type AppRequest,
  type Integration,
} from '../../../src/domain/integrations';

const AT = new Date('2026-11-21T12:00:00.000Z');
const HOUR = 3600_000;
const DAY = 24 * HOUR;

const req = (over: Partial<AppRequest> & Pick<AppRequest, 'applicationId'>, n = 0): AppRequest => ({
  requestId: `r-${over.applicationId}-${n}`,
  correlationId: `c-${n}`,
  operationName: 'Get /v1/customers',
  at: new Date(AT.getTime() - n * HOUR),
  objectId: 'U-1',
  tenantId: 't',
  upn: 'u1@p.example',
  mfaCompliant: false,
  ...over,
});

const day = (applicationId: string, daysAgo: number, mfa: number, total: number, name = 'App'): AdoptionDay => ({
  applicationId,
  applicationName: name,
  day: new Date(AT.getTime() - daysAgo * DAY).toISOString().slice(0, 10),
  mfaCompliantRequestCount: mfa,
  totalRequestCount: total,
});

describe('integration inventory: merging days and apps', () => {
  it('when requests and adoption days arrive for two apps, then each app gets its days, users, operations and IPs', () => {
    const [a, b] = mergeInventory(
      [],
      {
        adoption: [day('APP-A', 0, 3, 5, 'Billing script'), day('APP-A', 1, 0, 4, 'Billing script'), day('app-b', 0, 2, 2, 'Portal')],
        requests: [
          req({ applicationId: 'APP-A', sourceIp: '10.0.0.1' }, 1),
          req({ applicationId: 'APP-A', operationName: 'Get /v1/invoices', objectId: 'U-2', upn: 'svc@p.example' }, 2),
          req({ applicationId: 'app-b', mfaCompliant: true, sourceIp: '10.0.0.9' }, 3),
        ],
      },
      AT,
    ).sort((x, y) => x.key.localeCompare(y.key));
    expect(a?.key).toBe('app-a');
    expect(a?.name).toBe('Billing script');
    expect(a?.days).toEqual({ '2026-11-20': { mfa: 0, nonMfa: 4 }, '2026-11-21': { mfa: 3, nonMfa: 2 } });
    expect(a?.principals.map((p) => [p.objectId, p.nonMfa])).toEqual([
      ['u-1', 1], // equal volume: the most recent first
      ['u-2', 1],
    ]);
    expect(a?.operations.map((o) => o.name).sort()).toEqual(['Get /v1/customers', 'Get /v1/invoices']);
    expect(a?.sourceIps).toEqual(['10.0.0.1']);
    expect(a?.recentNonMfa.map((s) => s.requestId)).toEqual(['r-APP-A-1', 'r-APP-A-2']);
    expect(b?.principals[0]?.nonMfa).toBe(0);
    expect(b?.lastSeen).toEqual(new Date(AT.getTime() - 3 * HOUR));
  });

  it('when the same window is merged twice, then nothing changes the second time (requests are not counted twice)', () => {
    const input = { adoption: [day('a', 0, 1, 3)], requests: [req({ applicationId: 'a' }, 1), req({ applicationId: 'a' }, 2)] };
    const first = mergeInventory([], input, AT);
    expect(mergeInventory(first, input, AT)).toEqual([]);
    expect(first[0]?.principals[0]?.requests).toBe(2);
  });

  it('when an app leaves the 7-day window, then it is kept with its history; days older than 90 are dropped', () => {
    const first = mergeInventory([], { adoption: [day('a', 0, 0, 2), day('a', 95, 0, 1)], requests: [req({ applicationId: 'a' }, 1)] }, AT);
    expect(Object.keys(first[0]!.days)).toEqual(['2026-11-21']);
    const later = new Date(AT.getTime() + 20 * DAY);
    const after = mergeInventory(first, { adoption: [day('b', 0, 1, 1)], requests: [] }, later);
    expect(after.map((i) => i.key)).toEqual(['b']); // a unchanged, still known
    expect(first[0]?.principals).toHaveLength(1);
  });

  it('when an admin set fields, then a sync keeps them', () => {
    const [known] = mergeInventory([], { adoption: [day('a', 0, 0, 1)], requests: [] }, AT);
    const owned: Integration = { ...known!, fields: { owner: { name: 'Ops team' }, impact: 'billing' }, etag: 'e1' };
    const [next] = mergeInventory([owned], { adoption: [day('a', 0, 0, 3)], requests: [] }, AT);
    expect(next?.fields).toEqual(owned.fields);
    expect(next?.etag).toBe('e1');
  });

  it('when an admin names a manual integration, then its key is a slug', () => {
    expect(manualKey('  Quarterly Rebate Script! ')).toBe('manual:quarterly-rebate-script');
  });
});

describe('integration risk: ranking', () => {
  const withDays = (key: string, nonMfa: number, impact?: Integration['fields']['impact']): Integration => ({
    ...emptyIntegration(key, key.toUpperCase(), false, key),
    days: { '2026-11-20': { mfa: 10, nonMfa } },
    fields: impact ? { impact } : {},
  });

  it('when apps fail, then they rank by impact, then volume (unknown impact counts as serious), and apps with MFA come last by name', () => {
    const ranked = rankIntegrations([withDays('zeta', 0), withDays('report', 5000, 'reporting'), withDays('bill', 3, 'billing'), withDays('alpha', 0), withDays('x', 3)], AT);
    expect(ranked.map((r) => r.integration.key)).toEqual(['bill', 'x', 'report', 'alpha', 'zeta']);
    expect(ranked.map((r) => r.willFail)).toEqual([true, true, true, false, false]);
  });

  it('when a user calls through an integration without MFA, then it is named for them', () => {
    const i = { ...withDays('a', 1), principals: [{ objectId: 'u-1', upn: 'u', lastAt: AT, requests: 2, nonMfa: 1 }] };
    const j = { ...withDays('b', 0), principals: [{ objectId: 'u-1', upn: 'u', lastAt: AT, requests: 2, nonMfa: 0 }] };
    expect(integrationsOfUser([i, j], 'U-1').map((x) => x.key)).toEqual(['a']);
  });
});

describe('integration alerts, with a fixed clock', () => {
  const app = (days: Integration['days'], alerts: Integration['alerts'] = {}): Integration => ({ ...emptyIntegration('a', 'App', false, 'a'), days, alerts });
  const d = (daysAgo: number) => new Date(AT.getTime() - daysAgo * DAY).toISOString().slice(0, 10);

  it('when an app appears with non-MFA calls, then one "new non-MFA app" alert is raised, and not again', () => {
    const after = app({ [d(1)]: { mfa: 0, nonMfa: 3 } });
    const first = evaluateAlerts(new Map(), [after], AT);
    expect(first.alerts).toEqual([{ kind: 'newNonMfaApp', key: 'a', name: 'App', nonMfa: 3 }]);
    const remembered = first.updated[0]!;
    expect(remembered.alerts.newNonMfaAt).toEqual(AT);
    expect(evaluateAlerts(new Map([['a', remembered]]), [remembered], new Date(AT.getTime() + DAY)).alerts).toEqual([]);
  });

  it('when an app known with MFA only, then no new-app alert and none for a steady share', () => {
    const steady = app({ [d(1)]: { mfa: 8, nonMfa: 2 }, [d(9)]: { mfa: 8, nonMfa: 2 } });
    const before = app({ [d(9)]: { mfa: 8, nonMfa: 2 } });
    expect(evaluateAlerts(new Map([['a', before]]), [steady], AT).alerts).toEqual([]);
  });

  it('when the non-MFA share rises by 10 points or more, then "rising share" is raised once until it rises further', () => {
    const known = app({ [d(9)]: { mfa: 9, nonMfa: 1 } });
    const rising = app({ [d(9)]: { mfa: 9, nonMfa: 1 }, [d(1)]: { mfa: 7, nonMfa: 3 } });
    const first = evaluateAlerts(new Map([['a', known]]), [rising], AT);
    expect(first.alerts).toEqual([{ kind: 'risingShare', key: 'a', name: 'App', previousShare: 0.1, currentShare: 0.3 }]);
    const again = evaluateAlerts(new Map([['a', first.updated[0]!]]), [first.updated[0]!], AT);
    expect(again.alerts).toEqual([]);
    const further = { ...first.updated[0]!, days: { ...rising.days, [d(0)]: { mfa: 0, nonMfa: 10 } } };
    expect(evaluateAlerts(new Map([['a', further]]), [further], AT).alerts.map((x) => x.kind)).toEqual(['risingShare']);
  });

  it('when there are too few requests, then a share change raises nothing', () => {
    const tiny = app({ [d(9)]: { mfa: 2, nonMfa: 0 }, [d(1)]: { mfa: 0, nonMfa: 2 } });
    expect(evaluateAlerts(new Map([['a', app({ [d(9)]: { mfa: 2, nonMfa: 0 } })]]), [tiny], AT).alerts.filter((x) => x.kind === 'risingShare')).toEqual([]);
  });
});
