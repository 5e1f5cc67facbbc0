import type { Logger } from '../../src/app/ports';

/** A logger that drops everything: for components under test whose logs nobody reads. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
