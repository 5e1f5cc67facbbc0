import type { AdminAction, AdminAuditEntry, AuditChannel } from '../domain/admin-audit';
import type { Clock } from '../domain/clock';
import { describeError } from '../domain/errors';
import type { AdminAuditStore, Logger } from './ports';

export interface AuditInput {
  actorId: string;
  action: AdminAction;
  channel: AuditChannel;
  target?: string;
  from?: string;
  to?: string;
  note?: string;
  /** The operation's correlation id when it has one (a sync run's); otherwise a new one. */
  correlationId?: string;
}

export type RecordAdminAction = (input: AuditInput) => Promise<AdminAuditEntry>;

/**
 * Write one admin audit entry. Called after the action succeeded. A failed write is logged at
 * error level and rethrown: the caller tells the admin the action happened but its audit did not
 * (the tab answers 503 with that code; chat says so), so nobody believes a trail that has a gap.
 */
export function createAdminAuditRecorder(deps: { store: AdminAuditStore; tenantId: string; clock: Clock; ids: { newId(): string }; logger: Logger }): RecordAdminAction {
  return async (input) => {
    const entry: AdminAuditEntry = {
      id: deps.ids.newId(),
      tenantId: deps.tenantId,
      at: deps.clock.now(),
      actorId: input.actorId.toLowerCase(),
      action: input.action,
      channel: input.channel,
      correlationId: input.correlationId ?? deps.ids.newId(),
      ...(input.target === undefined ? {} : { target: input.target }),
      ...(input.from === undefined ? {} : { from: input.from }),
      ...(input.to === undefined ? {} : { to: input.to }),
      ...(input.note === undefined ? {} : { note: input.note }),
    };
    try {
      await deps.store.append(entry);
    } catch (error) {
      deps.logger.error({ audit: { ...entry }, err: describeError(error) }, 'admin audit entry could not be written');
      throw error;
    }
    deps.logger.info({ audit: { action: entry.action, actorId: entry.actorId, target: entry.target, correlationId: entry.correlationId } }, 'admin action audited');
    return entry;
  };
}
