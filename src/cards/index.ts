/**
 * Adaptive Cards of MFA Shepherd: one JSON template (./templates) and one model (./models) per card,
 * expanded with adaptivecards-templating. User and Partner Center text is bound as data only,
 * escaped and clipped by each card function.
 */
export { Verbs, isVerb, type Verb } from './verbs';
export * from './models';
export { type AdaptiveCard, type CardData, CardRenderError, ADAPTIVE_CARD_CONTENT_TYPE, toAttachment } from './render';
export { escapeMarkdown, clip, safeText, safeIdentifier, safeUrl, DEFAULT_MAX_TEXT } from './text';
export { formatInstant, clientLocalTime, formatRelative } from './time';
export { Links } from './links';
export { describeSyncOutcome } from './outcomes';
export { firstNoticeCard, whyCard, welcomeCard } from './notice-cards';
export { walkthroughCard, verificationResultCard, toWalkthroughStep, WALKTHROUGH_STEPS } from './walkthrough-cards';
export { userStatusCard, helpCard, errorCard } from './status-cards';
export { adminSummaryCard, reconnectAlertCard, syncResultCard, UNREACHABLE_SHOWN } from './admin-cards';
export { deviceCodeCard, connectResultCard } from './connect-cards';
export { nudgeReminderCard, nudgeSnoozedCard, nudgeManagerCard, nudgeAdminsCard, nudgeOverviewCard, NUDGE_ROWS_SHOWN } from './nudge-cards';
