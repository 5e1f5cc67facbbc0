import type { SlaState } from '../domain/calendar';
import type { AuditEntry, DraftFields, DraftInput, EffectiveStatus, FieldError, ReasonCategory } from '../domain/exception';

/**
 * Models of the technical-exception cards. Plain data: the use cases read storage and the
 * domain, then pass what a card shows. Names are display names already resolved; ids are request ids
 * (ours), never an actor. Times are `Date`s: a card shows them in `readerZone` when it is known
 * (`formatInstant`), else lets the Teams client render them in the reader's own zone (DATE/TIME).
 * User text is passed raw: each card function escapes and clips it.
 */

/** The reader's IANA zone and locale, when known (1:1 cards). */
export interface ReaderModel {
  readerZone?: string;
  locale?: string;
}

/** Step 1: choose the reason first. */
export interface ExceptionReasonModel {
  /** The request being edited ("Choose another reason"); absent for a new request. */
  requestId?: string;
  /** The reason chosen before, shown selected. */
  selected?: string;
  /** A problem with the last choice (e.g. none chosen). */
  error?: string;
}

/** The chosen reason is one Microsoft says it will not accept. */
export interface ExceptionNotAcceptedModel {
  requestId?: string;
  reasonCategory: ReasonCategory;
}

/** The form: every field of the draft, what was typed kept, errors beside their fields. */
export interface ExceptionFormModel extends ReaderModel {
  requestId: string;
  /** The request's review round (0 before the first submission). */
  round: number;
  /** What the form shows: the stored draft, or what was just sent when the domain refused it. */
  values: DraftInput;
  /** From the domain (`readDraft`, a refusal's `fieldErrors`); each is shown next to its field. */
  errors: readonly FieldError[];
  /** One sentence at the top (a refusal's message, or "Draft saved."). */
  message?: string;
  /** True: `message` is good news (saved), shown without the attention colour. */
  messageIsSuccess?: boolean;
  /** The domain allows the requester to withdraw now (`availableCommands` includes 'withdraw'). */
  canWithdraw: boolean;
  /** When an approver asked for changes: what they wrote, who, when. */
  changesRequested?: { comment: string; byName: string; at: Date };
  /** When the draft was last saved. */
  savedAt?: Date;
}

export type ApprovalView = 'approver' | 'status' | 'decided' | 'alreadyDecided';
export type ReviewOutcome = 'approved' | 'rejected' | 'changesRequested';

export interface ReviewDecisionModel {
  outcome: ReviewOutcome;
  byName: string;
  at: Date;
  comment?: string;
}

/**
 * The approval card. One card, four views: `approver` (buttons, for the ids in `refreshUserIds`),
 * `status` (everyone else, while it waits), `decided` (everyone, once decided) and `alreadyDecided`
 * (the approver who clicked second). Times render in each reader's zone (DATE/TIME): the card is shared.
 */
export interface ExceptionApprovalModel {
  view: ApprovalView;
  requestId: string;
  round: number;
  requesterName: string;
  requesterUpn: string;
  fields: DraftFields;
  submittedAt: Date;
  /**
   * Teams user ids of the approvers who get the approver view through `refresh` (the requester
   * excluded: nobody approves their own request). Deduplicated; at most 60 are used (Teams' limit).
   */
  refreshUserIds: readonly string[];
  /** `decided` / `alreadyDecided`: the decision that stands. */
  decision?: ReviewDecisionModel;
  /** `approver`: the comment typed before a refused click, kept. */
  comment?: string;
  /** `approver`: why the last click was refused (e.g. "A reason is required."). */
  error?: string;
  /** Who has approved this round so far, oldest first (names resolved). */
  approvals?: readonly { byName: string; at: Date }[];
  /** Different approvers the request needs (1 or 2). */
  approvalsRequired?: number;
}

export type RequesterOutcome = 'approved' | 'rejected' | 'changesRequested' | 'granted' | 'denied' | 'withdrawn';

/** To the requester, 1:1: what happened to their request and what comes next. */
export interface ExceptionOutcomeModel extends ReaderModel {
  outcome: RequesterOutcome;
  requestId: string;
  round: number;
  reasonCategory?: ReasonCategory;
  /** Who decided or recorded it (absent for `withdrawn`). */
  byName?: string;
  at: Date;
  /** Approve: optional comment; reject: the reason; changes requested: what to change; denied: Microsoft's reason; withdrawn: optional. */
  comment?: string;
  /** Granted: the end date, when Microsoft gave one. */
  grantedUntil?: Date;
}

/** The text an admin pastes into the Partner Center support request (see `buildSubmissionPack`). */
export interface SubmissionPack {
  /** Always "MFA - Request for exception". */
  issueType: string;
  title: string;
  description: string;
}

/** To the admin after approval: the ready-to-paste request, then "submitted to Microsoft". */
/** The partner's identifiers Microsoft's form asks for, from config. */
export interface PartnerIdentity {
  tenantId: string;
  /** The Partner ID (formerly MPN ID), when configured. */
  partnerId?: string;
}

export interface SubmissionPackModel extends ReaderModel {
  requestId: string;
  requesterName: string;
  requesterUpn: string;
  approvedByName: string;
  approvedAt: Date;
  pack: SubmissionPack;
  /** The case number typed before a refused click, kept. */
  caseNumber?: string;
  /** The case number's problem (domain `checkCaseNumber`). */
  error?: string;
}

/** To admins once filed: record Microsoft's answer. */
export interface RecordAnswerModel extends ReaderModel {
  requestId: string;
  requesterName: string;
  requesterUpn: string;
  caseNumber: string;
  submittedAt: Date;
  dueAt?: Date;
  /** Kept values after a refused click: the end date and review date as typed (YYYY-MM-DD), "No end date given", the denial reason. */
  endDate?: string;
  reviewDate?: string;
  noEndDate?: boolean;
  deniedReason?: string;
  /** Domain field errors: `endDate`, `reviewDate`, `reason`. */
  errors?: readonly FieldError[];
}

export interface SlaItemModel {
  /** Which clock: Microsoft's answer (default), or the partner's own approval or filing deadline. */
  clock?: 'approval' | 'filing' | 'microsoft';
  requestId: string;
  requesterName: string;
  requesterUpn: string;
  caseNumber: string;
  state: SlaState;
  /** `slaStatus().businessMinutesLeft`: negative once breached. */
  businessMinutesLeft: number;
  dueAt: Date;
  /** When the clock started: submitted for review (approval), approved (filing), filed (Microsoft). */
  submittedAt: Date;
}

/** `sla`: the open requests, most urgent first (the card sorts). */
export interface SlaListModel extends ReaderModel {
  items: readonly SlaItemModel[];
  /** The approvers' deadline in business days, for the card's explanation (default 2). */
  approvalBusinessDays?: number;
}

/** An SLA state change, announced once to the requester and to the admins. */
export interface SlaAlertModel extends ReaderModel {
  audience: 'requester' | 'admin';
  item: SlaItemModel;
}

/** `history <request>`: the audit log, oldest first, each line's time in the reader's zone. */
export interface ExceptionHistoryModel extends ReaderModel {
  requestId: string;
  requesterName: string;
  status: EffectiveStatus;
  entries: readonly AuditEntry[];
  /** AAD object id → display name, for the actors (an unknown id is shown as is). */
  names: Readonly<Record<string, string>>;
}

export interface MyRequestModel {
  requestId: string;
  reasonCategory?: ReasonCategory;
  status: EffectiveStatus;
  updatedAt: Date;
}

/** The user's own requests, newest first, each with an Open button. */
export interface MyRequestsModel extends ReaderModel {
  requests: readonly MyRequestModel[];
  /** The user may start a new request (not covered by an open one). */
  canStartNew: boolean;
}

/** Admins: download links for the CSV exports. */
export interface ExceptionExportModel extends ReaderModel {
  requestsCsvUrl: string;
  auditCsvUrl: string;
  /** When the links stop working, if they expire. */
  expiresAt?: Date;
}
