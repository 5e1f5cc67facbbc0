export { createGraphClient, type GraphClientOptions } from './graph-client';
export { createTokenBucket, REPORTS_LIMIT, type RateLimiter, type TokenBucketOptions } from './rate-limiter';
export { NON_PREMIUM_CODE } from './wire';
