import { adminSummaryCard } from '../../src/cards';
import type { AdminSummaryModel } from '../../src/cards/models';

const BASE: AdminSummaryModel = {
  nonCompliantNow: 3,
  newSinceLastSync: 1,
  resolvedLastSync: 0,
  verificationPending: 0,
  unreachable: [],
  unreachableTotal: 0,
  botToken: { connected: true, hasMfa: true },
};

const trend = [
  { day: '2026-11-01', nonCompliant: 5, new: 5, resolved: 0 },
  { day: '2026-11-02', nonCompliant: 4, new: 0, resolved: 1 },
  { day: '2026-11-03', nonCompliant: 3, new: 1, resolved: 2 },
];

describe('the admin status card trend', () => {
  it('when there are two days or more of history, then a version 1.5 card carries a Chart.Line after the counts, with a text fallback', () => {
    const card = adminSummaryCard({ ...BASE, trend });
    expect(card.version).toBe('1.5');
    const body = card['body'] as Record<string, unknown>[];
    const chart = body.findIndex((e) => e['type'] === 'Chart.Line');
    expect(body[chart - 2]?.['type']).toBe('FactSet');
    expect(body[chart - 1]).toMatchObject({ type: 'TextBlock', text: 'Non-compliant per day, last 3 days' });
    expect(body[chart]).toEqual({
      type: 'Chart.Line',
      id: 'trend',
      title: 'Non-compliant per day',
      spacing: 'Medium',
      data: [{ legend: 'Non-compliant', values: [{ x: '2026-11-01', y: 5 }, { x: '2026-11-02', y: 4 }, { x: '2026-11-03', y: 3 }] }],
      fallback: { type: 'TextBlock', id: 'trend-fallback', wrap: true, spacing: 'Medium', text: 'Last 3 days: non-compliant 5 → 3 (6 new, 3 resolved).' },
    });
  });

  it('when there is less than two days of history, then the card has no chart', () => {
    for (const t of [undefined, [], trend.slice(0, 1)]) {
      const card = adminSummaryCard({ ...BASE, ...(t ? { trend: t } : {}) });
      expect(JSON.stringify(card)).not.toContain('Chart.');
    }
  });
});
