/**
 * Errors with stable codes. The code is the contract (logs, stored outcomes, tests);
 * the message is for people. `expected` errors are part of normal operation (a user who
 * blocked the bot, Partner Center throttling); unexpected ones indicate a bug or an outage.
 */
export const ErrorCodes = {
  // storage
  StorageConflict: 'STORAGE_CONFLICT',
  StorageNotFound: 'STORAGE_NOT_FOUND',
  StorageAlreadyExists: 'STORAGE_ALREADY_EXISTS',
  StorageUnavailable: 'STORAGE_UNAVAILABLE',
  StorageLimit: 'STORAGE_LIMIT',
  // Partner Center
  PcNotConnected: 'PC_NOT_CONNECTED',
  PcMfaRequired: 'PC_MFA_REQUIRED',
  PcUnauthorized: 'PC_UNAUTHORIZED',
  PcThrottled: 'PC_THROTTLED',
  PcUnavailable: 'PC_UNAVAILABLE',
  PcBadResponse: 'PC_BAD_RESPONSE',
  TokenWithoutMfa: 'TOKEN_WITHOUT_MFA',
  IdentityUnavailable: 'IDENTITY_UNAVAILABLE',
  // Graph
  GraphNotPremium: 'GRAPH_NOT_PREMIUM',
  GraphForbidden: 'GRAPH_FORBIDDEN',
  GraphNotFound: 'GRAPH_NOT_FOUND',
  GraphThrottled: 'GRAPH_THROTTLED',
  GraphUnavailable: 'GRAPH_UNAVAILABLE',
  GraphBadResponse: 'GRAPH_BAD_RESPONSE',
  // Teams
  TeamsBlocked: 'TEAMS_BLOCKED',
  TeamsNotInRoster: 'TEAMS_NOT_IN_ROSTER',
  TeamsConversationGone: 'TEAMS_CONVERSATION_GONE',
  TeamsNoConversation: 'TEAMS_NO_CONVERSATION',
  TeamsThrottled: 'TEAMS_THROTTLED',
  TeamsUnavailable: 'TEAMS_UNAVAILABLE',
  // requests and rules
  InputInvalid: 'INPUT_INVALID',
  NotAdmin: 'NOT_ADMIN',
  /** A request to the tab's API without a valid sign-in token. */
  Unauthenticated: 'UNAUTHENTICATED',
  NotFound: 'NOT_FOUND',
  SyncInProgress: 'SYNC_IN_PROGRESS',
  /** A shared queue is full (e.g. Graph checks): try again in `retryAfterSeconds`. */
  Busy: 'BUSY',
  /** This user asked for an expensive command too often: try again in `retryAfterSeconds`. */
  RateLimited: 'RATE_LIMITED',
  ConfigInvalid: 'CONFIG_INVALID',
  // refusals of the technical-exception workflow: the rules said no. Expected, never retried.
  ExceptionTransitionRefused: 'EXCEPTION_TRANSITION_REFUSED',
  ExceptionNotRequester: 'EXCEPTION_NOT_REQUESTER',
  ExceptionNotApprover: 'EXCEPTION_NOT_APPROVER',
  ExceptionNotAdmin: 'EXCEPTION_NOT_ADMIN',
  ExceptionSelfApproval: 'EXCEPTION_SELF_APPROVAL',
  ExceptionAlreadyDecided: 'EXCEPTION_ALREADY_DECIDED',
  ExceptionAlreadyApproved: 'EXCEPTION_ALREADY_APPROVED',
  ExceptionStaleReview: 'EXCEPTION_STALE_REVIEW',
  ExceptionDraftInvalid: 'EXCEPTION_DRAFT_INVALID',
  ExceptionCategoryNotAccepted: 'EXCEPTION_CATEGORY_NOT_ACCEPTED',
  ExceptionInputInvalid: 'EXCEPTION_INPUT_INVALID',
  // the incident intake
  IntakeUnauthorized: 'INTAKE_UNAUTHORIZED',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface AppErrorOptions {
  /** Part of normal operation (throttling, a user who blocked the bot): log at info/warn, not error. */
  expected?: boolean;
  /** May succeed when tried again later (throttling, outages); never true for MFA rejections. */
  retryable?: boolean;
  /** Seconds the remote asked us to wait, when it said so. */
  retryAfterSeconds?: number;
  /** HTTP status from a remote, when there was one. */
  status?: number;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly expected: boolean;
  readonly retryable: boolean;
  readonly retryAfterSeconds?: number;
  readonly status?: number;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.expected = options.expected ?? true;
    this.retryable = options.retryable ?? false;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.status = options.status;
    this.details = options.details ?? {};
  }
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}

/** Narrow an unknown throwable to a short, log-safe description. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'UNEXPECTED', message: error.message };
  return { code: 'UNEXPECTED', message: String(error) };
}
