import type {
  ExceptionApprovalModel,
  ExceptionFormModel,
  ExceptionHistoryModel,
  ExceptionOutcomeModel,
  RecordAnswerModel,
  SlaItemModel,
  SubmissionPackModel,
} from '../../src/cards';
import { buildSubmissionPack } from '../../src/cards';
import type { DraftFields } from '../../src/domain/exception';

/** A complete, realistic justification (what an approved request holds). */
export const completeFields = (): DraftFields => ({
  reasonCategory: 'thirdPartyMfaCannotPassClaim',
  technicalDescription:
    'We use Contoso Secure MFA 4.2, federated with Entra ID through AD FS. Its response carries no MFA claim, so Partner Center sees our sign-ins as non-MFA and answers 401 (900421).',
  blockedScenario: 'appUserApi',
  workaroundTried: 'We enabled the vendor\'s "pass MFA claim" option and tried a custom control; neither sets amr=mfa.',
  businessImpact: 'Customer provisioning and monthly billing reconciliation stop.',
  affected: 'Two admin agents and the billing integration (App+User).',
  evidence: ['vendorConfirmation', 'integrationMethod', 'purchaseOrder'],
  integrationMethod: 'federation',
  mfaProduct: 'Contoso Secure MFA 4.2 through AD FS',
  contact: 'Alex Wilber, alexw@example.com, +44 20 7946 0000',
  requestedDuration: '3months',
  evidenceLinks: ['https://contoso.example/evidence/vendor-letter.pdf'],
});

export const exceptionSamples = {
  form: (over: Partial<ExceptionFormModel> = {}): ExceptionFormModel => ({
    requestId: 'req-7f3a',
    round: 0,
    values: { ...completeFields() },
    errors: [],
    canWithdraw: true,
    readerZone: 'Europe/Berlin',
    ...over,
  }),
  approval: (over: Partial<ExceptionApprovalModel> = {}): ExceptionApprovalModel => ({
    view: 'approver',
    requestId: 'req-7f3a',
    round: 1,
    requesterName: 'Alex Wilber',
    requesterUpn: 'alexw@example.com',
    fields: completeFields(),
    submittedAt: new Date('2026-11-23T09:15:00Z'),
    refreshUserIds: ['29:megan', '29:nestor'],
    ...over,
  }),
  outcome: (over: Partial<ExceptionOutcomeModel> = {}): ExceptionOutcomeModel => ({
    outcome: 'approved',
    requestId: 'req-7f3a',
    round: 1,
    reasonCategory: 'thirdPartyMfaCannotPassClaim',
    byName: 'Megan Bowen',
    at: new Date('2026-11-23T10:00:00Z'),
    readerZone: 'Europe/Berlin',
    ...over,
  }),
  pack: (over: Partial<SubmissionPackModel> = {}): SubmissionPackModel => ({
    requestId: 'req-7f3a',
    requesterName: 'Alex Wilber',
    requesterUpn: 'alexw@example.com',
    approvedByName: 'Megan Bowen',
    approvedAt: new Date('2026-11-23T10:00:00Z'),
    pack: buildSubmissionPack({ requesterName: 'Alex Wilber', requesterUpn: 'alexw@example.com', fields: completeFields() }),
    readerZone: 'Europe/Berlin',
    ...over,
  }),
  answer: (over: Partial<RecordAnswerModel> = {}): RecordAnswerModel => ({
    requestId: 'req-7f3a',
    requesterName: 'Alex Wilber',
    requesterUpn: 'alexw@example.com',
    caseNumber: '2611230040001234',
    submittedAt: new Date('2026-11-23T11:00:00Z'),
    dueAt: new Date('2026-11-26T11:00:00Z'),
    readerZone: 'Europe/Berlin',
    ...over,
  }),
  slaItem: (over: Partial<SlaItemModel> = {}): SlaItemModel => ({
    requestId: 'req-7f3a',
    requesterName: 'Alex Wilber',
    requesterUpn: 'alexw@example.com',
    caseNumber: '2611230040001234',
    state: 'onTrack',
    businessMinutesLeft: 1230,
    dueAt: new Date('2026-11-26T11:00:00Z'),
    submittedAt: new Date('2026-11-23T11:00:00Z'),
    ...over,
  }),
  history: (over: Partial<ExceptionHistoryModel> = {}): ExceptionHistoryModel => ({
    requestId: 'req-7f3a',
    requesterName: 'Alex Wilber',
    status: 'approved',
    entries: [
      { requestId: 'req-7f3a', at: new Date('2026-11-23T10:00:00Z'), actor: 'aad-megan', from: 'inReview', to: 'approved', action: 'approve', comment: 'Looks right.' },
      { requestId: 'req-7f3a', at: new Date('2026-11-23T09:15:00Z'), actor: 'aad-alex', from: 'draft', to: 'inReview', action: 'submitForReview' },
    ],
    names: { 'aad-megan': 'Megan Bowen', 'aad-alex': 'Alex Wilber' },
    readerZone: 'Europe/Berlin',
    ...over,
  }),
};
