/** The technical-exception request: state machine, authorization, draft validation, audit. Pure. */
export * from './request';
export * from './draft';
export * from './rules';
export * from './commands';
export * from './audit';
export * from './errors';
export * from './expiry';
export { cleanText, textLength } from './text';
