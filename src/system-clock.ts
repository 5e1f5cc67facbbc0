import type { Clock } from './domain/clock';

/** The wall clock, for production wiring. The domain never reads it: it gets a Clock passed in. */
export const systemClock: Clock = { now: () => new Date() };
