export { createOutboxWorker } from './worker';
export {
  DEFAULT_OUTBOX_WORKER_OPTIONS,
  type OutboxCounters,
  type OutboxWorker,
  type OutboxWorkerDeps,
  type OutboxWorkerOptions,
  type ParkedReport,
  type UndeliverableReport,
} from './types';
