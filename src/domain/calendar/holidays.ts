import Holidays from 'date-holidays';
import { addDays, invalidInput, type LocalDate } from './values';

/** Whose public holidays close the office (codes as date-holidays knows them). */
export interface HolidayRegion {
  /** ISO 3166-1 alpha-2 country code, e.g. `DE`. */
  country: string;
  /** State code within the country, e.g. `BY` (Bavaria). */
  state?: string;
  /** Region code within the state, e.g. `A` (Augsburg). */
  region?: string;
}

const MS_PER_DAY = 86_400_000;
/** Names in English where date-holidays has them, else in the country's own language. */
const LANGUAGES = ['en'];

/** The library's catalogue of countries, states and regions (no rules loaded). */
let catalogue: Holidays | undefined;
/** One instance per region: creating one parses that country's rules. */
const instances = new Map<string, Holidays>();
/** Public holiday names by local date, per region and year. The rules are data, so this is a pure memo. */
const years = new Map<string, ReadonlyMap<LocalDate, readonly string[]>>();

function regionKey(region: HolidayRegion): string {
  return [region.country, region.state ?? '', region.region ?? ''].join('|');
}

/** The listed code that matches `code` case-insensitively, spelled as the library spells it. */
function matchCode(listed: Record<string, string> | undefined, code: unknown): string | undefined {
  if (listed === undefined || typeof code !== 'string') return undefined;
  const wanted = code.trim().toUpperCase();
  return Object.keys(listed).find((key) => key.toUpperCase() === wanted);
}

/**
 * Check a holiday region against the library's catalogue and spell its codes canonically.
 * Throws INPUT_INVALID naming `holidays.country`, `holidays.state` or `holidays.region`.
 */
export function resolveHolidayRegion(input: HolidayRegion): HolidayRegion {
  catalogue ??= new Holidays();
  const country = matchCode(catalogue.getCountries('en'), input.country);
  if (country === undefined) {
    throw invalidInput('holidays.country', `"${String(input.country)}" is not a country with known holidays`);
  }
  if (input.state === undefined) {
    if (input.region !== undefined) throw invalidInput('holidays.region', 'a region needs a state');
    return { country };
  }
  const state = matchCode(catalogue.getStates(country, 'en'), input.state);
  if (state === undefined) {
    throw invalidInput('holidays.state', `"${String(input.state)}" is not a state of ${country} with known holidays`);
  }
  if (input.region === undefined) return { country, state };
  const region = matchCode(catalogue.getRegions(country, state, 'en'), input.region);
  if (region === undefined) {
    throw invalidInput('holidays.region', `"${String(input.region)}" is not a region of ${country}-${state} with known holidays`);
  }
  return { country, state, region };
}

function instanceFor(region: HolidayRegion): Holidays {
  const key = regionKey(region);
  let instance = instances.get(key);
  if (instance === undefined) {
    instance = new Holidays(
      { country: region.country, state: region.state, region: region.region },
      { languages: LANGUAGES },
    );
    instances.set(key, instance);
  }
  return instance;
}

/**
 * Public holidays listed for `year`, by the local dates they cover. Only type `public` closes the
 * office (bank, optional, school and observance days do not: German Christmas Eve is a working day).
 * A holiday is keyed by the date
 * date-holidays gives it (its own local date), not by its start instant: Islamic holidays in some
 * countries start at the previous evening's sunset, yet the day off is the listed date. A holiday
 * lasting several days (Eid al-Fitr in AE: 3) covers that many consecutive dates.
 */
function publicHolidaysOfYear(region: HolidayRegion, year: number): ReadonlyMap<LocalDate, readonly string[]> {
  const key = `${regionKey(region)}|${year}`;
  const cached = years.get(key);
  if (cached !== undefined) return cached;
  const byDate = new Map<LocalDate, string[]>();
  for (const holiday of instanceFor(region).getHolidays(year)) {
    if (holiday.type !== 'public') continue;
    const days = Math.max(1, Math.round((holiday.end.getTime() - holiday.start.getTime()) / MS_PER_DAY));
    const first = holiday.date.slice(0, 10);
    for (let i = 0; i < days; i += 1) {
      const date = addDays(first, i);
      const names = byDate.get(date) ?? [];
      if (!names.includes(holiday.name)) names.push(holiday.name);
      byDate.set(date, names);
    }
  }
  years.set(key, byDate);
  return byDate;
}

/** Names of the public holidays on `date` in `region`; empty when it is not one. */
export function publicHolidaysOn(region: HolidayRegion, date: LocalDate): readonly string[] {
  const year = Number(date.slice(0, 4));
  // A multi-day holiday listed late in the previous year can reach into this one.
  return [
    ...(publicHolidaysOfYear(region, year).get(date) ?? []),
    ...(publicHolidaysOfYear(region, year - 1).get(date) ?? []),
  ];
}
