import { effectiveStatus, exceptionCovers, type ExceptionStatus } from '../../../src/domain/exception';
import { GRANTED_UNTIL, requestIn, T } from './builders';

describe('effectiveStatus', () => {
  const granted = requestIn('granted');

  it.each([
    ['2027-06-29T23:59:59.999Z', 'granted', true],
    [GRANTED_UNTIL, 'expired', false],
    ['2027-07-01T00:00:00Z', 'expired', false],
  ])('when a request granted until 2027-06-30 is looked at %s, then it is %s (covers: %s)', (now, status, covers) => {
    expect(effectiveStatus(granted, T(now))).toBe(status);
    expect(exceptionCovers(granted, T(now))).toBe(covers);
  });

  it('when a grant has no end date, then it never expires', () => {
    const openEnded = { ...granted, grantedUntil: undefined };
    expect(effectiveStatus(openEnded, T('2100-01-01T00:00:00Z'))).toBe('granted');
    expect(exceptionCovers(openEnded, T('2100-01-01T00:00:00Z'))).toBe(true);
  });

  it.each<ExceptionStatus>(['draft', 'inReview', 'changesRequested', 'approved', 'rejected', 'withdrawn', 'submittedToMicrosoft', 'denied'])(
    'when a request is %s, then its effective status is the stored one and it covers nobody, even with an end date in the past',
    (status) => {
      const request = { status, grantedUntil: T('2020-01-01T00:00:00Z') };
      expect(effectiveStatus(request, T('2027-01-01T00:00:00Z'))).toBe(status);
      expect(exceptionCovers(request, T('2027-01-01T00:00:00Z'))).toBe(false);
    },
  );
});
