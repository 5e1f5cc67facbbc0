import type { Clock } from '../domain/clock';
import { AppError, ErrorCodes } from '../domain/errors';
import { isExcluded, newExclusion, type Exclusion } from '../domain/exclusion';
import type { ExclusionStore, PrincipalStore } from './ports';
import type { RecordAdminAction } from './admin-audit';
import type { AuditChannel } from '../domain/admin-audit';

/**
 * Exclusions from notices and nudges. Notices and nudges see the principal list through
 * `withoutExcluded`, so an excluded account is simply not in their list until the exclusion
 * expires (or an admin ends it): nothing to undo when it ends, and no change to either sweep.
 */
export function withoutExcluded<T extends Pick<PrincipalStore, 'listAll' | 'get'>>(principals: T, exclusions: Pick<ExclusionStore, 'listAll' | 'get'>, clock: Clock): T {
  return {
    ...principals,
    async listAll(tenantId: string) {
      const [all, excluded] = await Promise.all([principals.listAll(tenantId), exclusions.listAll(tenantId)]);
      const now = clock.now();
      const skip = new Set(excluded.filter((e) => isExcluded(e, now)).map((e) => e.objectId.toLowerCase()));
      return skip.size === 0 ? all : all.filter((p) => !skip.has(p.objectId.toLowerCase()));
    },
    async get(tenantId: string, objectId: string) {
      const [p, e] = await Promise.all([principals.get(tenantId, objectId), exclusions.get(tenantId, objectId.toLowerCase())]);
      return isExcluded(e, clock.now()) ? undefined : p;
    },
  };
}

function describe(e: Exclusion | undefined, now: Date): string {
  return isExcluded(e, now) && e ? `excluded until ${e.until.toISOString()} (${e.reason})` : 'not excluded';
}

export function createExclusions(deps: { tenantId: string; store: ExclusionStore; clock: Clock; audit: RecordAdminAction }) {
  return {
    async list(): Promise<Exclusion[]> {
      return deps.store.listAll(deps.tenantId);
    },

    /** Exclude (or re-exclude with a new reason/expiry) one account; audited. */
    async exclude(input: { actorId: string; objectId: string; reason: string; until: Date; channel: AuditChannel; correlationId?: string }): Promise<Exclusion> {
      const now = deps.clock.now();
      const objectId = input.objectId.toLowerCase();
      const next = newExclusion({ tenantId: deps.tenantId, objectId, reason: input.reason, until: input.until, by: input.actorId.toLowerCase(), now });
      const current = await deps.store.get(deps.tenantId, objectId);
      const saved = await deps.store.save({ ...next, ...(current?.etag === undefined ? {} : { etag: current.etag }) });
      await deps.audit({ actorId: input.actorId, action: 'exclusion.add', channel: input.channel, target: objectId, from: describe(current, now), to: describe(saved, now), note: saved.reason, correlationId: input.correlationId });
      return saved;
    },

    /** End an active exclusion now; audited. NOT_FOUND when there is none active. */
    async end(input: { actorId: string; objectId: string; channel: AuditChannel; correlationId?: string }): Promise<Exclusion> {
      const now = deps.clock.now();
      const objectId = input.objectId.toLowerCase();
      const current = await deps.store.get(deps.tenantId, objectId);
      if (current === undefined || !isExcluded(current, now)) throw new AppError(ErrorCodes.NotFound, `${objectId} has no active exclusion.`);
      const saved = await deps.store.save({ ...current, endedAt: now, endedBy: input.actorId.toLowerCase() });
      await deps.audit({ actorId: input.actorId, action: 'exclusion.end', channel: input.channel, target: objectId, from: describe(current, now), to: 'not excluded', correlationId: input.correlationId });
      return saved;
    },
  };
}

export type Exclusions = ReturnType<typeof createExclusions>;
