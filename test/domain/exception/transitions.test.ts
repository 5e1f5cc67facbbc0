import {
  applyCommand,
  isExceptionRefusal,
  type CommandContext,
  type ExceptionCommand,
  type ExceptionRefusal,
  type ExceptionStatus,
} from '../../../src/domain/exception';
import { APPROVER, ctx, deepFreeze, GRANTED_UNTIL, OTHER_APPROVER, REQUESTER, requestIn, STRANGER, T, VALID_FIELDS } from './builders';

/**
 * Every status × every command × every kind of actor, worked out by hand from the issue:
 * 'ok' or the refusal. The commands carry valid input, so only who and when decide.
 */
type Outcome = 'ok' | ExceptionRefusal;
const ok = 'ok';
const TR = 'TRANSITION_REFUSED';
const NR = 'NOT_REQUESTER';
const NAP = 'NOT_APPROVER';
const NAD = 'NOT_ADMIN';
const SELF = 'SELF_APPROVAL';
const AD = 'ALREADY_DECIDED';

const COMMANDS: ExceptionCommand[] = [
  { type: 'saveDraft', fields: VALID_FIELDS },
  { type: 'submitForReview' },
  { type: 'withdraw' },
  { type: 'approve', comment: 'Fine by me.' },
  { type: 'reject', reason: 'No.' },
  { type: 'requestChanges', comment: 'Say which vendor version.' },
  { type: 'recordSubmittedToMicrosoft', caseNumber: 'CASE-2611-0001' },
  { type: 'recordGranted', endDate: T('2027-12-31T00:00:00Z') },
  { type: 'recordDenied', reason: 'Microsoft says: not technical.' },
];

/** Where each allowed command leads (saveDraft keeps the status). */
const EXPECTED_TO: Record<ExceptionCommand['type'], ExceptionStatus | 'same'> = {
  saveDraft: 'same',
  submitForReview: 'inReview',
  withdraw: 'withdrawn',
  approve: 'approved',
  reject: 'rejected',
  requestChanges: 'changesRequested',
  recordSubmittedToMicrosoft: 'submittedToMicrosoft',
  recordGranted: 'granted',
  recordDenied: 'denied',
};

type Table = Record<ExceptionStatus, Outcome[]>;

// Columns:            saveDraft submit withdraw approve reject changes submitted granted denied
const REQUESTER_NOT_ADMIN: Table = {
  draft:                [ok, ok, ok, NAP, NAP, NAP, NAD, NAD, NAD],
  inReview:             [TR, TR, ok, NAP, NAP, NAP, NAD, NAD, NAD],
  changesRequested:     [ok, ok, ok, NAP, NAP, NAP, NAD, NAD, NAD],
  approved:             [TR, TR, TR, NAP, NAP, NAP, NAD, NAD, NAD],
  rejected:             [TR, TR, TR, NAP, NAP, NAP, NAD, NAD, NAD],
  withdrawn:            [TR, TR, TR, NAP, NAP, NAP, NAD, NAD, NAD],
  submittedToMicrosoft: [TR, TR, TR, NAP, NAP, NAP, NAD, NAD, NAD],
  granted:              [TR, TR, TR, NAP, NAP, NAP, NAD, NAD, NAD],
  denied:               [TR, TR, TR, NAP, NAP, NAP, NAD, NAD, NAD],
};

// The requester is an admin too: they may record the Microsoft steps, never decide on their own request.
const REQUESTER_ADMIN: Table = {
  draft:                [ok, ok, ok, SELF, SELF, SELF, TR, TR, TR],
  inReview:             [TR, TR, ok, SELF, SELF, SELF, TR, TR, TR],
  changesRequested:     [ok, ok, ok, SELF, SELF, SELF, TR, TR, TR],
  approved:             [TR, TR, TR, SELF, SELF, SELF, ok, TR, TR],
  rejected:             [TR, TR, TR, SELF, SELF, SELF, TR, TR, TR],
  withdrawn:            [TR, TR, TR, SELF, SELF, SELF, TR, TR, TR],
  submittedToMicrosoft: [TR, TR, TR, SELF, SELF, SELF, AD, ok, ok],
  granted:              [TR, TR, TR, SELF, SELF, SELF, AD, AD, AD],
  denied:               [TR, TR, TR, SELF, SELF, SELF, AD, AD, AD],
};

// Another admin (not the one who made the earlier decisions): a late click names who was first.
const APPROVER_TABLE: Table = {
  draft:                [NR, NR, NR, TR, TR, TR, TR, TR, TR],
  inReview:             [NR, NR, NR, ok, ok, ok, TR, TR, TR],
  changesRequested:     [NR, NR, NR, AD, AD, AD, TR, TR, TR],
  approved:             [NR, NR, NR, AD, AD, AD, ok, TR, TR],
  rejected:             [NR, NR, NR, AD, AD, AD, TR, TR, TR],
  withdrawn:            [NR, NR, NR, TR, TR, TR, TR, TR, TR],
  submittedToMicrosoft: [NR, NR, NR, AD, AD, AD, AD, ok, ok],
  granted:              [NR, NR, NR, AD, AD, AD, AD, AD, AD],
  denied:               [NR, NR, NR, AD, AD, AD, AD, AD, AD],
};

const STRANGER_ROW: Outcome[] = [NR, NR, NR, NAP, NAP, NAP, NAD, NAD, NAD];
const STRANGER_TABLE: Table = {
  draft: STRANGER_ROW,
  inReview: STRANGER_ROW,
  changesRequested: STRANGER_ROW,
  approved: STRANGER_ROW,
  rejected: STRANGER_ROW,
  withdrawn: STRANGER_ROW,
  submittedToMicrosoft: STRANGER_ROW,
  granted: STRANGER_ROW,
  denied: STRANGER_ROW,
};

const AT = '2026-11-20T12:00:00Z';
const ROLES: { name: string; ctx: CommandContext; table: Table }[] = [
  { name: 'the requester (not an admin)', ctx: ctx(REQUESTER, false, AT), table: REQUESTER_NOT_ADMIN },
  { name: 'the requester who is an admin', ctx: ctx(REQUESTER, true, AT), table: REQUESTER_ADMIN },
  { name: 'another admin', ctx: ctx(OTHER_APPROVER, true, AT), table: APPROVER_TABLE },
  { name: 'someone else (not an admin)', ctx: ctx(STRANGER, false, AT), table: STRANGER_TABLE },
];

const CASES = ROLES.flatMap((role) =>
  (Object.keys(role.table) as ExceptionStatus[]).flatMap((status) =>
    COMMANDS.map((command, i) => ({ role: role.name, context: role.ctx, status, command, outcome: role.table[status][i] ?? 'missing' })),
  ),
);

describe('exception request transitions', () => {
  it('when the table is read, then it covers 4 actors × 9 statuses × 9 commands', () => {
    expect(CASES).toHaveLength(4 * 9 * 9);
    expect(CASES.filter((c) => c.outcome === 'missing')).toEqual([]);
  });

  it.each(CASES)('when $role runs $command.type on a $status request, then $outcome', ({ context, status, command, outcome }) => {
    const request = deepFreeze(requestIn(status));
    expect(request.status).toBe(status);
    const before = structuredClone(request);

    let result: ReturnType<typeof applyCommand> | undefined;
    let error: unknown;
    try {
      result = applyCommand(request, command, context);
    } catch (e) {
      error = e;
    }

    if (outcome === 'ok') {
      expect(error).toBeUndefined();
      const to = EXPECTED_TO[command.type] === 'same' ? status : EXPECTED_TO[command.type];
      expect(result?.next.status).toBe(to);
      expect(result?.next.updatedAt).toEqual(context.at);
      expect(result?.audit).toMatchObject({ requestId: 'EX-1', at: context.at, actor: context.actor, from: status, to, action: command.type });
    } else {
      expect(result).toBeUndefined();
      expect(isExceptionRefusal(error)).toBe(true);
      if (isExceptionRefusal(error)) {
        expect(error.refusal).toBe(outcome);
        expect(error.facts).toMatchObject({ requestId: 'EX-1', command: command.type, status });
        expect(error.message).not.toBe('');
      }
    }
    expect(request).toEqual(before);
  });

  it('when a granted request has passed its end date, then every command is refused and the message says it expired', () => {
    const granted = requestIn('granted');
    const after = T(GRANTED_UNTIL);
    for (const command of COMMANDS) {
      let error: unknown;
      try {
        applyCommand(granted, command, ctx(OTHER_APPROVER, true, after));
      } catch (e) {
        error = e;
      }
      expect(isExceptionRefusal(error)).toBe(true);
      if (isExceptionRefusal(error)) expect(error.facts.status).toBe('expired');
    }
    expect(() => applyCommand(granted, { type: 'recordDenied', reason: 'late' }, ctx(OTHER_APPROVER, true, after))).toThrow(
      /has expired\. Nothing more can be done with it\./,
    );
  });
});

/**
 * Two approvals required (EXCEPTION_APPROVALS_REQUIRED=2): Approve on a request in review, by who
 * and after which approvals so far → the outcome and where the request stands after.
 */
const ALREADY_APPROVED = 'ALREADY_APPROVED';
type TwoApprovalsRow = { so: string; by: string; actor: string; admin: boolean; outcome: Outcome; status?: ExceptionStatus };
// prettier-ignore
const TWO_APPROVALS: TwoApprovalsRow[] = [
  // approvals so far        who clicks Approve                                        outcome             status after
  { so: 'none',              by: 'an approver',             actor: APPROVER,       admin: true,  outcome: ok,               status: 'inReview' },
  { so: 'none',              by: 'the requester (an admin)', actor: REQUESTER,     admin: true,  outcome: SELF },
  { so: 'none',              by: 'a non-approver',          actor: STRANGER,       admin: false, outcome: NAP },
  { so: 'APPROVER',          by: 'the same approver',       actor: APPROVER,       admin: true,  outcome: ALREADY_APPROVED },
  { so: 'APPROVER',          by: 'another approver',        actor: OTHER_APPROVER, admin: true,  outcome: ok,               status: 'approved' },
  { so: 'APPROVER',          by: 'the requester (an admin)', actor: REQUESTER,     admin: true,  outcome: SELF },
];

describe('exception request transitions with two approvals required', () => {
  const AT_2 = '2026-11-02T09:30:00Z';
  const needingTwo = (so: string) => {
    const inReview = applyCommand(requestIn('draft'), { type: 'submitForReview' }, { ...ctx(REQUESTER, false, '2026-11-02T09:00:00Z'), approvalsRequired: 2 }).next;
    return so === 'none' ? inReview : applyCommand(inReview, { type: 'approve' }, ctx(APPROVER, true, '2026-11-02T09:10:00Z')).next;
  };

  it.each(TWO_APPROVALS)('when approvals so far are $so and $by approves, then $outcome', ({ so, actor, admin, outcome, status }) => {
    const request = deepFreeze(needingTwo(so));
    let result: ReturnType<typeof applyCommand> | undefined;
    let error: unknown;
    try {
      result = applyCommand(request, { type: 'approve', comment: 'Fine.' }, ctx(actor, admin, AT_2));
    } catch (e) {
      error = e;
    }
    if (outcome === 'ok') {
      expect(error).toBeUndefined();
      expect(result?.next.status).toBe(status);
      expect(result?.next.approvals?.at(-1)).toMatchObject({ by: actor });
    } else {
      expect(isExceptionRefusal(error) ? error.refusal : error).toBe(outcome);
    }
  });
});

