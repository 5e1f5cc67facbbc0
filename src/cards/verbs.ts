/**
 * Verbs of the cards' Action.Execute buttons (and of their Action.Submit fallbacks, as `data.verb`).
 * The JSON templates spell them literally; a test checks every verb they use is one of these.
 */
export const Verbs = {
  SetupMfa: 'mfa.setup',
  AlreadyMfa: 'mfa.already',
  Why: 'mfa.why',
  WalkthroughStep: 'mfa.step',
  VerifyMfa: 'mfa.verify',
  Status: 'user.status',
  AdminSync: 'admin.sync',
  AdminSummary: 'admin.summary',
  Help: 'help',
  // The technical-exception workflow. Card data carries the request id (and the review
  // round where a click on an older card must be refused), never the actor.
  /** Open the reason step (a new request, or "Choose another reason" on an existing one). */
  ExceptionStart: 'exc.start',
  /** Continue from the reason step with the chosen reason. */
  ExceptionChooseReason: 'exc.reason',
  /** Open a request's form to edit it (after "changes requested", or a saved draft). */
  ExceptionEdit: 'exc.edit',
  /** Open one of "my requests". */
  ExceptionOpen: 'exc.open',
  ExceptionSaveDraft: 'exc.save',
  ExceptionSubmit: 'exc.submit',
  ExceptionWithdraw: 'exc.withdraw',
  ExceptionApprove: 'exc.approve',
  ExceptionReject: 'exc.reject',
  ExceptionRequestChanges: 'exc.changes',
  /** The approval card's `refresh` action: approvers get the buttons, everyone else the status. */
  ExceptionApprovalRefresh: 'exc.approval.refresh',
  ExceptionRecordSubmitted: 'exc.ms.submitted',
  ExceptionRecordGranted: 'exc.ms.granted',
  ExceptionRecordDenied: 'exc.ms.denied',
  ExceptionMyRequests: 'exc.mine',
  ExceptionSla: 'exc.sla',
  ExceptionHistory: 'exc.history',
  /** Renew a granted (or expired) exception: a new request, pre-filled from it. */
  ExceptionRenew: 'exc.renew',
  NudgeSnooze: 'nudge.snooze',
  NudgeOverview: 'nudge.overview',
  NudgePause: 'nudge.pause',
  NudgeResume: 'nudge.resume',
  // The integration watch. Card data carries the integration's key or the incident id, never the actor.
  IntegrationList: 'int.list',
  IntegrationOpen: 'int.open',
  IntegrationSave: 'int.save',
  IntegrationPlaybook: 'int.playbook',
  IntegrationPlaybookSave: 'int.steps',
  IncidentAck: 'incident.ack',
  IncidentReport: 'incident.report',
} as const;

export type Verb = (typeof Verbs)[keyof typeof Verbs];

const VERB_SET: ReadonlySet<string> = new Set(Object.values(Verbs));

export function isVerb(value: unknown): value is Verb {
  return typeof value === 'string' && VERB_SET.has(value);
}
