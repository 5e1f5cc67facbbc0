import { cleanText, formatCount, isOneOf, textLength } from './text';

/**
 * The justification a user writes for a Partner Center technical exception ("MFA - Request for
 * exception"), and the rules it must meet before admins review it.
 */

/** Grounds Microsoft accepts: a technical issue with its online services that has no feasible workaround. */
export const ACCEPTED_CATEGORIES = ['thirdPartyMfaCannotPassClaim', 'microsoftServiceTechnicalIssue', 'other'] as const;
/** Grounds Microsoft says it will NOT accept: a request on them cannot succeed. */
export const NOT_ACCEPTED_CATEGORIES = [
  'needMoreTime',
  'usersDoNotUseDelegatedAdmin',
  'serviceAccount',
  'cleanDeskPolicy',
  'legacyAuthentication',
  'dapGdapCustomerTenant',
] as const;
export const REASON_CATEGORIES = [...ACCEPTED_CATEGORIES, ...NOT_ACCEPTED_CATEGORIES] as const;
export type ReasonCategory = (typeof REASON_CATEGORIES)[number];

/** Which Partner Center scenario MFA blocks: the portal pages, an App+User API integration, or other. */
export const BLOCKED_SCENARIOS = ['portal', 'appUserApi', 'other'] as const;
export type BlockedScenario = (typeof BLOCKED_SCENARIOS)[number];

/** The evidence Microsoft asks for when a third-party MFA provider cannot pass the MFA claim. */
export const EVIDENCE_ITEMS = [
  'vendorConfirmation',
  'integrationMethod',
  'thirdPartyMfaConfiguration',
  'securityRequirementTestOutput',
  'purchaseOrder',
] as const;
export type EvidenceItem = (typeof EVIDENCE_ITEMS)[number];

export const INTEGRATION_METHODS = ['federation', 'customControl'] as const;
export type IntegrationMethod = (typeof INTEGRATION_METHODS)[number];

/**
 * Whom the exception is for: the requester's own account, or (filed by an admin) a service account
 * or an integration the partner runs, named in `subjectName`.
 */
export const SUBJECT_KINDS = ['self', 'serviceAccount', 'integration'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

/** How long the partner asks Microsoft to grant the exception for. */
export const REQUESTED_DURATIONS = ['1month', '3months', '6months', '12months'] as const;
export type RequestedDuration = (typeof REQUESTED_DURATIONS)[number];

export const SUBJECT_KIND_LABELS: Record<SubjectKind, string> = {
  self: 'My own account',
  serviceAccount: 'A service account',
  integration: 'An integration or app',
};

export const REQUESTED_DURATION_LABELS: Record<RequestedDuration, string> = {
  '1month': '1 month',
  '3months': '3 months',
  '6months': '6 months',
  '12months': '12 months',
};

export const REASON_CATEGORY_LABELS: Record<ReasonCategory, string> = {
  thirdPartyMfaCannotPassClaim: 'Our third-party MFA provider cannot pass the MFA claim to Entra ID',
  microsoftServiceTechnicalIssue: 'A technical issue with a Microsoft online service, with no feasible workaround',
  other: 'Another technical reason',
  needMoreTime: 'We need more time to roll out MFA',
  usersDoNotUseDelegatedAdmin: 'These users do not use delegated admin privileges',
  serviceAccount: 'It is a service account',
  cleanDeskPolicy: 'A clean-desk policy rules out the Authenticator app',
  legacyAuthentication: 'We use legacy authentication protocols',
  dapGdapCustomerTenant: 'Managing customer tenants through DAP or GDAP',
};

export const BLOCKED_SCENARIO_LABELS: Record<BlockedScenario, string> = {
  portal: 'Partner Center portal pages',
  appUserApi: 'An App+User Partner Center API integration',
  other: 'Other',
};

export const EVIDENCE_LABELS: Record<EvidenceItem, string> = {
  vendorConfirmation: 'Confirmation from the MFA vendor that it cannot pass the MFA claim',
  integrationMethod: 'The integration method (federation or custom control)',
  thirdPartyMfaConfiguration: 'The third-party MFA configuration',
  securityRequirementTestOutput: 'The output of the partner security requirement test',
  purchaseOrder: 'The purchase order for the third-party MFA solution',
};

export const INTEGRATION_METHOD_LABELS: Record<IntegrationMethod, string> = {
  federation: 'Federation',
  customControl: 'Custom control',
};

const NOT_ACCEPTED_EXPLANATIONS: Record<(typeof NOT_ACCEPTED_CATEGORIES)[number], string> = {
  needMoreTime:
    'Microsoft does not grant a technical exception for needing more time to roll out MFA.',
  usersDoNotUseDelegatedAdmin:
    'Microsoft does not accept "these users do not use delegated admin" as a reason: everyone who signs in to Partner Center or calls its App+User APIs needs MFA.',
  serviceAccount:
    'Microsoft does not grant technical exceptions for service accounts: an account that signs in to Partner Center or calls its App+User APIs needs MFA.',
  cleanDeskPolicy:
    'Microsoft does not accept a clean-desk policy that rules out the Authenticator app as a reason: other MFA methods, such as a FIDO2 security key or a hardware token, need no phone.',
  legacyAuthentication:
    'Microsoft does not grant technical exceptions for legacy authentication protocols: the integration has to move to modern authentication with MFA.',
  dapGdapCustomerTenant:
    'Microsoft grants no technical exceptions for managing customer tenants through DAP or GDAP.',
};

/**
 * Microsoft's explanation when a reason cannot succeed; undefined when it can (or is not a known
 * reason). The card shows it as soon as the reason is chosen, before the user writes anything more.
 */
export function unacceptableReason(category: string | undefined): string | undefined {
  return isOneOf(NOT_ACCEPTED_CATEGORIES, category) ? NOT_ACCEPTED_EXPLANATIONS[category] : undefined;
}

/** Maximum (and minimum) lengths in characters, counted after cleaning. */
export const DRAFT_LIMITS = {
  technicalDescription: { min: 50, max: 4000 },
  otherScenario: { max: 500 },
  workaroundTried: { max: 2000 },
  businessImpact: { max: 2000 },
  affected: { max: 1000 },
  subjectName: { max: 200 },
  contact: { max: 300 },
  mfaProduct: { max: 200 },
} as const;

/** Evidence links: at most this many, each an http(s) address of at most EVIDENCE_LINK_MAX characters. */
export const EVIDENCE_LINKS_MAX = 10;
export const EVIDENCE_LINK_MAX = 500;

/** What the form sends: every field optional, choices as plain strings (validation checks them). */
export interface DraftInput {
  reasonCategory?: string;
  technicalDescription?: string;
  blockedScenario?: string;
  /** Which scenario, when `blockedScenario` is `other`. */
  otherScenario?: string;
  workaroundTried?: string;
  businessImpact?: string;
  /** Affected users or integrations. */
  affected?: string;
  evidence?: readonly string[];
  /** The integration method, when the evidence includes it. */
  integrationMethod?: string;
  /** Whom it is for (admins only may choose other than `self`), and the account or app's name. */
  subjectKind?: string;
  subjectName?: string;
  /** Who Microsoft should contact about the request (name, e-mail, phone). */
  contact?: string;
  /** The MFA provider or product involved (e.g. "Okta Verify through federation"). */
  mfaProduct?: string;
  requestedDuration?: string;
  /** Links to the attachments or evidence, one per line (or a list). */
  evidenceLinks?: string | readonly string[];
}

/** The draft as stored: cleaned text, known choices only; an empty field is absent. */
export interface DraftFields {
  reasonCategory?: ReasonCategory;
  technicalDescription?: string;
  blockedScenario?: BlockedScenario;
  otherScenario?: string;
  workaroundTried?: string;
  businessImpact?: string;
  affected?: string;
  evidence?: EvidenceItem[];
  integrationMethod?: IntegrationMethod;
  /** Absent: the requester's own account. */
  subjectKind?: SubjectKind;
  subjectName?: string;
  contact?: string;
  mfaProduct?: string;
  requestedDuration?: RequestedDuration;
  evidenceLinks?: string[];
}

export type DraftField = keyof DraftFields;

export type FieldProblem = 'required' | 'tooShort' | 'tooLong' | 'unknownChoice' | 'notAccepted' | 'format' | 'notAfter';

/** One problem with one field: the card shows `message` beside the field and keeps what was typed. */
export interface FieldError<F extends string = string> {
  field: F;
  problem: FieldProblem;
  message: string;
}

export const DRAFT_FIELD_LABELS: Record<DraftField, string> = {
  reasonCategory: 'Reason',
  technicalDescription: 'Technical description',
  blockedScenario: 'Blocked scenario',
  otherScenario: 'Other scenario',
  workaroundTried: 'Workaround tried',
  businessImpact: 'Business impact',
  affected: 'Affected users or integrations',
  evidence: 'Evidence',
  integrationMethod: 'Integration method',
  subjectKind: 'For',
  subjectName: 'Account or app',
  contact: 'Contact for Microsoft',
  mfaProduct: 'MFA provider or product',
  requestedDuration: 'Requested duration',
  evidenceLinks: 'Evidence links',
};

/** Whether the request is for someone or something other than the requester's own account. */
export function isForOther(fields: Pick<DraftFields, 'subjectKind'>): boolean {
  return fields.subjectKind !== undefined && fields.subjectKind !== 'self';
}

/** One evidence link: an absolute http(s) address without spaces. */
function isEvidenceLink(text: string): boolean {
  if (/\s/.test(text) || !/^https?:\/\//i.test(text)) return false;
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * 'partial': a saved draft — only what is there is checked (known choices, maximum lengths).
 * 'complete': a draft submitted for review — required fields, minimum lengths and Microsoft's rules too.
 */
export type ValidationMode = 'partial' | 'complete';

/** Check a cleaned text against required / min / max; the message names the field and the numbers. */
export function checkText<F extends string>(
  field: F,
  label: string,
  text: string,
  rule: { required: boolean; min?: number; max: number },
): FieldError<F> | undefined {
  const length = textLength(text);
  if (length === 0) return rule.required ? { field, problem: 'required', message: `${label} is required.` } : undefined;
  if (rule.min !== undefined && length < rule.min) {
    return {
      field,
      problem: 'tooShort',
      message: `${label} needs at least ${formatCount(rule.min)} characters (it has ${formatCount(length)}).`,
    };
  }
  if (length > rule.max) {
    return {
      field,
      problem: 'tooLong',
      message: `${label} can have at most ${formatCount(rule.max)} characters (it has ${formatCount(length)}).`,
    };
  }
  return undefined;
}

/**
 * Clean a draft and check it. `fields` keeps every cleaned text, even one that is too long or too
 * short (validation never truncates: what was typed comes back with its error); a choice that is not
 * in the list is left out of `fields` and reported.
 */
export function readDraft(input: DraftInput, mode: ValidationMode): { fields: DraftFields; errors: FieldError<DraftField>[] } {
  const complete = mode === 'complete';
  const fields: DraftFields = {};
  const errors: FieldError<DraftField>[] = [];
  const report = (error: FieldError<DraftField> | undefined): void => {
    if (error) errors.push(error);
  };
  const text = (
    field: 'technicalDescription' | 'otherScenario' | 'workaroundTried' | 'businessImpact' | 'affected' | 'subjectName' | 'contact' | 'mfaProduct',
    required: boolean,
  ): void => {
    const value = cleanText(input[field]);
    if (value !== '') fields[field] = value;
    const limits: { min?: number; max: number } = DRAFT_LIMITS[field];
    report(checkText(field, DRAFT_FIELD_LABELS[field], value, { required: complete && required, min: complete ? limits.min : undefined, max: limits.max }));
  };
  const unknownChoice = (field: DraftField): FieldError<DraftField> => ({
    field,
    problem: 'unknownChoice',
    message: `${DRAFT_FIELD_LABELS[field]}: choose one of the listed options.`,
  });

  // Reason: a known category; at submission, one Microsoft accepts.
  const category = cleanText(input.reasonCategory);
  if (isOneOf(REASON_CATEGORIES, category)) {
    fields.reasonCategory = category;
    const notAccepted = unacceptableReason(category);
    if (complete && notAccepted) errors.push({ field: 'reasonCategory', problem: 'notAccepted', message: notAccepted });
  } else if (category !== '') {
    errors.push(unknownChoice('reasonCategory'));
  } else if (complete) {
    errors.push({ field: 'reasonCategory', problem: 'required', message: 'Reason is required: choose the one that fits.' });
  }

  text('technicalDescription', true);

  // Blocked scenario; "other" needs a description of it.
  const scenario = cleanText(input.blockedScenario);
  if (isOneOf(BLOCKED_SCENARIOS, scenario)) fields.blockedScenario = scenario;
  else if (scenario !== '') errors.push(unknownChoice('blockedScenario'));
  else if (complete) errors.push({ field: 'blockedScenario', problem: 'required', message: 'Blocked scenario is required: choose which one MFA blocks.' });
  text('otherScenario', scenario === 'other');

  text('workaroundTried', true);
  text('businessImpact', true);
  text('affected', false);

  // Evidence: known items, each once; at least one for a third-party MFA provider.
  const evidence: EvidenceItem[] = [];
  let unknownEvidence = false;
  for (const raw of input.evidence ?? []) {
    const item = cleanText(raw);
    if (item === '') continue;
    if (!isOneOf(EVIDENCE_ITEMS, item)) unknownEvidence = true;
    else if (!evidence.includes(item)) evidence.push(item);
  }
  if (evidence.length > 0) fields.evidence = evidence;
  if (unknownEvidence) {
    errors.push({ field: 'evidence', problem: 'unknownChoice', message: 'Evidence: tick only items from the list.' });
  } else if (complete && evidence.length === 0 && fields.reasonCategory === 'thirdPartyMfaCannotPassClaim') {
    errors.push({
      field: 'evidence',
      problem: 'required',
      message: 'Evidence: tick at least one item you can provide. Microsoft asks for it when a third-party MFA provider cannot pass the MFA claim.',
    });
  }

  const method = cleanText(input.integrationMethod);
  if (isOneOf(INTEGRATION_METHODS, method)) fields.integrationMethod = method;
  else if (method !== '') errors.push(unknownChoice('integrationMethod'));
  else if (complete && evidence.includes('integrationMethod')) {
    errors.push({ field: 'integrationMethod', problem: 'required', message: 'Integration method is required when you tick it as evidence: federation or custom control.' });
  }

  // Whom it is for: another account or app needs its name (whether the requester may file for it is the command's rule).
  const subject = cleanText(input.subjectKind);
  if (isOneOf(SUBJECT_KINDS, subject)) {
    if (subject !== 'self') fields.subjectKind = subject;
  } else if (subject !== '') errors.push(unknownChoice('subjectKind'));
  text('subjectName', isForOther(fields));
  if (!isForOther(fields)) delete fields.subjectName;

  text('contact', false);
  text('mfaProduct', false);

  const duration = cleanText(input.requestedDuration);
  if (isOneOf(REQUESTED_DURATIONS, duration)) fields.requestedDuration = duration;
  else if (duration !== '') errors.push(unknownChoice('requestedDuration'));

  // Evidence links: one per line, http(s) only, each once, at most EVIDENCE_LINKS_MAX.
  const rawLinks = typeof input.evidenceLinks === 'string' ? input.evidenceLinks.split('\n') : [...(input.evidenceLinks ?? [])];
  const links: string[] = [];
  const badLinks: string[] = [];
  for (const raw of rawLinks) {
    const link = cleanText(raw);
    if (link === '') continue;
    if (textLength(link) > EVIDENCE_LINK_MAX || !isEvidenceLink(link)) badLinks.push(link);
    else if (!links.includes(link)) links.push(link);
  }
  if (links.length > 0 || badLinks.length > 0) fields.evidenceLinks = [...links, ...badLinks];
  if (badLinks.length > 0) {
    errors.push({
      field: 'evidenceLinks',
      problem: 'format',
      message: `Evidence links: put one web address per line, starting with https:// (at most ${formatCount(EVIDENCE_LINK_MAX)} characters each); ${formatCount(badLinks.length)} line(s) are not.`,
    });
  } else if (links.length > EVIDENCE_LINKS_MAX) {
    errors.push({ field: 'evidenceLinks', problem: 'tooLong', message: `Evidence links: at most ${formatCount(EVIDENCE_LINKS_MAX)} (there are ${formatCount(links.length)}).` });
  }

  return { fields, errors };
}

/** Every problem of a draft, in form order; empty when it is valid for `mode` (default: complete). */
export function validateDraft(input: DraftInput, mode: ValidationMode = 'complete'): FieldError<DraftField>[] {
  return readDraft(input, mode).errors;
}
