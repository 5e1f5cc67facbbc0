import { createHash } from 'node:crypto';
import { isAdmin } from '../domain/authorization';
import type { Clock } from '../domain/clock';
import { AppError, ErrorCodes, isAppError } from '../domain/errors';
import {
  applyCommand,
  effectiveStatus,
  newExceptionRequest,
  sameId,
  type AuditEntry,
  type CommandContext,
  type CommandResult,
  type CommandType,
  type ExceptionCommand,
  type ExceptionRequest,
} from '../domain/exception';
import { canonicalId } from '../domain/principal';
import type { ExceptionStore, Logger } from './ports';
import { retryOnConflict } from './retry-on-conflict';

/**
 * The technical-exception use cases: open a request, run a command on it (save, submit, withdraw,
 * decide, record Microsoft's side), read it and its history. The domain decides; this file reads,
 * writes under the etag with the audit entry in the same transaction, and re-decides on a conflict
 * (so the second of two approvers gets the domain's "already decided by …" refusal).
 */
export interface ExceptionsDeps {
  store: ExceptionStore;
  adminIds: ReadonlySet<string>;
  approverIds: ReadonlySet<string>;
  clock: Clock;
  logger: Logger;
  /** After a stored change (background: cards to approvers, the requester told, …). */
  onChange?: (change: ExceptionChange) => void;
}

export interface ExceptionChange {
  before: ExceptionRequest;
  after: ExceptionRequest;
  audit: AuditEntry;
}

/** Statuses in which a request is still the requester's current one (a new one is not opened beside it). */
const OPEN_STATUSES = new Set(['draft', 'changesRequested', 'inReview', 'approved', 'submittedToMicrosoft']);

/** Commands an approver runs: the approver list decides; the other admin commands: the admin list. */
const APPROVER_COMMANDS: ReadonlySet<CommandType> = new Set(['approve', 'reject', 'requestChanges']);

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `EXC-` and 7 characters (35 bits) from the generator's UUID: short enough to type in `history`. */
export function shortRequestId(uuid: string): string {
  const hex = uuid.replace(/[^0-9a-f]/gi, '').slice(0, 9);
  let value = BigInt(`0x${hex.padEnd(9, '0')}`) >> 1n; // 35 bits
  let out = '';
  for (let i = 0; i < 7; i += 1) {
    out = (CROCKFORD[Number(value & 31n)] ?? '0') + out;
    value >>= 5n;
  }
  return `EXC-${out}`;
}

/** A typed request id, forgiving of case, spaces and a missing `EXC-`; undefined when it cannot be one. */
export function normaliseRequestId(text: string | undefined): string | undefined {
  const raw = (text ?? '').trim().toUpperCase().replace(/\s+/g, '');
  const body = raw.startsWith('EXC-') ? raw.slice(4) : raw.startsWith('EXC') ? raw.slice(3) : raw;
  if (!/^[0-9A-HJKMNP-TV-Z]{7}$/.test(body)) return undefined;
  return `EXC-${body}`;
}

export function createExceptions(deps: ExceptionsDeps) {
  const now = () => deps.clock.now();

  const contextFor = (actor: string, command: CommandType): CommandContext => {
    const id = canonicalId(actor);
    const allowed = APPROVER_COMMANDS.has(command) ? deps.approverIds : deps.adminIds;
    return { actor: id, isAdmin: isAdmin(id, allowed), at: now() };
  };

  const mayView = (request: ExceptionRequest, viewer: string): boolean =>
    sameId(request.requesterId, viewer) || isAdmin(canonicalId(viewer), deps.adminIds) || isAdmin(canonicalId(viewer), deps.approverIds);

  async function load(id: string): Promise<ExceptionRequest> {
    const request = await deps.store.get(id);
    if (!request) throw new AppError(ErrorCodes.NotFound, `There is no exception request ${id}. Type "exception" to see yours.`, { expected: true });
    return request;
  }

  /** The request, if `viewer` may see it (the requester, approvers, admins); otherwise "not found", to leak nothing. */
  async function view(id: string, viewer: string): Promise<ExceptionRequest> {
    const request = await load(id);
    if (!mayView(request, viewer)) {
      deps.logger.warn({ actor: viewer, requestId: id }, 'exception request view refused');
      throw new AppError(ErrorCodes.NotFound, `There is no exception request ${id} that you can see.`, { expected: true });
    }
    return request;
  }

  return {
    async mine(requesterId: string): Promise<ExceptionRequest[]> {
      return newestFirst(await deps.store.listByRequester(canonicalId(requesterId)));
    },

    /**
     * The requester's open request, or a new draft when there is none. One open request per user:
     * a second `exception` reopens the first instead of scattering drafts.
     */
    async open(requesterId: string, requesterUpn: string): Promise<{ request: ExceptionRequest; created: boolean }> {
      const requester = canonicalId(requesterId);
      for (let attempt = 0; ; attempt += 1) {
        // One read for both: the open request, or how many there are. The new id follows from that
        // count, so two "exception" clicks at once pick the same id: the second create fails and
        // finds the first on its next read (no second draft).
        const mine = await deps.store.listByRequester(requester);
        const existing = newestFirst(mine).find(isOpenRequest);
        if (existing) return { request: existing, created: false };
        const count = mine.length;
        const seed = createHash('sha256').update(`${requester}:${count + attempt}`).digest('hex');
        const request = newExceptionRequest({ id: shortRequestId(seed), requesterId: requester, requesterUpn, at: now() });
        try {
          return { request: await deps.store.create(request), created: true };
        } catch (error) {
          if (!isAppError(error, ErrorCodes.StorageAlreadyExists) || attempt >= 3) throw error;
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
        const after = await deps.store.apply(result.next, result.audit);
        deps.logger.info({ actor, requestId, action: result.audit.action, from: result.audit.from, to: result.audit.to }, 'exception request changed');
        deps.onChange?.({ before, after, audit: result.audit });
        return { request: after, changed: true, audit: result.audit };
      });
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
  return isOpenRequest(request) || effectiveStatus(request, now) === 'granted';
}

function sameFields(a: ExceptionRequest, b: ExceptionRequest): boolean {
  return JSON.stringify(a.fields) === JSON.stringify(b.fields);
}

export type Exceptions = ReturnType<typeof createExceptions>;
