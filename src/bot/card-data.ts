import { z } from 'zod';
import { Verbs } from '../cards/verbs';
import { AppError, ErrorCodes } from '../domain/errors';

/**
 * Card data arrives from the client: never trust it. Each verb's data has a schema; the actor is
 * never taken from it (that is activity.from.aadObjectId).
 */
const step = z.coerce.number().int().min(1).max(3).transform((n) => n as 1 | 2 | 3);

const baseCardDataSchemas = {
  [Verbs.SetupMfa]: z.object({ step: step.optional() }).passthrough(),
  [Verbs.WalkthroughStep]: z.object({ step }).passthrough(),
  [Verbs.VerifyMfa]: z.object({}).passthrough(),
  [Verbs.AlreadyMfa]: z.object({}).passthrough(),
  [Verbs.Why]: z.object({}).passthrough(),
  [Verbs.Status]: z.object({}).passthrough(),
  [Verbs.AdminSync]: z.object({}).passthrough(),
  [Verbs.AdminSummary]: z.object({}).passthrough(),
  [Verbs.Help]: z.object({}).passthrough(),
  // The ChoiceSet sends a string; its range is the domain's rule (applySnooze), whose message is shown.
  [Verbs.NudgeSnooze]: z.object({ days: z.union([z.number(), z.string().regex(/^\s*\d{1,3}\s*$/)]).pipe(z.coerce.number().int()) }).passthrough(),
  [Verbs.NudgeOverview]: z.object({}).passthrough(),
  [Verbs.NudgePause]: z.object({}).passthrough(),
  [Verbs.NudgeResume]: z.object({}).passthrough(),
} as const;


// ─── The technical-exception workflow (exc.*) ───────────────────────────────────────────────────
// Form text is only shape-checked here: optional strings, capped far above the domain's limits
// (the inputs' maxLength keeps honest clients below them). The domain checks the real limits and
// the card reports them beside each field, with what was typed kept.

/** A text from a card input: absent, or a string (a number or boolean from a client becomes its text). */
const cardText = (max: number) =>
  z.preprocess(
    (v) => (v === null || v === undefined ? undefined : typeof v === 'number' || typeof v === 'boolean' ? String(v) : v),
    z.string().max(max).optional(),
  );
const FORM_TEXT_MAX = 20_000;
const formText = cardText(FORM_TEXT_MAX);
/** Our own request ids: letters, digits and `_ . : -`. */
const requestId = z.string().trim().min(1).max(100).regex(/^[\w.:-]+$/);
const optionalRequestId = z.preprocess((v) => (v === '' || v === null ? undefined : v), requestId.optional());
const round = z.coerce.number().int().min(0).max(100_000);
/** A multi-select arrives as "a,b" (Teams) or, from other clients, as an array. */
const multiSelect = z.preprocess(
  (v) => (v === null || v === undefined || v === '' ? undefined : typeof v === 'string' ? v.split(',') : v),
  z.array(z.string().trim().max(100)).max(20).optional(),
);

const draftFields = {
  reasonCategory: cardText(100),
  technicalDescription: formText,
  blockedScenario: cardText(100),
  otherScenario: formText,
  workaroundTried: formText,
  businessImpact: formText,
  affected: formText,
  evidence: multiSelect,
  integrationMethod: cardText(100),
  contact: cardText(2000),
  mfaProduct: cardText(2000),
  requestedDuration: cardText(100),
  evidenceLinks: formText,
};

export const exceptionCardDataSchemas = {
  [Verbs.ExceptionStart]: z.object({ requestId: optionalRequestId }).passthrough(),
  [Verbs.ExceptionChooseReason]: z.object({ requestId: optionalRequestId, reasonCategory: cardText(100) }).passthrough(),
  [Verbs.ExceptionEdit]: z.object({ requestId }).passthrough(),
  [Verbs.ExceptionOpen]: z.object({ requestId }).passthrough(),
  [Verbs.ExceptionSaveDraft]: z.object({ requestId, round, ...draftFields }).passthrough(),
  [Verbs.ExceptionSubmit]: z.object({ requestId, round, ...draftFields }).passthrough(),
  [Verbs.ExceptionWithdraw]: z.object({ requestId, comment: cardText(FORM_TEXT_MAX) }).passthrough(),
  [Verbs.ExceptionApprove]: z.object({ requestId, round, comment: cardText(FORM_TEXT_MAX) }).passthrough(),
  [Verbs.ExceptionReject]: z.object({ requestId, round, comment: cardText(FORM_TEXT_MAX) }).passthrough(),
  [Verbs.ExceptionRequestChanges]: z.object({ requestId, round, comment: cardText(FORM_TEXT_MAX) }).passthrough(),
  [Verbs.ExceptionApprovalRefresh]: z.object({ requestId, round }).passthrough(),
  [Verbs.ExceptionRecordSubmitted]: z.object({ requestId, caseNumber: cardText(1000) }).passthrough(),
  /** `endDate` as the Input.Date sends it (YYYY-MM-DD); the use case turns it into an instant on the business calendar. */
  [Verbs.ExceptionRecordGranted]: z.object({ requestId, endDate: cardText(100), noEndDate: cardText(10), reviewDate: cardText(100), reason: cardText(FORM_TEXT_MAX) }).passthrough(),
  [Verbs.ExceptionRecordDenied]: z.object({ requestId, endDate: cardText(100), reason: cardText(FORM_TEXT_MAX) }).passthrough(),
  [Verbs.ExceptionMyRequests]: z.object({}).passthrough(),
  [Verbs.ExceptionSla]: z.object({}).passthrough(),
  [Verbs.ExceptionHistory]: z.object({ requestId }).passthrough(),
  [Verbs.ExceptionRenew]: z.object({ requestId }).passthrough(),
} as const;

export type ExceptionCardVerb = keyof typeof exceptionCardDataSchemas;

/** Every verb a card of ours can send, with its data schema. */
export const cardDataSchemas = { ...baseCardDataSchemas, ...exceptionCardDataSchemas } as const;
export type CardVerb = keyof typeof cardDataSchemas;

export function parseCardData<V extends CardVerb>(verb: V, data: unknown): z.infer<(typeof cardDataSchemas)[V]> {
  const parsed = cardDataSchemas[verb].safeParse(data ?? {});
  if (!parsed.success) throw invalidCardData(verb, parsed.error);
  return parsed.data;
}

function invalidCardData(verb: string, error: z.ZodError): AppError {
  return new AppError(ErrorCodes.InputInvalid, 'That button sent something MFA Shepherd did not expect. Type "help" to start again.', {
    details: { verb, issues: error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) },
  });
}
