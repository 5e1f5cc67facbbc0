import {
  ACCEPTED_CATEGORIES,
  cleanText,
  NOT_ACCEPTED_CATEGORIES,
  readDraft,
  REASON_CATEGORY_LABELS,
  textLength,
  unacceptableReason,
  validateDraft,
  type DraftInput,
} from '../../../src/domain/exception';
import { text, VALID_FIELDS } from './builders';

const withField = (patch: DraftInput): DraftInput => ({ ...VALID_FIELDS, ...patch });
const problems = (input: DraftInput, mode?: 'partial' | 'complete'): string[] =>
  validateDraft(input, mode).map((e) => `${e.field}:${e.problem}`);

describe('validateDraft', () => {
  it('when every field is filled as Microsoft asks, then there are no errors', () => {
    expect(validateDraft(VALID_FIELDS)).toEqual([]);
  });

  it('when nothing is filled in, then each required field is named in form order; a partial save accepts it', () => {
    expect(problems({})).toEqual([
      'reasonCategory:required',
      'technicalDescription:required',
      'blockedScenario:required',
      'workaroundTried:required',
      'businessImpact:required',
    ]);
    expect(problems({}, 'partial')).toEqual([]);
  });

  it('when an error is reported, then its message starts with the field it is about', () => {
    const errors = validateDraft({ technicalDescription: 'short', evidence: ['nope'], integrationMethod: 'sms' });
    const labels: Record<string, string> = {
      reasonCategory: 'Reason',
      technicalDescription: 'Technical description',
      blockedScenario: 'Blocked scenario',
      workaroundTried: 'Workaround tried',
      businessImpact: 'Business impact',
      evidence: 'Evidence',
      integrationMethod: 'Integration method',
    };
    expect(errors.length).toBeGreaterThan(5);
    for (const e of errors) expect(e.message.startsWith(labels[e.field] ?? '?')).toBe(true);
  });

  describe('technical description: required, 50 to 4,000 characters', () => {
    it.each([
      [49, ['technicalDescription:tooShort']],
      [50, []],
      [4000, []],
      [4001, ['technicalDescription:tooLong']],
    ])('when it has %i characters, then %j', (length, expected) => {
      expect(problems(withField({ technicalDescription: text(length) }))).toEqual(expected);
    });

    it('when it is too short, then the message says the minimum and the count', () => {
      expect(validateDraft(withField({ technicalDescription: text(49) }))[0]?.message).toBe(
        'Technical description needs at least 50 characters (it has 49).',
      );
      expect(validateDraft(withField({ technicalDescription: text(4001) }))[0]?.message).toBe(
        'Technical description can have at most 4,000 characters (it has 4,001).',
      );
    });

    it('when a draft is only saved, then a short description is fine and a long one is not', () => {
      expect(problems({ technicalDescription: text(10) }, 'partial')).toEqual([]);
      expect(problems({ technicalDescription: text(4001) }, 'partial')).toEqual(['technicalDescription:tooLong']);
    });

    it('when it is padded with spaces and newlines, then the length is counted after trimming', () => {
      expect(validateDraft(withField({ technicalDescription: `  \n\t${text(49)}\n\n  ` }))[0]?.message).toBe(
        'Technical description needs at least 50 characters (it has 49).',
      );
      expect(problems(withField({ technicalDescription: `   ${text(4000)}   ` }))).toEqual([]);
    });

    it('when it is written in emoji, then each counts as one character', () => {
      expect(problems(withField({ technicalDescription: '🔐'.repeat(50) }))).toEqual([]);
      expect(problems(withField({ technicalDescription: '🔐'.repeat(49) }))).toEqual(['technicalDescription:tooShort']);
    });
  });

  it.each([
    ['workaroundTried', 2000],
    ['businessImpact', 2000],
    ['affected', 1000],
    ['otherScenario', 500],
  ] as const)('when %s has its maximum of %i characters, then it passes; one more fails', (field, max) => {
    const base = field === 'otherScenario' ? withField({ blockedScenario: 'other' }) : VALID_FIELDS;
    expect(problems({ ...base, [field]: text(max) })).toEqual([]);
    expect(problems({ ...base, [field]: text(max + 1) })).toEqual([`${field}:tooLong`]);
  });

  it('when workaround or business impact are blank, then they are required; affected users are optional', () => {
    expect(problems(withField({ workaroundTried: '  ', businessImpact: '', affected: '' }))).toEqual([
      'workaroundTried:required',
      'businessImpact:required',
    ]);
  });

  it('when the blocked scenario is "other", then describing it is required; for the portal it is not', () => {
    expect(problems(withField({ blockedScenario: 'other' }))).toEqual(['otherScenario:required']);
    expect(problems(withField({ blockedScenario: 'other', otherScenario: 'Power Automate connector' }))).toEqual([]);
    expect(problems(withField({ blockedScenario: 'portal' }))).toEqual([]);
  });

  it('when a choice is not in the list, then it is reported as such, in a partial save too', () => {
    const input = { reasonCategory: 'becauseISaySo', blockedScenario: 'mobileApp', integrationMethod: 'sms', evidence: ['vendorConfirmation', 'selfie'] };
    const expected = ['reasonCategory:unknownChoice', 'blockedScenario:unknownChoice', 'evidence:unknownChoice', 'integrationMethod:unknownChoice'];
    expect(problems(input, 'partial')).toEqual(expected);
    expect(problems(input)).toEqual(expect.arrayContaining(expected));
  });

  describe('evidence', () => {
    it('when a third-party MFA provider is the reason and no evidence is ticked, then at least one item is required', () => {
      expect(problems(withField({ evidence: [], integrationMethod: '' }))).toEqual(['evidence:required']);
      expect(problems(withField({ evidence: ['purchaseOrder'], integrationMethod: '' }))).toEqual([]);
    });

    it('when another reason is given, then evidence is optional', () => {
      expect(problems(withField({ reasonCategory: 'microsoftServiceTechnicalIssue', evidence: [], integrationMethod: '' }))).toEqual([]);
    });

    it('when the integration method is ticked as evidence, then which method is required', () => {
      expect(problems(withField({ evidence: ['integrationMethod'], integrationMethod: '' }))).toEqual(['integrationMethod:required']);
      expect(problems(withField({ evidence: ['integrationMethod'], integrationMethod: 'customControl' }))).toEqual([]);
    });

    it('when an item is ticked twice or with spaces, then it is kept once, cleaned', () => {
      expect(readDraft({ evidence: [' purchaseOrder ', 'purchaseOrder', '', 'vendorConfirmation'] }, 'partial').fields.evidence).toEqual([
        'purchaseOrder',
        'vendorConfirmation',
      ]);
    });
  });

  describe('reasons Microsoft does not accept', () => {
    it.each(NOT_ACCEPTED_CATEGORIES)('when the reason is %s, then submitting is refused with Microsoft\'s explanation', (category) => {
      const errors = validateDraft(withField({ reasonCategory: category }));
      expect(errors).toEqual([{ field: 'reasonCategory', problem: 'notAccepted', message: unacceptableReason(category) }]);
      expect(validateDraft(withField({ reasonCategory: category }), 'partial')).toEqual([]);
    });

    it.each(NOT_ACCEPTED_CATEGORIES)('when the reason is %s, then unacceptableReason explains it and it has a label', (category) => {
      expect(unacceptableReason(category)).toMatch(/^Microsoft (does not|grants no)/);
      expect(REASON_CATEGORY_LABELS[category]).not.toBe('');
    });

    it.each([...ACCEPTED_CATEGORIES, undefined, '', 'unknown'])('when the reason is %j, then unacceptableReason has nothing to say', (category) => {
      expect(unacceptableReason(category)).toBeUndefined();
    });
  });
});

describe('readDraft keeps what was typed', () => {
  it('when text holds ${...}, markdown and 10,000 characters, then the field keeps it literally and only validation objects', () => {
    const huge = '${user.upn} **[click](https://evil.example)** '.padEnd(10_000, 'y');
    const { fields, errors } = readDraft(withField({ technicalDescription: huge }), 'complete');
    expect(fields.technicalDescription).toBe(huge);
    expect(errors).toEqual([
      { field: 'technicalDescription', problem: 'tooLong', message: 'Technical description can have at most 4,000 characters (it has 10,000).' },
    ]);
  });

  it('when a field is blank, then it is absent from the draft', () => {
    expect(readDraft({ technicalDescription: '   ', affected: '', reasonCategory: 'other' }, 'partial').fields).toEqual({ reasonCategory: 'other' });
  });
});

describe('cleanText', () => {
  it('when text has control characters, then they are removed; newlines stay, tabs become spaces, CRLF and CR become LF', () => {
    expect(cleanText('\u0000 line\u0007 one\r\nline\ttwo\rthree\u001b[31m\u0085 \n')).toBe('line one\nline two\nthree[31m');
  });

  it('when the value is not a string, then it reads as empty', () => {
    expect(cleanText(undefined)).toBe('');
    expect(cleanText(42)).toBe('');
    expect(cleanText({ toString: () => 'x' })).toBe('');
  });

  it('when counting, then code points are counted, not UTF-16 units', () => {
    expect(textLength('a🔐b')).toBe(3);
  });
});
