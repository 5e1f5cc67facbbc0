/**
 * The SLA board and the internal deadlines through the real /api/messages, with a fixed clock on
 * a Berlin business calendar: an admin closes Wednesday with "closure add"; the board ("sla")
 * then shows the approval deadline moved past the closure, the filing deadline, and Microsoft's
 * due date NOT moved; the sweep reminds the approvers and the admins once each.
 */
import { PARTNER_TENANT_ID } from '../../sandbox';
import { FixedClock } from '../../src/domain/clock';
import { newExceptionRequest, type ExceptionRequest } from '../../src/domain/exception';
import type { TestUser } from '../support/activities';
import { ADMIN, startBotHarness, type BotHarness } from '../support/bot-harness';
import { allCardText } from '../support/connector';
import { COMPLETE_FORM } from '../support/exception-fixtures';

const ANNA: TestUser = { aadObjectId: 'approver-anna', name: 'Anna Approver', tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Berlin' };
const RITA: TestUser = { aadObjectId: 'requester-rita', name: 'Rita Requester', tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Berlin' };

/** Monday 23 Nov 2026, 10:00 Berlin. */
const MONDAY_10 = new Date('2026-11-23T09:00:00Z');
/** Tuesday 24 Nov 2026, 10:00 Berlin. */
const TUESDAY_10 = new Date('2026-11-24T09:00:00Z');

function request(id: string, over: Partial<ExceptionRequest>): ExceptionRequest {
  const base = newExceptionRequest({ id, requesterId: RITA.aadObjectId, requesterUpn: 'rita@example.com', at: MONDAY_10 });
  const { reasonCategory, technicalDescription } = COMPLETE_FORM;
  return { ...base, fields: { reasonCategory, technicalDescription } as ExceptionRequest['fields'], reviewRound: 1, submittedForReviewAt: MONDAY_10, ...over };
}

describe('the SLA board and internal deadlines through /api/messages', () => {
  const clock = new FixedClock(MONDAY_10);
  let h: BotHarness;

  beforeAll(async () => {
    h = await startBotHarness({
      env: { APPROVER_AAD_OBJECT_IDS: ANNA.aadObjectId, BUSINESS_TIMEZONE: 'Europe/Berlin', HOLIDAY_COUNTRY: 'DE', EXCEPTION_APPROVAL_BUSINESS_DAYS: '2' },
      overrides: { clock },
      sandboxNow: () => clock.now(),
    });
    for (const user of [ANNA, RITA, ADMIN]) await h.post(h.a.message(user, 'help'));
    await h.settle();
    const store = h.shepherd.storage.exceptions;
    await store.create(request('EXC-APPR-0001', { status: 'inReview' }));
    await store.create(request('EXC-FILE-0001', { status: 'approved', decidedBy: ANNA.aadObjectId, decidedAt: MONDAY_10 }));
    await store.create(
      request('EXC-MSFT-0001', { status: 'submittedToMicrosoft', decidedBy: ANNA.aadObjectId, decidedAt: MONDAY_10, supportCaseNumber: '2411240010001234', submittedToMicrosoftAt: TUESDAY_10, submittedToMicrosoftBy: ADMIN.aadObjectId }),
    );
  });
  afterAll(async () => {
    await h?.stop();
  });

  const say = async (user: TestUser, text: string) => {
    await h.post(h.a.message(user, text));
    await h.settle();
    const last = h.connector.sent.filter((s) => s.conversationId === h.a.conversationId(user)).at(-1);
    return last?.activity.attachments?.length ? allCardText(last.activity.attachments[0]?.content) : (last?.activity.text ?? '');
  };
  const textsTo = (user: TestUser) =>
    h.connector.sent.filter((s) => s.conversationId === h.a.conversationId(user) && s.method !== 'PUT').map((s) => s.activity.text ?? '');

  it('when an admin closes Wednesday, then the board shows approval moved to Thursday, filing overdue, and Microsoft still due Friday', async () => {
    expect(await say(ADMIN, 'closure add 2026-11-25 Company offsite')).toMatch(/Microsoft's 3 business days do not/);
    clock.set('2026-11-24T12:00:00Z'); // Tuesday 13:00 Berlin
    const board = await say(ADMIN, 'sla');
    expect(board).toContain('open deadlines');
    const rows = board.split(/(?=Breached|Due today|Due soon|On track)/).filter((r) => r.includes('EXC-'));
    const row = (id: string) => rows.find((r) => r.includes(id)) ?? '';
    // Filing: approved Monday 10:00, due Tuesday 10:00, not filed: overdue, most urgent first.
    expect(rows[0]).toContain('EXC-FILE-0001');
    expect(row('EXC-FILE-0001')).toMatch(/^Breached[\s\S]*Filing with Microsoft \(your deadline\)[\s\S]*due Tue 24 Nov 2026, 10:00/);
    // Approval: 2 business days from Monday 10:00; Wednesday is closed, so Thursday 10:00 (not Wednesday).
    expect(row('EXC-APPR-0001')).toMatch(/^Due soon[\s\S]*Approval \(your deadline\)[\s\S]*due Thu 26 Nov 2026, 10:00/);
    // Microsoft: 3 business days from Tuesday 10:00 is Friday 10:00; the partner's closure does not move it to Monday.
    expect(row('EXC-MSFT-0001')).toMatch(/^On track[\s\S]*Microsoft's answer · case 2411240010001234[\s\S]*due Fri 27 Nov 2026, 10:00/);
  });

  it('when the sweep runs on Thursday morning and again, then the approvers are reminded once; once overdue, the admins once', async () => {
    clock.set('2026-11-26T08:05:00Z'); // Thursday 09:05 Berlin: approval due today
    await h.shepherd.sweepSla();
    await h.settle();
    clock.advance(20 * 60_000); // a second sweep in a new interval
    await h.shepherd.sweepSla();
    await h.settle();
    const toAnna = textsTo(ANNA).filter((t) => t.includes('EXC-APPR-0001'));
    expect(toAnna).toHaveLength(1);
    expect(toAnna[0]).toMatch(/Reminder[\s\S]*approval deadline is Thu 26 Nov 2026, 10:00/);
    expect(textsTo(RITA).filter((t) => t.startsWith('Reminder'))).toEqual([]); // the requester is no approver of their own request

    clock.set('2026-11-26T09:30:00Z'); // Thursday 10:30 Berlin: overdue
    await h.shepherd.sweepSla();
    await h.settle();
    clock.advance(20 * 60_000);
    await h.shepherd.sweepSla();
    await h.settle();
    expect(textsTo(ADMIN).filter((t) => t.includes('EXC-APPR-0001') && t.includes('overdue for approval'))).toHaveLength(1);
    expect(textsTo(ADMIN).filter((t) => t.includes('EXC-FILE-0001') && t.includes('waiting to be filed'))).toHaveLength(1);
    expect(textsTo(ANNA).filter((t) => t.includes('EXC-APPR-0001'))).toHaveLength(1);
  });
});
