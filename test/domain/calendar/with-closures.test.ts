import { businessDayInfo, createBusinessCalendar, dueAt, withClosures } from '../../../src/domain/calendar';

describe('withClosures: the partner calendar is the configured one plus the admins’ closures', () => {
  const base = createBusinessCalendar({ zone: 'Europe/Berlin', holidays: { country: 'DE' }, closures: [{ from: '2026-12-31', to: '2026-12-31', reason: 'configured' }] });

  it('when closures are added, then the configured holidays, hours and closures stay and the added ones join them, sorted', () => {
    const partner = withClosures(base, [{ from: '2026-12-28', to: '2026-12-30', reason: 'shutdown' }]);
    expect(partner.closures.map((c) => c.reason)).toEqual(['shutdown', 'configured']);
    expect(partner.holidays).toEqual(base.holidays);
    expect(partner.workingHours).toEqual(base.workingHours);
    expect(businessDayInfo(partner, '2026-12-29')).toMatchObject({ isBusinessDay: false });
    expect(businessDayInfo(base, '2026-12-29')).toMatchObject({ isBusinessDay: true });
  });

  it('when there are no closures or one is given twice, then nothing changes or it counts once', () => {
    expect(withClosures(base, [])).toBe(base);
    expect(withClosures(base, [{ from: '2026-12-31', to: '2026-12-31', reason: 'again' }]).closures).toHaveLength(1);
  });

  it('when a closure covers the days after a submission, then the partner calendar moves the due date and the configured one does not', () => {
    const submitted = new Date('2026-11-23T09:00:00Z'); // Monday 10:00 Berlin
    const partner = withClosures(base, [{ from: '2026-11-24', to: '2026-11-24', reason: 'offsite' }]);
    expect(dueAt(base, submitted, 3).toISOString()).toBe('2026-11-26T09:00:00.000Z');
    expect(dueAt(partner, submitted, 3).toISOString()).toBe('2026-11-27T09:00:00.000Z');
  });
});
