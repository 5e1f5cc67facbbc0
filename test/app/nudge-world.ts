import { createNudgeActions } from '../../src/app/nudge-actions';
import { createNudgeSweep, type NudgeSweepDeps } from '../../src/app/nudge-sweep';
import type { Outbox, OutboxMessage } from '../../src/app/ports';
import { FixedClock } from '../../src/domain/clock';
import type { Principal } from '../../src/domain/compliance';
import { AppError, ErrorCodes } from '../../src/domain/errors';
import type { ExceptionRequest } from '../../src/domain/exception';
import { createNudgePolicy, type NudgePolicy } from '../../src/domain/nudge';
import type { Storage } from '../../src/storage';
import { label } from '../domain/nudge/simulate';
import { newStorage, principal, TENANT } from '../storage/helpers';
import { silentLogger } from '../support/silent-logger';

export const ADMINS = ['admin-1', 'admin-2'];
export const HOUR = 60 * 60_000;

/** The port of the durable outbox, recording every enqueue (duplicates included, so they show). */
export class RecordingOutbox implements Outbox {
  readonly enqueued: { at: Date; message: OutboxMessage }[] = [];
  constructor(private readonly clock: FixedClock) {}
  enqueue(messages: readonly OutboxMessage[]): Promise<void> {
    for (const message of messages) this.enqueued.push({ at: this.clock.now(), message });
    return Promise.resolve();
  }
}

/** Graph's /manager as the sweep sees it: a manager, none, or the user gone (GRAPH_NOT_FOUND). */
export class FakeGraph {
  readonly managers = new Map<string, string | undefined>();
  readonly gone = new Set<string>();
  readonly calls: string[] = [];
  getManager(objectId: string): Promise<{ id: string } | undefined> {
    this.calls.push(objectId);
    if (this.gone.has(objectId)) return Promise.reject(new AppError(ErrorCodes.GraphNotFound, 'not found'));
    const id = this.managers.get(objectId);
    return Promise.resolve(id === undefined ? undefined : { id });
  }
}

export interface World {
  storage: Storage;
  clock: FixedClock;
  outbox: RecordingOutbox;
  graph: FakeGraph;
  exceptions: ExceptionRequest[];
  policy: NudgePolicy;
  sweepDeps: (instanceId?: string) => NudgeSweepDeps;
  sweep: (instanceId?: string) => ReturnType<ReturnType<typeof createNudgeSweep>>;
  actions: ReturnType<typeof createNudgeActions>;
  /** Sweep every `stepMs` from now until `end` (inclusive). */
  runUntil: (end: Date, stepMs?: number) => Promise<void>;
  /** A non-compliant user whose first notice went out at `noticeAt`, with a chat and (optionally) a zone and a manager. */
  addUser: (objectId: string, opts: { noticeAt: Date; zone?: string; manager?: string; principal?: Partial<Principal>; notice?: 'sent' | 'none' }) => Promise<void>;
  /** What was enqueued: 'reminder u1 Wed 2026-03-04 10:00' in `zone`. */
  sent: (zone: string, objectId?: string) => string[];
}

export async function newWorld(start: string): Promise<World> {
  const storage = await newStorage();
  const clock = new FixedClock(start);
  const outbox = new RecordingOutbox(clock);
  const graph = new FakeGraph();
  const exceptions: ExceptionRequest[] = [];
  const policy = createNudgePolicy();
  const sweepDeps = (instanceId = 'instance-a'): NudgeSweepDeps => ({
    tenantId: TENANT,
    principals: storage.principals,
    nudges: storage.nudges,
    notices: storage.notices,
    contacts: storage.contacts,
    exceptions: { listAll: () => Promise.resolve(exceptions) },
    settings: storage.settings,
    graph,
    outbox,
    leases: storage.leases,
    policy,
    adminIds: ADMINS,
    defaultTimezone: 'Europe/London',
    clock,
    logger: silentLogger,
    instanceId,
  });
  const world: World = {
    storage,
    clock,
    outbox,
    graph,
    exceptions,
    policy,
    sweepDeps,
    sweep: (instanceId) => createNudgeSweep(sweepDeps(instanceId))(),
    actions: createNudgeActions({ tenantId: TENANT, principals: storage.principals, nudges: storage.nudges, contacts: storage.contacts, settings: storage.settings, exceptions: { listAll: () => Promise.resolve(exceptions) }, policy, defaultTimezone: 'Europe/London', clock }),
    async runUntil(end, stepMs = HOUR) {
      for (let t = clock.now().getTime(); t <= end.getTime(); t += stepMs) {
        clock.set(new Date(t));
        await world.sweep();
      }
    },
    async addUser(objectId, opts) {
      await storage.principals.save(principal(objectId, { episodeStartedAt: opts.noticeAt, ...opts.principal }));
      if (opts.notice !== 'none') {
        const key = { tenantId: TENANT, objectId, kind: 'first' as const, episode: opts.principal?.episode ?? 1 };
        await storage.notices.claim(key, opts.noticeAt);
        await storage.notices.markSent(key, opts.noticeAt);
      }
      const address = { channelId: 'msteams', serviceUrl: 'http://x', conversationId: `a:${objectId}`, tenantId: TENANT, userId: `29:${objectId}`, aadObjectId: objectId, userName: `User ${objectId}`, botId: '28:bot' };
      await storage.contacts.recordActivity({ tenantId: TENANT, aadObjectId: objectId, address, ...(opts.zone ? { timezone: opts.zone } : {}), at: opts.noticeAt });
      if (opts.manager) graph.managers.set(objectId, opts.manager);
    },
    sent(zone, objectId) {
      return outbox.enqueued
        .filter((e) => objectId === undefined || e.message.key.startsWith(`nudge:${objectId}:`))
        .map((e) => {
          const [, user, , ...what] = e.message.key.split(':');
          const to = 'aadObjectId' in e.message.to ? e.message.to.aadObjectId : 'channel';
          return `${what.join(':')} ${user ?? ''}→${to} ${label(e.at, zone)}`;
        });
    },
  };
  return world;
}
