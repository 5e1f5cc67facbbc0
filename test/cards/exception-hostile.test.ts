import {
  buildSubmissionPack,
  exceptionApprovalCard,
  exceptionFormCard,
  exceptionHistoryCard,
  exceptionOutcomeCard,
  recordAnswerCard,
  slaAlertCard,
  slaListCard,
  submissionPackCard,
  type AdaptiveCard,
} from '../../src/cards';
import { DRAFT_LIMITS, EVIDENCE_LINK_MAX, EVIDENCE_LINKS_MAX, readDraft, type DraftFields, type DraftInput } from '../../src/domain/exception';
import { TEAMS_CARD_BYTES, actionsOf, allText, bytes, input, jsonWithoutInputValues, textsOf } from './card-inspect';
import { completeFields, exceptionSamples as s } from './exception-samples';

/**
 * The quality bar: a justification holding template expressions, a Markdown link and 10,000
 * characters renders inert (nothing evaluated, Markdown escaped as src/cards/text.ts does) and
 * bounded (display text clipped with a note, the card under Teams' 28 KB).
 */
const EXPRESSIONS = "${requesterName} ${if(true,'x','y')} [click](https://evil.example) **bold**";
const EVIL = `${EXPRESSIONS} ${'A'.repeat(10_000)}`;
const ESCAPED = "\\$\\{requesterName\\} \\$\\{if(true,'x','y')\\} \\[click\\](https://evil.example) \\*\\*bold\\*\\*";

const evilFields = (): DraftFields => ({
  ...completeFields(),
  technicalDescription: EVIL,
  otherScenario: EVIL,
  blockedScenario: 'other',
  workaroundTried: EVIL,
  businessImpact: EVIL,
  affected: EVIL,
});
const evilInput = (): DraftInput => ({ ...evilFields(), reasonCategory: EVIL, blockedScenario: EVIL, integrationMethod: EVIL, evidence: [EVIL, 'purchaseOrder'] });
const at = new Date('2026-11-23T10:00:00Z');

const displayed: [string, () => AdaptiveCard][] = [
  ['approval, approver view', () => exceptionApprovalCard(s.approval({ requesterName: EVIL, requesterUpn: EVIL, fields: evilFields(), error: EVIL }))],
  ['approval, decided', () => exceptionApprovalCard(s.approval({ view: 'decided', requesterName: EVIL, fields: evilFields(), decision: { outcome: 'rejected', byName: EVIL, at, comment: EVIL } }))],
  ['approval, already decided', () => exceptionApprovalCard(s.approval({ view: 'alreadyDecided', fields: evilFields(), decision: { outcome: 'approved', byName: EVIL, at, comment: EVIL } }))],
  ['outcome, changes requested', () => exceptionOutcomeCard(s.outcome({ outcome: 'changesRequested', byName: EVIL, comment: EVIL }))],
  ['outcome, denied', () => exceptionOutcomeCard(s.outcome({ outcome: 'denied', byName: EVIL, comment: EVIL }))],
  [
    'submission pack',
    () =>
      submissionPackCard(
        s.pack({ requesterName: EVIL, requesterUpn: EVIL, approvedByName: EVIL, error: EVIL, pack: buildSubmissionPack({ requesterName: EVIL, requesterUpn: EVIL, fields: evilFields() }) }),
      ),
  ],
  ['record answer', () => recordAnswerCard(s.answer({ requesterName: EVIL, requesterUpn: EVIL, caseNumber: EVIL, errors: [{ field: 'reason', problem: 'tooLong', message: EVIL }] }))],
  ['sla list', () => slaListCard({ items: [s.slaItem({ requesterName: EVIL, requesterUpn: EVIL, caseNumber: EVIL })] })],
  ['sla alert', () => slaAlertCard({ audience: 'admin', item: s.slaItem({ state: 'breached', requesterName: EVIL, caseNumber: EVIL }) })],
  [
    'history',
    () =>
      exceptionHistoryCard(
        s.history({ requesterName: EVIL, entries: [{ requestId: 'r', at, actor: 'aad-x', from: 'inReview', to: 'rejected', action: 'reject', comment: EVIL }], names: { 'aad-x': EVIL } }),
      ),
  ],
  ['form, refused', () => exceptionFormCard(s.form({ values: evilInput(), errors: readDraft(evilInput(), 'complete').errors, message: EVIL, changesRequested: { comment: EVIL, byName: EVIL, at } }))],
];

describe.each(displayed)('%s with a hostile justification', (_name, render) => {
  const card = render();
  /** What a reader sees as card text; input values are checked apart (they must stay as typed). */
  const shown = textsOf(JSON.parse(jsonWithoutInputValues(card)) as AdaptiveCard).join('\n');

  it('when rendered, then no expression is evaluated: the text shows escaped and literal, x/y never chosen', () => {
    expect(jsonWithoutInputValues(card)).not.toContain('${');
    expect(shown).toContain(ESCAPED);
    expect(shown).not.toMatch(/(?<!\\)\$(?!\\)\{/);
  });

  it('when rendered, then no Markdown link or bold comes from the input, and no button leads to it', () => {
    expect(shown).not.toMatch(/(?<!\\)\[click(?<!\\)\]/);
    expect(shown).not.toMatch(/(?<!\\)\*\*bold/);
    for (const action of actionsOf(card)) expect(JSON.stringify(action)).not.toContain('evil.example');
  });

  it('when rendered, then displayed text is clipped with "…" and the card stays under 28 KB', () => {
    expect(shown).toContain('…');
    expect(bytes(card)).toBeLessThan(TEAMS_CARD_BYTES);
  });
});

describe('bounded, with a note', () => {
  it('when a field is longer than the approval card shows, then it ends in "…" and a note gives the full length', () => {
    const texts = textsOf(exceptionApprovalCard(s.approval({ fields: evilFields() })));
    const at = texts.indexOf('Technical description');
    expect(texts[at + 1]?.endsWith('…')).toBe(true);
    expect(texts[at + 2]).toBe(`Shortened for this card: the full text has ${(EVIL.length).toLocaleString('en-US')} characters.`);
  });

  it('when a form value is longer than its field takes, then it is cut to the maximum with a note beside the field', () => {
    const card = exceptionFormCard(s.form({ values: evilInput() }));
    const value = input(card, 'technicalDescription')?.value as string;
    expect(value).toBe(EVIL.slice(0, DRAFT_LIMITS.technicalDescription.max));
    expect(allText(card)).toContain('Shown cut to 4,000 characters, the most this field takes: the text had 10,076. Shorten it before you save, or the rest is lost.');
  });
});

describe('inputs carry typed text back unchanged', () => {
  it('when the form shows hostile text, then each input holds it literally (never evaluated, never escaped)', () => {
    const typed = "${requesterName} ${if(true,'x','y')} [click](https://evil.example)\nline 2";
    const card = exceptionFormCard(s.form({ values: { technicalDescription: typed, workaroundTried: typed, businessImpact: typed, affected: typed, otherScenario: typed } }));
    for (const id of ['technicalDescription', 'workaroundTried', 'businessImpact', 'affected', 'otherScenario']) expect(input(card, id)?.value).toBe(typed);
  });

  it('when a choice is forged, then it is not selected (only known values bind to choice sets)', () => {
    const card = exceptionFormCard(s.form({ values: evilInput() }));
    expect(input(card, 'reasonCategory')?.value).toBe('');
    expect(input(card, 'blockedScenario')?.value).toBe('');
    expect(input(card, 'integrationMethod')?.value).toBe('');
    expect(input(card, 'evidence')?.value).toBe('purchaseOrder');
  });
});

describe("Teams' 28 KB at the domain's limits", () => {
  const atLimit = (char: string): DraftFields => ({
    ...completeFields(),
    blockedScenario: 'other',
    technicalDescription: char.repeat(DRAFT_LIMITS.technicalDescription.max),
    otherScenario: char.repeat(DRAFT_LIMITS.otherScenario.max),
    workaroundTried: char.repeat(DRAFT_LIMITS.workaroundTried.max),
    businessImpact: char.repeat(DRAFT_LIMITS.businessImpact.max),
    affected: char.repeat(DRAFT_LIMITS.affected.max),
    contact: char.repeat(DRAFT_LIMITS.contact.max),
    mfaProduct: char.repeat(DRAFT_LIMITS.mfaProduct.max),
    subjectKind: 'integration',
    subjectName: char.repeat(DRAFT_LIMITS.subjectName.max),
    // Links are URLs: ASCII as sent (other characters are percent-encoded), each at its maximum.
    evidenceLinks: Array.from({ length: EVIDENCE_LINKS_MAX }, (_, i) => `https://contoso.example/${i}/${'x'.repeat(EVIDENCE_LINK_MAX - 30)}`),
  });

  it.each([
    ['plain letters', 'a'],
    ['Markdown characters (each escaped, then JSON-escaped)', '*'],
    ['backslashes', '\\'],
    ['accented letters (2 bytes each)', 'é'],
    ['CJK characters (3 bytes each)', '中'],
  ])('when every field is at its maximum in %s, then the approval card, the pack and the form all fit', (_name, char) => {
    const fields = atLimit(char);
    const pack = buildSubmissionPack({ requesterName: 'Alex Wilber', requesterUpn: 'alexw@example.com', fields });
    expect(bytes(exceptionApprovalCard(s.approval({ fields })))).toBeLessThan(TEAMS_CARD_BYTES);
    expect(bytes(submissionPackCard(s.pack({ pack })))).toBeLessThan(TEAMS_CARD_BYTES);
    expect(bytes(exceptionFormCard(s.form({ values: fields })))).toBeLessThan(TEAMS_CARD_BYTES);
  });

  it('when the form\'s text at its limits would not fit (4-byte characters), then every value is cut by the same share to fit and each says so', () => {
    const fields = atLimit('😀');
    const card = exceptionFormCard(s.form({ values: fields }));
    expect(bytes(card)).toBeLessThan(TEAMS_CARD_BYTES);
    // Whom it is for is fixed when the request is opened: shown as text, not an input.
    for (const field of (Object.keys(DRAFT_LIMITS) as (keyof typeof DRAFT_LIMITS)[]).filter((f) => f !== 'subjectName')) {
      const value = input(card, field)?.value as string;
      const shown = Array.from(value).length;
      expect(shown).toBeGreaterThan(DRAFT_LIMITS[field].max / 3);
      expect(shown).toBeLessThan(DRAFT_LIMITS[field].max);
      expect(fields[field]?.startsWith(value)).toBe(true);
    }
    expect(allText(card)).toMatch(/Shown cut to [\d,]+ characters, to fit in a Teams card: the text had 4,000\. Shorten it before you save, or the rest is lost\./);
  });

  it('when the pack had to be cut to fit, then the card says so and gives the full length', () => {
    const pack = buildSubmissionPack({ requesterName: 'Alex', requesterUpn: 'a@example.com', fields: atLimit('*') });
    const card = submissionPackCard(s.pack({ pack }));
    expect(allText(card)).toContain(`Shortened for this card: the full description has ${pack.description.length.toLocaleString('en-US')} characters.`);
    expect(allText(submissionPackCard(s.pack()))).not.toContain('Shortened');
  });
});
