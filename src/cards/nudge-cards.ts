import type { NudgeAdminsModel, NudgeManagerModel, NudgeOverviewModel, NudgeReminderModel, NudgeSnoozedModel } from './models';
import { renderTemplate, type AdaptiveCard } from './render';
import { safeText } from './text';
import reminderTemplate from './templates/nudge-reminder.json';
import snoozedTemplate from './templates/nudge-snoozed.json';
import managerTemplate from './templates/nudge-manager.json';
import adminsTemplate from './templates/nudge-admins.json';
import overviewTemplate from './templates/nudge-overview.json';

/** At most this many rows in the `nudges` overview, then "and N more". */
export const NUDGE_ROWS_SHOWN = 15;
const HISTORY_SHOWN = 20;

const count = (n: number): string => String(Math.max(0, Math.trunc(n)));
const plural = (n: number, one: string, many: string): string => `${count(n)} ${n === 1 ? one : many}`;

/** A reminder with the snooze choice (1 … maxSnoozeDays days) while snoozes are left. */
export function nudgeReminderCard(model: NudgeReminderModel): AdaptiveCard {
  const displayName = safeText(model.displayName, 200);
  const upn = safeText(model.upn, 320);
  const left = Math.max(0, Math.trunc(model.snoozesLeft));
  const maxDays = Math.max(1, Math.min(30, Math.trunc(model.maxSnoozeDays)));
  const escalationText = safeText(model.escalationText, 100) || 'the next reminder';
  return renderTemplate('nudge-reminder', reminderTemplate, {
    reminderText: `${count(model.reminderNumber)} of ${count(model.maxReminders)}`,
    displayName,
    hasDisplayName: displayName !== '',
    accountText: upn === '' ? 'your account' : `your account ${upn}`,
    sinceText: safeText(model.sinceText, 100),
    canSnooze: left > 0,
    lastSnooze: left === 1,
    snoozesLeftText: plural(left, 'snooze left', 'snoozes left'),
    escalationText,
    dayChoices: Array.from({ length: maxDays }, (_, i) => ({ title: i === 0 ? '1 day' : `${i + 1} days`, value: String(i + 1) })),
  });
}

/** The answer to Snooze. */
export function nudgeSnoozedCard(model: NudgeSnoozedModel): AdaptiveCard {
  const left = Math.max(0, Math.trunc(model.snoozesLeft));
  return renderTemplate('nudge-snoozed', snoozedTemplate, {
    untilText: safeText(model.untilText, 100),
    lastSnooze: left === 0,
    snoozesLeftText: plural(left, 'time', 'times'),
    escalationText: safeText(model.escalationText, 100) || 'further reminders',
  });
}

/** To the manager: their report still has no MFA. */
export function nudgeManagerCard(model: NudgeManagerModel): AdaptiveCard {
  return renderTemplate('nudge-manager', managerTemplate, {
    reportName: safeText(model.reportName, 200) || safeText(model.reportUpn, 320),
    reportUpn: safeText(model.reportUpn, 320),
    sinceText: safeText(model.sinceText, 100),
    remindersText: plural(model.remindersSent, 'time', 'times'),
  });
}

/** To every admin: the last escalation step (with the history), or the user blocked the bot. */
export function nudgeAdminsCard(model: NudgeAdminsModel): AdaptiveCard {
  const upn = safeText(model.upn, 320);
  const name = safeText(model.displayName, 200);
  const history = model.history.slice(-HISTORY_SHOWN).map((h) => ({ atText: safeText(h.atText, 100), stepText: safeText(h.stepText, 200) }));
  return renderTemplate('nudge-admins', adminsTemplate, {
    isBlocked: model.kind === 'blocked',
    userText: name !== '' && name !== upn ? `${name} (${upn})` : upn,
    sinceText: safeText(model.sinceText, 100),
    remindersSent: count(model.remindersSent),
    history,
    hasHistory: history.length > 0,
  });
}

/** `nudges`: who gets what next and when, most imminent first, bounded, with totals and the pause. */
export function nudgeOverviewCard(model: NudgeOverviewModel): AdaptiveCard {
  const rows = model.rows.slice(0, NUDGE_ROWS_SHOWN).map((r) => ({ upn: safeText(r.upn, 320), whatText: safeText(r.whatText, 200), whenText: safeText(r.whenText, 100) }));
  const more = Math.max(model.rowsTotal, model.rows.length) - rows.length;
  return renderTemplate('nudge-overview', overviewTemplate, {
    paused: model.paused,
    pausedByText: safeText(model.pausedByText, 200),
    pausedAtText: safeText(model.pausedAtText, 100),
    total: count(model.total),
    dueNow: count(model.dueNow),
    scheduled: count(model.scheduled),
    stopped: count(model.stopped),
    zoneText: safeText(model.zoneText, 100),
    rows,
    hasRows: rows.length > 0,
    hasMore: more > 0,
    moreCount: count(more),
  });
}
