import { createBusinessCalendar, type BusinessCalendar } from '../../../src/domain/calendar';

/** Berlin, Monday–Friday 09:00–17:00, German national public holidays. */
export const berlinDE: BusinessCalendar = createBusinessCalendar({ zone: 'Europe/Berlin', holidays: { country: 'DE' } });

/** Same, with Bavaria's public holidays (Epiphany on 6 January, Corpus Christi, …). */
export const berlinBY: BusinessCalendar = createBusinessCalendar({
  zone: 'Europe/Berlin',
  holidays: { country: 'DE', state: 'BY' },
});

/** Tokyo (no DST), Monday–Friday 09:00–17:00, Japanese public holidays. */
export const tokyoJP: BusinessCalendar = createBusinessCalendar({ zone: 'Asia/Tokyo', holidays: { country: 'JP' } });

/** Dubai (UTC+4, no DST), Sunday–Thursday 09:00–17:00, UAE public holidays. */
export const dubaiAE: BusinessCalendar = createBusinessCalendar({
  zone: 'Asia/Dubai',
  workingDays: [7, 1, 2, 3, 4],
  holidays: { country: 'AE' },
});

/** Berlin, German holidays, closed from Friday 2026-07-31 to Tuesday 2026-08-04 for an office move. */
export const berlinWithClosure: BusinessCalendar = createBusinessCalendar({
  zone: 'Europe/Berlin',
  holidays: { country: 'DE' },
  closures: [{ from: '2026-07-31', to: '2026-08-04', reason: 'Office move' }],
});

/** Berlin, open every day of the week 09:00–17:00, no holidays: the DST Sundays are working days. */
export const berlinEveryDay: BusinessCalendar = createBusinessCalendar({
  zone: 'Europe/Berlin',
  workingDays: [1, 2, 3, 4, 5, 6, 7],
});

/** Berlin, every day 00:00–08:00: the working hours contain the DST change itself. */
export const berlinNightShift: BusinessCalendar = createBusinessCalendar({
  zone: 'Europe/Berlin',
  workingDays: [1, 2, 3, 4, 5, 6, 7],
  workingHours: { start: '00:00', end: '08:00' },
});

/** An instant written with its local offset, e.g. at('2026-06-10T11:30+02:00'). */
export const at = (iso: string): Date => new Date(iso);
