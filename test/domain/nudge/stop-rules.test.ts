import { newExceptionRequest, type ExceptionRequest, type ExceptionStatus } from '../../../src/domain/exception';
import { exceptionStop, newNudgeState, reconcileStop, stopFor, wantedStop, type NudgeState } from '../../../src/domain/nudge';

const NOW = new Date('2026-03-10T12:00:00Z');
const LATER = new Date('2026-06-30T00:00:00Z');
const EARLIER = new Date('2026-03-01T00:00:00Z');

function request(status: ExceptionStatus, grantedUntil?: Date): ExceptionRequest {
  return { ...newExceptionRequest({ id: `r-${status}`, requesterId: 'user-1', requesterUpn: 'user@contoso.example', at: EARLIER }), status, grantedUntil };
}

const fresh = (): NudgeState => newNudgeState('user-1', 1);

describe('nudge stop rules', () => {
  it.each<[ExceptionStatus, string | undefined]>([
    ['inReview', 'exceptionPending'],
    ['approved', 'exceptionPending'],
    ['submittedToMicrosoft', 'exceptionPending'],
    ['granted', 'exceptionGranted'],
    ['rejected', undefined],
  ])('when the only request is %s, then the exception stop is %s', (status, reason) => {
    expect(exceptionStop([request(status)], NOW)?.reason).toBe(reason);
  });

  it('when two granted requests have end dates, then the stop lasts until the later one; a pending request wins over both', () => {
    expect(exceptionStop([request('granted', new Date('2026-04-01T00:00:00Z')), request('granted', LATER)], NOW)).toEqual({ reason: 'exceptionGranted', until: LATER });
    expect(exceptionStop([request('granted', LATER), request('inReview')], NOW)).toEqual({ reason: 'exceptionPending' });
  });

  it('when the user blocked the bot and has a pending request, then the wanted stop is "blocked"', () => {
    expect(wantedStop({ blocked: true, requests: [request('inReview')] }, NOW)).toEqual({ reason: 'blocked' });
  });

  it('when a stop is wanted and none is stored, then it is stored, and a first block is reported as new', () => {
    const r = reconcileStop(fresh(), { reason: 'blocked' }, NOW);
    expect(r).toMatchObject({ changed: true, newlyBlocked: true, state: { stopped: { reason: 'blocked' } } });
    expect(reconcileStop(r.state, { reason: 'blocked' }, NOW)).toMatchObject({ changed: false, newlyBlocked: false });
  });

  it('when the user is no longer in the tenant, then no other stop replaces that, and none lifts it', () => {
    const gone = stopFor(fresh(), 'notInTenant');
    expect(reconcileStop(gone, { reason: 'exceptionPending' }, NOW)).toEqual({ state: gone, changed: false, newlyBlocked: false });
    expect(reconcileStop(gone, undefined, NOW)).toEqual({ state: gone, changed: false, newlyBlocked: false });
  });

  it('when a pending exception is withdrawn, then the stop lifts; a granted exception with an end date stays to lift on its own', () => {
    const lifted = reconcileStop(stopFor(fresh(), 'exceptionPending'), undefined, NOW);
    expect(lifted.changed).toBe(true);
    expect(lifted.state.stopped).toBeUndefined();
    expect(lifted.state.resumedAt).toEqual(NOW);

    const granted = stopFor(fresh(), 'exceptionGranted', LATER);
    expect(reconcileStop(granted, undefined, NOW)).toEqual({ state: granted, changed: false, newlyBlocked: false });
  });
});
