export {
  createBusinessCalendar,
  DEFAULT_WORKING_DAYS,
  DEFAULT_WORKING_HOURS,
  withClosures,
  workingDayMinutes,
  type BusinessCalendar,
  type BusinessCalendarInput,
  type Closure,
} from './business-calendar';
export type { HolidayRegion } from './holidays';
export {
  businessDayInfo,
  businessDayInfoRange,
  isBusinessDay,
  type BusinessDayInfo,
  type NonBusinessReason,
} from './business-day';
export { businessMillisBetween, businessMinutesBetween, clockStart, dueAt } from './business-time';
export { MICROSOFT_SLA_BUSINESS_DAYS, slaStatus, slaTransition, type SlaState, type SlaStatus } from './sla';
export type { LocalDate, TimeOfDay } from './values';
export {
  DEFAULT_APPROVAL_BUSINESS_DAYS,
  dueReminders,
  FILING_BUSINESS_DAYS,
  runningClock,
  type Calendars,
  type ClockedRequest,
  type ClockKind,
  type DeadlinePolicy,
  type DeadlineReminder,
  type RunningClock,
} from './deadlines';
