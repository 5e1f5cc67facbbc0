export * from './types';
export * from './inventory';
export * from './risk';
export * from './alerts';
export * from './playbook';
export * from './incident';
