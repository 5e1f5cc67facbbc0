/**
 * Adaptive Cards of MFA Shepherd: one JSON template (./templates) and one model (./models) per card,
 * expanded with adaptivecards-templating. User and Partner Center text is bound as data only,
 * escaped and clipped by each card function.
 */
export { Verbs, isVerb, type Verb } from './verbs';
export * from './models';
export * from './exception-models';
export { type AdaptiveCard, type CardData, CardRenderError, ADAPTIVE_CARD_CONTENT_TYPE, toAttachment } from './render';
export { escapeMarkdown, clip, safeText, safeMultiline, safeIdentifier, safeUrl, DEFAULT_MAX_TEXT } from './text';
export { formatInstant, clientLocalTime, formatRelative, readerTime } from './time';
export { Links } from './links';
export { exceptionExpiryCard, type ExceptionExpiryModel } from './exception-expiry-card';
export { describeSyncOutcome } from './outcomes';
export { firstNoticeCard, whyCard, welcomeCard } from './notice-cards';
export { walkthroughCard, verificationResultCard, toWalkthroughStep, WALKTHROUGH_STEPS } from './walkthrough-cards';
export { userStatusCard, helpCard, errorCard } from './status-cards';
export { adminSummaryCard, reconnectAlertCard, syncResultCard, UNREACHABLE_SHOWN } from './admin-cards';
export { deviceCodeCard, connectResultCard } from './connect-cards';
export {
  exceptionReasonCard,
  exceptionNotAcceptedCard,
  exceptionFormCard,
  exceptionApprovalCard,
  exceptionOutcomeCard,
  refreshUserIds,
  shownFields,
  reasonLabel,
  MAX_REFRESH_USERS,
  APPROVAL_DISPLAY_MAX,
} from './exception-cards';
export {
  buildSubmissionPack,
  submissionPackCard,
  recordAnswerCard,
  slaListCard,
  slaAlertCard,
  exceptionHistoryCard,
  myRequestsCard,
  exceptionExportCard,
  businessTimeLeftText,
  sortByUrgency,
  MFA_EXCEPTION_ISSUE_TYPE,
  SLA_ITEMS_SHOWN,
  HISTORY_ENTRIES_SHOWN,
  MY_REQUESTS_SHOWN,
} from './exception-admin-cards';
export { nudgeReminderCard, nudgeSnoozedCard, nudgeManagerCard, nudgeAdminsCard, nudgeOverviewCard, NUDGE_ROWS_SHOWN } from './nudge-cards';
export {
  integrationsInventoryCard,
  integrationDetailCard,
  playbookCard,
  incidentAlertCard,
  incidentReportCard,
  connectionCheckCard,
  integrationAlertCard,
  INVENTORY_ROWS_SHOWN,
} from './integration-cards';
