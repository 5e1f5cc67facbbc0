import { aggregateRecords, type NonMfaRecord } from '../../src/domain/principal';
import { applySync, applyVerification, detectPrincipal, methodsProvideMfa, type Principal } from '../../src/domain/compliance';
import { assessListing, planSync } from '../../src/domain/sync';

const T = (iso: string) => new Date(iso);
const rec = (objectId: string, at: string, upn = `${objectId}@contoso.example`): NonMfaRecord => ({
  objectId,
  tenantId: 'tenant-1',
  upn,
  lastNonMfaAt: T(at),
});

describe('aggregateRecords', () => {
  it('when a user appears in several records, then one principal carries the count, first and last time', () => {
    const out = aggregateRecords([
      rec('a', '2026-11-20T10:00:00Z'),
      rec('b', '2026-11-19T08:00:00Z'),
      rec('a', '2026-11-18T09:00:00Z'),
      rec('a', '2026-11-21T07:30:00Z', 'a.new@contoso.example'),
    ]);
    const a = out.find((p) => p.objectId === 'a')!;
    expect(out).toHaveLength(2);
    expect(a.recordCount).toBe(3);
    expect(a.firstNonMfaAt.toISOString()).toBe('2026-11-18T09:00:00.000Z');
    expect(a.lastNonMfaAt.toISOString()).toBe('2026-11-21T07:30:00.000Z');
    expect(a.upn).toBe('a.new@contoso.example');
  });

  it('when there are no records, then there are no principals', () => {
    expect(aggregateRecords([])).toEqual([]);
  });
});

describe('applySync', () => {
  const syncAt = T('2026-11-22T12:00:00Z');
  const base = (): Principal => detectPrincipal(aggregateRecords([rec('a', '2026-11-20T10:00:00Z')])[0]!, T('2026-11-21T12:00:00Z'));

  it('when a non-compliant principal is still listed with the same records, then nothing changes', () => {
    const p = base();
    const listed = aggregateRecords([rec('a', '2026-11-20T10:00:00Z')])[0];
    expect(applySync(p, listed, syncAt).change).toBe('unchanged');
  });

  it('when a non-compliant principal has a newer record, then it is updated and stays in its episode', () => {
    const { next, change } = applySync(base(), aggregateRecords([rec('a', '2026-11-22T09:00:00Z')])[0], syncAt);
    expect(change).toBe('updated');
    expect(next.status).toBe('nonCompliant');
    expect(next.episode).toBe(1);
    expect(next.lastNonMfaAt.toISOString()).toBe('2026-11-22T09:00:00.000Z');
  });

  it('when a non-compliant principal is no longer listed, then it is resolved as not listed', () => {
    const { next, change } = applySync(base(), undefined, syncAt);
    expect(change).toBe('resolved');
    expect(next).toMatchObject({ status: 'compliant', resolution: 'notListed', resolvedAt: syncAt });
  });

  it('when a verified principal shows no non-MFA request after registration, then it becomes compliant', () => {
    const verified = applyVerification(base(), { checkedAt: T('2026-11-21T15:00:00Z'), outcome: 'registered', source: 'registrationDetails', methods: ['microsoftAuthenticatorPush'] });
    expect(verified.status).toBe('verificationPending');
    const { next, change } = applySync(verified, aggregateRecords([rec('a', '2026-11-20T10:00:00Z')])[0], syncAt);
    expect(change).toBe('resolved');
    expect(next).toMatchObject({ status: 'compliant', resolution: 'verified' });
  });

  it('when a verified principal still makes non-MFA requests after registration, then it is non-compliant again in the same episode', () => {
    const verified = applyVerification(base(), { checkedAt: T('2026-11-21T15:00:00Z'), outcome: 'registered', source: 'registrationDetails', methods: [] });
    const { next, change } = applySync(verified, aggregateRecords([rec('a', '2026-11-22T08:00:00Z')])[0], syncAt);
    expect(change).toBe('updated');
    expect(next.status).toBe('nonCompliant');
    expect(next.episode).toBe(1);
  });

  it('when a compliant principal reappears with a new non-MFA request, then a new episode starts', () => {
    const resolved = applySync(base(), undefined, T('2026-11-21T13:00:00Z')).next;
    const { next, change } = applySync(resolved, aggregateRecords([rec('a', '2026-11-22T08:00:00Z')])[0], syncAt);
    expect(change).toBe('reappeared');
    expect(next).toMatchObject({ status: 'nonCompliant', episode: 2, episodeStartedAt: syncAt, resolvedAt: undefined });
  });

  it('when a principal resolved as not listed is listed again with the same records, then it is non-compliant again in the same episode', () => {
    const resolved = applySync(base(), undefined, T('2026-11-21T13:00:00Z')).next; // e.g. one empty answer
    const { next, change } = applySync(resolved, aggregateRecords([rec('a', '2026-11-20T10:00:00Z')])[0], syncAt);
    expect(change).toBe('updated');
    expect(next).toMatchObject({ status: 'nonCompliant', episode: 1, resolvedAt: undefined, resolution: undefined });
  });

  it('when a compliant principal is listed only with requests from before it was resolved, then it stays compliant', () => {
    const verified = applyVerification(base(), { checkedAt: T('2026-11-21T15:00:00Z'), outcome: 'registered', source: 'registrationDetails', methods: [] });
    const resolved = applySync(verified, undefined, T('2026-11-21T16:00:00Z')).next;
    const { next } = applySync(resolved, aggregateRecords([rec('a', '2026-11-20T10:00:00Z')])[0], syncAt);
    expect(next.status).toBe('compliant');
  });
});

describe('applyVerification', () => {
  const p = detectPrincipal(aggregateRecords([rec('a', '2026-11-20T10:00:00Z')])[0]!, T('2026-11-21T12:00:00Z'));

  it('when Graph says not registered, then the status stays and the check is recorded', () => {
    const next = applyVerification(p, { checkedAt: T('2026-11-21T13:00:00Z'), outcome: 'notRegistered', source: 'registrationDetails', methods: [] });
    expect(next.status).toBe('nonCompliant');
    expect(next.lastVerification?.outcome).toBe('notRegistered');
  });

  it('when a pending principal verifies again, then the first registration time is kept', () => {
    const once = applyVerification(p, { checkedAt: T('2026-11-21T13:00:00Z'), outcome: 'registered', source: 'registrationDetails', methods: [] });
    const twice = applyVerification(once, { checkedAt: T('2026-11-21T18:00:00Z'), outcome: 'registered', source: 'registrationDetails', methods: [] });
    expect(twice.mfaRegisteredAt?.toISOString()).toBe('2026-11-21T13:00:00.000Z');
  });
});

describe('methodsProvideMfa', () => {
  it.each([
    [['#microsoft.graph.passwordAuthenticationMethod'], false],
    [['#microsoft.graph.passwordAuthenticationMethod', '#microsoft.graph.emailAuthenticationMethod'], false],
    [['#microsoft.graph.passwordAuthenticationMethod', '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod'], true],
    [['#microsoft.graph.fido2AuthenticationMethod'], true],
    [['phoneAuthenticationMethod'], true],
  ])('when the methods are %j, then MFA-capable is %s', (types, expected) => {
    expect(methodsProvideMfa(types)).toBe(expected);
  });
});

describe('planSync', () => {
  const syncAt = T('2026-11-22T12:00:00Z');

  it('when principals are new, resolved and unchanged, then only changes are written and counted', () => {
    const unchanged = detectPrincipal(aggregateRecords([rec('keep', '2026-11-20T10:00:00Z')])[0]!, T('2026-11-21T00:00:00Z'));
    const leaving = detectPrincipal(aggregateRecords([rec('gone', '2026-11-16T10:00:00Z')])[0]!, T('2026-11-21T00:00:00Z'));
    const plan = planSync(
      [unchanged, leaving],
      [rec('keep', '2026-11-20T10:00:00Z'), rec('new1', '2026-11-22T01:00:00Z'), rec('new1', '2026-11-21T01:00:00Z'), rec('new2', '2026-11-22T02:00:00Z')],
      syncAt,
    );
    expect(plan.writes.map((p) => p.objectId).sort()).toEqual(['gone', 'new1', 'new2']);
    expect(plan.counts).toEqual({ records: 4, listed: 3, nonCompliant: 3, new: 2, reappeared: 0, resolved: 1 });
    expect(plan.changes.get('keep')).toBe('unchanged');
  });

  it('when the same sync is planned twice over its own result, then the second plan writes nothing', () => {
    const records = [rec('a', '2026-11-20T10:00:00Z'), rec('b', '2026-11-21T10:00:00Z')];
    const first = planSync([], records, syncAt);
    const second = planSync(first.writes, records, T('2026-11-22T13:00:00Z'));
    expect(second.writes).toEqual([]);
    expect(second.counts.new).toBe(0);
  });
});

describe('assessListing', () => {
  it.each([
    [100, 0, { usable: true, complete: true }],
    [100, 5, { usable: true, complete: true }],
    [0, 0, { usable: true, complete: true }],
    [9_990, 10, { usable: true, complete: false }],
    [100, 6, { usable: false, complete: false }],
    [0, 2, { usable: false, complete: false }],
  ])('when %i records were read and %i skipped, then the listing is %j', (records, skipped, expected) => {
    expect(assessListing(records, skipped)).toMatchObject(expected);
  });
});

describe('planSync with an incomplete listing', () => {
  it('when the listing hit the record cap, then principals missing from it are not resolved', () => {
    const syncAt = T('2026-11-22T12:00:00Z');
    const old = detectPrincipal(aggregateRecords([rec('old', '2026-11-16T10:00:00Z')])[0]!, T('2026-11-21T00:00:00Z'));
    const plan = planSync([old], [rec('new', '2026-11-22T01:00:00Z')], syncAt, { complete: false });
    expect(plan.changes.get('old')).toBe('unchanged');
    expect(plan.writes.map((p) => p.objectId)).toEqual(['new']);
    expect(plan.counts.resolved).toBe(0);
  });
});
