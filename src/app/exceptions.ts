import { randomBytes } from 'node:crypto';
import { isAdmin } from '../domain/authorization';
import type { Clock } from '../domain/clock';
import { AppError, ErrorCodes, isAppError } from '../domain/errors';
import {
  applyCommand,
  effectiveStatus,
  isForOther,
  newExceptionRequest,
  renewalOf,
  sameId,
  type DraftFields,
  type AuditEntry,
  type CommandContext,
  type CommandResult,
  type CommandType,
  type ExceptionCommand,
  type ExceptionRequest,
} from '../domain/exception';
import { canonicalId } from '../domain/principal';
import { followUpOf } from './exception-effects';
import type { ExceptionStore, Logger } from './ports';
import { retryOnConflict } from './retry-on-conflict';

/**
 * The technical-exception use cases: open a request, run a command on it (save, submit, withdraw,
 * decide, record Microsoft's side), read it and its history. The domain decides; this file reads,
 * writes under the etag with the audit entry in the same transaction, and re-decides on a conflict
 * (so the second of two approvers gets the domain's "already decided by …" refusal). What a change
 * owes (approval cards, the requester told, …) is written with it and run by `followUps`.
 */
export interface ExceptionsDeps {
  store: ExceptionStore;
  adminIds: ReadonlySet<string>;
  approverIds: ReadonlySet<string>;
  /** Different approvers a request needs (EXCEPTION_APPROVALS_REQUIRED); default 1. */
  approvalsRequired?: number;
  clock: Clock;
  logger: Logger;
  /** New request ids (random; tests give fixed ones). Default: `randomRequestId`. */
  ids?: RequestIds;
  /** Told after a change was stored with a follow-up, to run it now (it is durable already). */
  followUps?: { afterChange(requestId: string): void };
}

export interface RequestIds {
  newRequestId(): string;
}

/** Statuses in which a request is still the requester's current one (a new one is not opened beside it). */
const OPEN_STATUSES = new Set(['draft', 'changesRequested', 'inReview', 'approved', 'submittedToMicrosoft']);

/** Commands an approver runs: the approver list decides; the other admin commands: the admin list. */
const APPROVER_COMMANDS: ReadonlySet<CommandType> = new Set(['approve', 'reject', 'requestChanges']);

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * `EXC-XXXX-XXXX`: 40 bits from a cryptographic source in Crockford base 32 (no I, L, O, U), so an
 * id says nothing about who asked or when, cannot be guessed from another one, and is still short
 * enough to type in `history`.
 */
export function randomRequestId(random: (bytes: number) => Uint8Array = randomBytes): string {
  let value = 0n;
  for (const byte of random(5)) value = (value << 8n) | BigInt(byte);
  let out = '';
  for (let i = 0; i < 8; i += 1) {
    out = (CROCKFORD[Number(value & 31n)] ?? '0') + out;
    value >>= 5n;
  }
  return `EXC-${out.slice(0, 4)}-${out.slice(4)}`;
}

/**
 * A typed request id, forgiving of case, spaces, a missing `EXC-` and the letters Crockford reads
 * as digits (O as 0, I and L as 1); undefined when it cannot be one. Both shapes: `EXC-XXXX-XXXX`,
 * and `EXC-XXXXXXX` as ids were made before.
 */
export function normaliseRequestId(text: string | undefined): string | undefined {
  const raw = (text ?? '').trim().toUpperCase().replace(/[\s-]+/g, '');
  const body = (raw.startsWith('EXC') ? raw.slice(3) : raw).replace(/O/g, '0').replace(/[IL]/g, '1');
  if (!/^[0-9A-HJKMNP-TV-Z]{7,8}$/.test(body)) return undefined;
  return body.length === 8 ? `EXC-${body.slice(0, 4)}-${body.slice(4)}` : `EXC-${body}`;
}

export function createExceptions(deps: ExceptionsDeps) {
  const now = () => deps.clock.now();

  const contextFor = (actor: string, command: CommandType): CommandContext => {
    const id = canonicalId(actor);
    const allowed = APPROVER_COMMANDS.has(command) ? deps.approverIds : deps.adminIds;
    return { actor: id, isAdmin: isAdmin(id, allowed), at: now(), approvalsRequired: deps.approvalsRequired ?? 1 };
  };

  const mayView = (request: ExceptionRequest, viewer: string): boolean =>
    sameId(request.requesterId, viewer) || isAdmin(canonicalId(viewer), deps.adminIds) || isAdmin(canonicalId(viewer), deps.approverIds);

  const ids = deps.ids ?? { newRequestId: () => randomRequestId() };

  /** One answer for a request that does not exist and one the reader may not see: nothing to tell them apart. */
  const notVisible = (id: string) =>
    new AppError(ErrorCodes.NotFound, `There is no exception request ${id} that you can see. Type "my requests" to see yours.`, { expected: true, details: { requestId: id } });

  async function load(id: string): Promise<ExceptionRequest> {
    const request = await deps.store.get(id);
    if (!request) throw notVisible(id);
    return request;
  }

  /** The request, if `viewer` may see it (the requester, approvers, admins); otherwise "not found", to leak nothing. */
  async function view(id: string, viewer: string): Promise<ExceptionRequest> {
    const request = await deps.store.get(id);
    if (request && mayView(request, viewer)) return request;
    if (request) deps.logger.warn({ actor: viewer, requestId: id }, 'exception request view refused');
    throw notVisible(id);
  }

  return {
    async mine(requesterId: string): Promise<ExceptionRequest[]> {
      return newestFirst(await deps.store.listByRequester(canonicalId(requesterId)));
    },

    /**
     * The requester's open request, or a new draft when there is none. One open request per user
     * and subject: a second `exception` reopens the first instead of scattering drafts. An admin
     * filing for a service account or an integration (`subject`) gets one open request per name,
     * beside their own.
     */
    async open(requesterId: string, requesterUpn: string, subject?: Required<Pick<DraftFields, 'subjectKind' | 'subjectName'>>): Promise<{ request: ExceptionRequest; created: boolean }> {
      const requester = canonicalId(requesterId);
      const forOther = subject !== undefined && isForOther(subject);
      if (forOther && !isAdmin(requester, deps.adminIds)) {
        throw new AppError(ErrorCodes.NotAdmin, 'Only MFA Shepherd admins can file an exception request for a service account or an integration. Type "exception" for your own account.');
      }
      const sameSubject = (r: ExceptionRequest): boolean =>
        forOther ? isForOther(r.fields) && (r.fields.subjectName ?? '').toLowerCase() === subject.subjectName.toLowerCase() : !isForOther(r.fields);
      for (let attempt = 0; ; attempt += 1) {
        // One read for both: the open request, or how many there are. The next one claims the slot
        // after those (a row per requester and number): two "exception" clicks at once claim the
        // same slot, one id wins, and both answer with that request (no second draft).
        const mine = await deps.store.listByRequester(requester);
        const existing = newestFirst(mine).find((r) => isOpenRequest(r) && sameSubject(r));
        if (existing) return { request: existing, created: false };
        const id = await deps.store.claimRequestSlot(requester, mine.length + attempt, ids.newRequestId());
        const fresh = newExceptionRequest({ id, requesterId: requester, requesterUpn, at: now() });
        const request = forOther ? { ...fresh, fields: { subjectKind: subject.subjectKind, subjectName: subject.subjectName } } : fresh;
        try {
          return { request: await deps.store.create(request), created: true };
        } catch (error) {
          if (!isAppError(error, ErrorCodes.StorageAlreadyExists) || attempt >= 3) throw error;
          // The winner of the slot created it first: answer with it (read again above).
        }
      }
    },

    view,

    /**
     * Run one command as `actor`. Conflicts (someone changed the request since it was read) are
     * retried by reading again and letting the domain decide again; a refusal changes nothing.
     * Saving a draft that did not change writes nothing (a double click adds no audit line).
     */
    async execute(actor: string, requestId: string, command: ExceptionCommand): Promise<{ request: ExceptionRequest; changed: boolean; audit?: AuditEntry }> {
      return retryOnConflict(async () => {
        const before = await load(requestId);
        // Someone who may not see the request learns nothing from a refusal either (status, requester, decider).
        if (!mayView(before, actor)) {
          deps.logger.warn({ actor, requestId, command: command.type }, 'exception command on a request the actor may not see');
          throw notVisible(requestId);
        }
        let result: CommandResult;
        try {
          result = applyCommand(before, command, contextFor(actor, command.type));
        } catch (error) {
          // Refusals are logged (a non-approver's click, a second approver's late click): the audit of attempts.
          deps.logger.warn({ actor, requestId, command: command.type, refusal: (error as { refusal?: string }).refusal }, 'exception command refused');
          throw error;
        }
        if (command.type === 'saveDraft' && before.status === result.next.status && sameFields(before, result.next)) {
          return { request: before, changed: false };
        }
        const followUp = followUpOf(before, result.next, result.audit);
        const after = await deps.store.apply(result.next, result.audit, followUp);
        deps.logger.info({ actor, requestId, action: result.audit.action, from: result.audit.from, to: result.audit.to }, 'exception request changed');
        if (followUp) deps.followUps?.afterChange(after.id);
        return { request: after, changed: true, audit: result.audit };
      });
    },

    /**
     * Renew a granted (or expired) request: a new draft pre-filled from it, for its requester, unless
     * they already have an open request for the same subject (then that one is answered).
     */
    async renew(actor: string, requestId: string): Promise<{ request: ExceptionRequest; created: boolean }> {
      const old = await view(requestId, actor);
      const ctx = contextFor(actor, 'saveDraft');
      renewalOf(old, { id: old.id, ctx }); // the rules first: who may renew what (throws a refusal)
      const requester = canonicalId(old.requesterId);
      const sameSubject = (r: ExceptionRequest) => (r.fields.subjectKind ?? 'self') === (old.fields.subjectKind ?? 'self') && (r.fields.subjectName ?? '') === (old.fields.subjectName ?? '');
      for (let attempt = 0; ; attempt += 1) {
        const mine = await deps.store.listByRequester(requester);
        const existing = newestFirst(mine).find((r) => isOpenRequest(r) && sameSubject(r));
        if (existing) return { request: existing, created: false };
        const id = await deps.store.claimRequestSlot(requester, mine.length + attempt, ids.newRequestId());
        const { next, audit } = renewalOf(old, { id, ctx: contextFor(actor, 'saveDraft') });
        try {
          const request = await deps.store.create(next, audit);
          deps.logger.info({ actor, requestId: id, renews: old.id }, 'exception request renewed');
          return { request, created: true };
        } catch (error) {
          if (!isAppError(error, ErrorCodes.StorageAlreadyExists) || attempt >= 3) throw error;
        }
      }
    },

    /** The audit log of a request the viewer may see, oldest first. */
    async history(requestId: string, viewer: string): Promise<{ request: ExceptionRequest; entries: AuditEntry[] }> {
      const request = await view(requestId, viewer);
      return { request, entries: await deps.store.history(request.id) };
    },

    /** Whether the user may run the approver commands (the approval card's buttons). */
    isApprover(aadObjectId: string | undefined): boolean {
      return isAdmin(aadObjectId ? canonicalId(aadObjectId) : undefined, deps.approverIds);
    },

    isAdmin(aadObjectId: string | undefined): boolean {
      return isAdmin(aadObjectId ? canonicalId(aadObjectId) : undefined, deps.adminIds);
    },

    contextFor,
  };
}

function newestFirst(requests: readonly ExceptionRequest[]): ExceptionRequest[] {
  return [...requests].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

/** Still the requester's current request: `exception` reopens it rather than starting another. */
export function isOpenRequest(request: ExceptionRequest): boolean {
  return OPEN_STATUSES.has(request.status);
}

/** Open, or granted and not expired: the user has no reason to start a new request. */
export function coversRequester(request: ExceptionRequest, now: Date): boolean {
  return !isForOther(request.fields) && (isOpenRequest(request) || effectiveStatus(request, now) === 'granted');
}

function sameFields(a: ExceptionRequest, b: ExceptionRequest): boolean {
  return JSON.stringify(a.fields) === JSON.stringify(b.fields);
}

export type Exceptions = ReturnType<typeof createExceptions>;
