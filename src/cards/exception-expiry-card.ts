import type { ExpiryNotice } from '../domain/exception';
import { SUBJECT_KIND_LABELS, type SubjectKind } from '../domain/exception';
import type { ReaderModel } from './exception-models';
import { renderTemplate, type AdaptiveCard } from './render';
import { safeIdentifier, safeText } from './text';
import { readerTime } from './time';
import expiryTemplate from './templates/exception-expiry.json';

/** Before (10 and 2 business days) and at the end of a granted exception, to the requester or the admins. */
export interface ExceptionExpiryModel extends ReaderModel {
  audience: 'requester' | 'admin';
  notice: ExpiryNotice;
  requestId: string;
  requesterName: string;
  requesterUpn: string;
  caseNumber: string;
  /** Whom it covers: the requester's own account, or the named service account or integration. */
  subjectKind?: SubjectKind;
  subjectName?: string;
  /** The end: Microsoft's end date, or the review date of a grant without one (`isReviewDate`). */
  end: Date;
  isReviewDate: boolean;
}

const HEADLINES: Record<ExpiryNotice, string> = {
  tenDays: 'A technical exception ends in 10 business days',
  twoDays: 'A technical exception ends in 2 business days',
  ended: 'A technical exception has ended',
};

export function exceptionExpiryCard(model: ExceptionExpiryModel): AdaptiveCard {
  const when = readerTime(model.end, model.readerZone, model.locale);
  const ended = model.notice === 'ended';
  const endText = model.isReviewDate
    ? `Microsoft gave no end date, so it was set to be reviewed by ${when}${ended ? ', and that date has passed' : ''}.`
    : `Microsoft granted it until ${when}${ended ? ', and that date has passed' : ''}.`;
  const subjectText =
    model.subjectKind && model.subjectKind !== 'self'
      ? `${SUBJECT_KIND_LABELS[model.subjectKind].toLowerCase()} ${safeText(model.subjectName, 200)}`
      : model.audience === 'requester'
        ? 'your account'
        : 'their account';
  return renderTemplate('exception-expiry', expiryTemplate, {
    headline: HEADLINES[model.notice],
    headlineColor: ended ? 'Attention' : 'Warning',
    requestId: safeIdentifier(model.requestId, 100),
    requesterName: safeText(model.requesterName, 200) || 'Unknown user',
    requesterUpn: safeText(model.requesterUpn, 320),
    caseNumber: safeText(model.caseNumber, 60) || 'unknown',
    subjectText,
    endText,
    isRequester: model.audience === 'requester',
    isRequesterBefore: model.audience === 'requester' && !ended,
    isAdminBefore: model.audience === 'admin' && !ended,
    isEnded: ended,
  });
}
