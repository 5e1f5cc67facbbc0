/** Nudge state → the cards people read (reminder, manager, admins, snoozed, overview). */
import { formatInstant, nudgeAdminsCard, nudgeManagerCard, nudgeReminderCard, nudgeSnoozedCard } from '../cards';
import type { Principal } from '../domain/compliance';
import { snoozesLeft, type EscalationTarget, type NudgePolicy, type NudgeState } from '../domain/nudge';
import type { OutboundMessage } from './ports';

/** Who the user's next escalation reaches, for the reminder card ('' when the policy has none). */
export function escalationText(state: Pick<NudgeState, 'escalations'>, policy: Pick<NudgePolicy, 'escalation'>): string {
  const done = new Set(state.escalations.map((e) => e.step));
  const next = policy.escalation.find((s) => !done.has(s.to));
  if (!next) return '';
  return next.to === 'manager' ? 'your manager' : 'the security admins';
}

export function reminderMessage(p: Principal, state: NudgeState, policy: NudgePolicy, zone: string, displayName?: string): OutboundMessage {
  const number = state.remindersSent + 1;
  return {
    text: `Reminder ${number}: your account still needs MFA for Partner Center.`,
    card: nudgeReminderCard({
      displayName: displayName ?? '',
      upn: p.upn,
      reminderNumber: number,
      maxReminders: policy.maxRemindersBeforeEscalation,
      sinceText: formatInstant(p.episodeStartedAt, zone),
      snoozesLeft: snoozesLeft(state, policy),
      maxSnoozeDays: policy.snooze.maxDays,
      escalationText: escalationText(state, policy),
    }),
  };
}

export function snoozedMessage(state: NudgeState, policy: NudgePolicy, zone: string): OutboundMessage {
  const until = state.snoozedUntil ?? new Date(0);
  return {
    text: `Reminders snoozed until ${formatInstant(until, zone)}.`,
    card: nudgeSnoozedCard({ untilText: formatInstant(until, zone), snoozesLeft: snoozesLeft(state, policy), escalationText: escalationText(state, policy) }),
  };
}

export function managerMessage(p: Principal, state: NudgeState, zone: string, reportName?: string): OutboundMessage {
  return {
    text: `${reportName ?? p.upn} still has no MFA for Partner Center.`,
    card: nudgeManagerCard({ reportName: reportName ?? '', reportUpn: p.upn, sinceText: formatInstant(p.episodeStartedAt, zone), remindersSent: state.remindersSent }),
  };
}

const STEP_TEXT: Record<EscalationTarget, string> = { manager: 'Escalated to the manager', admins: 'Escalated to the admins' };

/** The steps so far, oldest first: first notice, reminders (only the last one's time is stored), escalations. */
export function historyOf(state: NudgeState, zone: string): { atText: string; stepText: string }[] {
  const rows: { at: Date; stepText: string }[] = [];
  if (state.firstNoticeAt) rows.push({ at: state.firstNoticeAt, stepText: 'First notice' });
  if (state.lastReminderAt) rows.push({ at: state.lastReminderAt, stepText: state.remindersSent > 1 ? `Reminder ${state.remindersSent} (the last of ${state.remindersSent})` : 'Reminder 1' });
  for (const e of state.escalations) rows.push({ at: e.at, stepText: e.skipped ? `${STEP_TEXT[e.step]}: skipped, no manager in Entra ID` : STEP_TEXT[e.step] });
  return rows.sort((a, b) => a.at.getTime() - b.at.getTime()).map((r) => ({ atText: formatInstant(r.at, zone), stepText: r.stepText }));
}

export function adminsMessage(kind: 'escalation' | 'blocked', p: Principal, state: NudgeState, zone: string, displayName?: string): OutboundMessage {
  return {
    text: kind === 'blocked' ? `${p.upn} blocked MFA Shepherd; reminders stopped.` : `Escalation: ${p.upn} still has no MFA for Partner Center.`,
    card: nudgeAdminsCard({ kind, displayName: displayName ?? '', upn: p.upn, sinceText: formatInstant(p.episodeStartedAt, zone), remindersSent: state.remindersSent, history: historyOf(state, zone) }),
  };
}
