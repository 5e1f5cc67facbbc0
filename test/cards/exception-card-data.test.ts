import { exceptionCardDataSchemas, parseCardData } from '../../src/bot/card-data';
import { Verbs, exceptionApprovalCard, exceptionFormCard } from '../../src/cards';
import { AppError } from '../../src/domain/errors';
import { actionsOf } from './card-inspect';
import { exceptionSamples as s } from './exception-samples';

describe('exc.* card data', () => {
  it('when listed, then every exc.* verb has a schema, and only those', () => {
    const exc = (Object.values(Verbs) as string[]).filter((v) => v.startsWith('exc.')).sort();
    expect(Object.keys(exceptionCardDataSchemas).sort()).toEqual(exc);
  });

  it('when a form button sends the form (Teams sends the multi-select as "a,b" and numbers as text), then the fields come out typed', () => {
    const data = parseCardData(Verbs.ExceptionSubmit, {
      verb: 'exc.submit',
      requestId: 'req-7f3a',
      round: '2',
      reasonCategory: 'other',
      technicalDescription: 'x'.repeat(5000),
      evidence: 'vendorConfirmation,purchaseOrder',
      affected: 42,
    });
    expect(data).toMatchObject({ requestId: 'req-7f3a', round: 2, reasonCategory: 'other', evidence: ['vendorConfirmation', 'purchaseOrder'], affected: '42' });
    expect(data.technicalDescription).toHaveLength(5000);
    expect(data.workaroundTried).toBeUndefined();
  });

  it('when the data comes from the rendered cards\' own buttons, then it parses (request id and round as the cards send them)', () => {
    for (const card of [exceptionFormCard(s.form({ round: 3 })), exceptionApprovalCard(s.approval())]) {
      for (const action of actionsOf(card).filter((a) => a.type === 'Action.Execute')) {
        const verb = action.verb as keyof typeof exceptionCardDataSchemas;
        expect(() => parseCardData(verb, { ...action.data, comment: 'ok' })).not.toThrow();
      }
    }
  });

  it.each([
    ['no request id', Verbs.ExceptionApprove, { round: 1 }],
    ['a request id with markup', Verbs.ExceptionApprove, { requestId: '[x](https://evil.example)', round: 1 }],
    ['a round that is not a whole number', Verbs.ExceptionReject, { requestId: 'r', round: '1.5' }],
    ['a negative round', Verbs.ExceptionRequestChanges, { requestId: 'r', round: -1 }],
    ['a text far over any limit', Verbs.ExceptionSaveDraft, { requestId: 'r', round: 0, businessImpact: 'x'.repeat(20_001) }],
    ['an object where text belongs', Verbs.ExceptionSaveDraft, { requestId: 'r', round: 0, affected: { a: 1 } }],
    ['too many evidence items', Verbs.ExceptionSubmit, { requestId: 'r', round: 0, evidence: Array.from({ length: 21 }, () => 'x').join(',') }],
  ] as const)('when a click sends %s, then it is refused as invalid input', (_name, verb, data) => {
    expect(() => parseCardData(verb, data)).toThrow(AppError);
    expect(() => parseCardData(verb, data)).toThrow(/did not expect/);
  });

  it('when the reason step has no request yet, then an empty request id reads as none', () => {
    expect(parseCardData(Verbs.ExceptionChooseReason, { requestId: '', reasonCategory: 'other' })).toEqual({ reasonCategory: 'other' });
    expect(parseCardData(Verbs.ExceptionStart, {})).toEqual({});
  });

  it('when Microsoft\'s answer is recorded, then the end date and reason come as text for the use case to check', () => {
    expect(parseCardData(Verbs.ExceptionRecordGranted, { requestId: 'r', endDate: '2027-05-31', reason: '' })).toEqual({ requestId: 'r', endDate: '2027-05-31', reason: '' });
    expect(parseCardData(Verbs.ExceptionRecordSubmitted, { requestId: 'r', caseNumber: 12345 })).toEqual({ requestId: 'r', caseNumber: '12345' });
  });
});
