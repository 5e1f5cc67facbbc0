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
  NudgeSnooze: 'nudge.snooze',
  NudgeOverview: 'nudge.overview',
  NudgePause: 'nudge.pause',
  NudgeResume: 'nudge.resume',
} as const;

export type Verb = (typeof Verbs)[keyof typeof Verbs];

const VERB_SET: ReadonlySet<string> = new Set(Object.values(Verbs));

export function isVerb(value: unknown): value is Verb {
  return typeof value === 'string' && VERB_SET.has(value);
}
