import { describeAuditEntry, formatHistory, type AuditEntry } from '../../../src/domain/exception';
import { APPROVER, REQUESTER, T } from './builders';

const entry = (at: string, patch: Partial<AuditEntry> = {}): AuditEntry => ({
  requestId: 'EX-1',
  at: T(at),
  actor: REQUESTER,
  from: 'draft',
  to: 'draft',
  action: 'saveDraft',
  ...patch,
});

describe('history', () => {
  it('when entries come in any order, then the history is oldest first and same-time entries keep their order', () => {
    const lines = formatHistory([
      entry('2026-11-02T10:00:00Z', { actor: APPROVER, from: 'inReview', to: 'approved', action: 'approve' }),
      entry('2026-11-02T08:00:00Z'),
      entry('2026-11-02T09:00:00Z', { from: 'draft', to: 'inReview', action: 'submitForReview' }),
      entry('2026-11-02T09:00:00Z', { from: 'inReview', to: 'withdrawn', action: 'withdraw' }),
    ]);
    expect(lines).toEqual([
      `2026-11-02 08:00 UTC · ${REQUESTER} saved the draft`,
      `2026-11-02 09:00 UTC · ${REQUESTER} submitted it for review (draft → in review)`,
      `2026-11-02 09:00 UTC · ${REQUESTER} withdrew it (in review → withdrawn)`,
      `2026-11-02 10:00 UTC · ${APPROVER} approved it (in review → approved)`,
    ]);
  });

  it('when a comment holds ${...}, markdown and newlines, then it is shown literally in quotes', () => {
    const e = entry('2026-11-02T10:00:00Z', { actor: APPROVER, from: 'inReview', to: 'rejected', action: 'reject', comment: '${admin} see [x](https://e.example)\n**no**' });
    expect(describeAuditEntry(e, () => 'Megan Bowen')).toBe(
      'Megan Bowen rejected it (in review → rejected): “${admin} see [x](https://e.example)\n**no**”',
    );
  });

  it('when there are no entries, then the history is empty', () => {
    expect(formatHistory([])).toEqual([]);
  });
});
