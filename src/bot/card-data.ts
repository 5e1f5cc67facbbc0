import { z } from 'zod';
import { Verbs } from '../cards/verbs';
import { AppError, ErrorCodes } from '../domain/errors';

/**
 * Card data arrives from the client: never trust it. Each verb's data has a schema; the actor is
 * never taken from it (that is activity.from.aadObjectId).
 */
const step = z.coerce.number().int().min(1).max(3).transform((n) => n as 1 | 2 | 3);

export const cardDataSchemas = {
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

export type CardVerb = keyof typeof cardDataSchemas;

export function parseCardData<V extends CardVerb>(verb: V, data: unknown): z.infer<(typeof cardDataSchemas)[V]> {
  const parsed = cardDataSchemas[verb].safeParse(data ?? {});
  if (!parsed.success) {
    throw new AppError(ErrorCodes.InputInvalid, 'That button sent something MFA Shepherd did not expect. Type "help" to start again.', {
      details: { verb, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) },
    });
  }
  return parsed.data;
}
