import { formatInstant, type NudgeOverviewModel, type NudgeOverviewRow } from '../cards';
import type { BusinessCalendar } from '../domain/calendar';
import type { Clock } from '../domain/clock';
import { AppError, ErrorCodes } from '../domain/errors';
import { sameId } from '../domain/exception';
import { activeStop, applySnooze, exceptionStop, isValidZone, newNudgeState, nextNudge, recordFirstNotice, type NudgePolicy } from '../domain/nudge';
import { NO_CALENDAR, partnerCalendar } from './closures';
import { snoozedMessage } from './nudge-messages';
import { retryOnConflict } from './retry-on-conflict';
import type { ContactStore, ExceptionStore, NudgesPausedSetting, NudgeStore, OutboundMessage, PrincipalStore, SettingsStore } from './ports';

export interface NudgeActionsDeps {
  tenantId: string;
  principals: Pick<PrincipalStore, 'get' | 'listAll'>;
  nudges: NudgeStore;
  contacts: Pick<ContactStore, 'get'>;
  settings: Pick<SettingsStore, 'get' | 'put'>;
  exceptions?: Pick<ExceptionStore, 'listAll'>;
  policy: NudgePolicy;
  /** The configured calendar; the admins' closures are added when the overview is read. */
  calendar?: BusinessCalendar;
  defaultTimezone: string;
  clock: Clock;
}

/** Contacts read at once for the overview. */
const PARALLEL_READS = 16;

/** What users and admins do with nudges: snooze (the user), the overview and the global pause (admins). */
export function createNudgeActions(deps: NudgeActionsDeps) {
  const { tenantId, policy } = deps;

  return {
    /**
     * The user snoozes their reminders for `days` days. The domain enforces the limits (1 to
     * maxDays, at most maxTimes per episode) and its INPUT_INVALID message is shown as it is.
     * Read, decide and write under the etag; a concurrent change (the sweep recording a reminder)
     * is re-read and decided again.
     */
    async snooze(objectId: string, days: number, zone: string): Promise<OutboundMessage> {
      return retryOnConflict(async () => {
        const principal = await deps.principals.get(tenantId, objectId);
        const stored = await deps.nudges.get(tenantId, objectId);
        if (!principal || principal.status === 'compliant' || !stored || stored.episode !== principal.episode) {
          throw new AppError(ErrorCodes.InputInvalid, 'There is nothing to snooze: MFA Shepherd is not reminding you right now.');
        }
        const next = applySnooze(stored, days, { now: deps.clock.now() }, policy);
        const saved = await deps.nudges.save(tenantId, next);
        return snoozedMessage(saved, policy, zone);
      });
    },

    /** Who gets what next and when, in the admin's zone, most imminent first. */
    async overview(adminZone: string): Promise<NudgeOverviewModel> {
      const now = deps.clock.now();
      const [principals, states, pause, exceptions, calendar] = await Promise.all([
        deps.principals.listAll(tenantId),
        deps.nudges.listAll(tenantId),
        deps.settings.get('nudgesPaused'),
        deps.exceptions?.listAll() ?? Promise.resolve([]),
        // The sweep's calendar, closures included: the overview shows when the sweep will act.
        partnerCalendar(deps.settings, deps.calendar ?? NO_CALENDAR),
      ]);
      const stateOf = new Map(states.map((s) => [s.objectId, s]));
      const open = principals.filter((p) => p.status !== 'compliant');
      const zones = new Map<string, string>();
      for (let i = 0; i < open.length; i += PARALLEL_READS) {
        const batch = open.slice(i, i + PARALLEL_READS);
        const contacts = await Promise.all(batch.map((p) => deps.contacts.get(tenantId, p.objectId)));
        batch.forEach((p, j) => {
          const tz = contacts[j]?.timezone;
          zones.set(p.objectId, tz && isValidZone(tz) ? tz : deps.defaultTimezone);
          if (contacts[j]?.unreachable?.reason === 'blocked') zones.set(p.objectId, '');
        });
      }
      const upcoming: (NudgeOverviewRow & { at: number })[] = [];
      let stopped = 0;
      for (const p of open) {
        const zone = zones.get(p.objectId) ?? deps.defaultTimezone;
        const stored = stateOf.get(p.objectId);
        const base = stored && stored.episode === p.episode ? stored : newNudgeState(p.objectId, p.episode);
        const state = recordFirstNotice(base, base.firstNoticeAt ?? p.episodeStartedAt);
        const exception = exceptionStop(exceptions.filter((r) => sameId(r.requesterId, p.objectId)), now);
        if (p.status === 'verificationPending' || zone === '' || exception || activeStop(state, now)) {
          stopped += 1;
          continue;
        }
        const decision = nextNudge(state, policy, { now, zone, hasManager: true, globallyPaused: false, calendar });
        if (decision.action === 'none') {
          stopped += 1;
          continue;
        }
        const whatText =
          decision.action === 'reminder'
            ? `reminder ${state.remindersSent + 1} of ${policy.maxRemindersBeforeEscalation}`
            : decision.step === 'manager'
              ? 'escalation to the manager (the admins if none)'
              : 'escalation to the admins';
        const whenText = decision.at.getTime() <= now.getTime() ? 'now (next sweep)' : formatInstant(decision.at, adminZone);
        upcoming.push({ upn: p.upn, whatText, whenText, at: decision.at.getTime() });
      }
      upcoming.sort((a, b) => a.at - b.at || a.upn.localeCompare(b.upn));
      const dueNow = upcoming.filter((r) => r.at <= now.getTime()).length;
      const pausedBy = pause ? ((await deps.contacts.get(tenantId, pause.value.by))?.address?.userName ?? pause.value.by) : '';
      return {
        paused: pause?.value.paused === true,
        pausedByText: pausedBy,
        pausedAtText: pause ? formatInstant(pause.value.at, adminZone) : '',
        rows: upcoming.slice(0, 50).map(({ upn, whatText, whenText }) => ({ upn, whatText, whenText })),
        rowsTotal: upcoming.length,
        total: open.length,
        dueNow,
        scheduled: upcoming.length - dueNow,
        stopped,
        zoneText: adminZone,
      };
    },

    /** Pause (or resume) nudges for everyone; records who (AAD object id) and when. Idempotent. */
    async setPaused(paused: boolean, by: string): Promise<NudgesPausedSetting> {
      return retryOnConflict(async () => {
        const current = await deps.settings.get('nudgesPaused');
        const value: NudgesPausedSetting = { paused, by, at: deps.clock.now() };
        if (current?.value.paused === paused) return current.value;
        await deps.settings.put('nudgesPaused', value, current?.etag);
        return value;
      });
    },
  };
}

export type NudgeActions = ReturnType<typeof createNudgeActions>;
