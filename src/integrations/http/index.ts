export * from './http-client';
export * from './retry-policy';
