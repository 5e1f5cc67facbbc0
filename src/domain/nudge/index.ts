export {
  createNudgePolicy,
  DEFAULT_NUDGE_POLICY,
  type EscalationStep,
  type EscalationTarget,
  type NudgePolicy,
  type NudgePolicyInput,
  type TimeWindow,
} from './policy';
export {
  activeStop,
  applySnooze,
  isFinalStop,
  newNudgeState,
  pauseNudges,
  recordFirstNotice,
  recordSent,
  resumeNudges,
  snoozesLeft,
  stopFor,
  type EscalationRecord,
  type NudgeState,
  type NudgeStop,
  type SentNudge,
  type StopReason,
} from './state';
export { closedDays, nextNudge, type NudgeAction, type NudgeContext, type NudgeDecision } from './next';
export { isValidZone, localLabel } from './working-time';
export { exceptionStop, reconcileStop, sameStop, wantedStop } from './stops';
