import {
  connectionCheckCard,
  incidentAlertCard,
  incidentReportCard,
  integrationAlertCard,
  integrationDetailCard,
  integrationsInventoryCard,
  playbookCard,
  type AdaptiveCard,
} from '../../src/cards';
import { assessRisk, emptyIntegration, type Incident, type Integration } from '../../src/domain/integrations';
import { allText } from './card-inspect';

const AT = new Date('2026-11-21T12:00:00.000Z');
/** An app name, UPN, operation or note trying template injection, a Markdown link and sheer size. */
const EVIL = '${name} [link](https://evil.example) **bold** ' + 'A'.repeat(5_000);

const evilApp: Integration = {
  ...emptyIntegration('app-1', EVIL, false, 'app-1'),
  days: { '2026-11-20': { mfa: 1, nonMfa: 3 } },
  principals: [{ objectId: 'u', upn: EVIL, lastAt: AT, requests: 4, nonMfa: 3 }],
  operations: [{ name: EVIL, lastAt: AT, requests: 4, nonMfa: 3 }],
  sourceIps: [EVIL],
  recentNonMfa: [{ requestId: 'r', correlationId: EVIL, operationName: EVIL, upn: EVIL, at: AT }],
  fields: { owner: { name: EVIL }, notes: EVIL, businessFunction: EVIL, runbookUrl: 'javascript:alert(1)', playbookSteps: [EVIL] },
};
const incident: Incident = { id: 'INC-1', integrationKey: 'app-1', name: EVIL, status: 401, errorCode: EVIL, correlationId: EVIL, operationName: EVIL, occurredAt: AT, receivedAt: AT, source: EVIL, alertBucket: 'b', acknowledgedBy: 'x', acknowledgedByName: EVIL, acknowledgedAt: AT };

describe('integration watch cards with hostile text', () => {
  const cards: [string, () => AdaptiveCard][] = [
    ['inventory', () => integrationsInventoryCard({ ranked: [assessRisk(evilApp, AT)] })],
    ['detail', () => integrationDetailCard({ risk: assessRisk(evilApp, AT), fix: EVIL, canEdit: true, zone: 'Europe/Berlin', message: EVIL })],
    ['playbook', () => playbookCard({ integration: evilApp, steps: [EVIL], correlationIds: [EVIL], canEdit: true, message: EVIL })],
    ['incident alert', () => incidentAlertCard({ incident, integration: evilApp, steps: [EVIL] })],
    ['report form', () => incidentReportCard({ apps: [evilApp], error: EVIL })],
    ['connection check', () => connectionCheckCard({ ok: false, amr: [EVIL], account: EVIL, correlationId: EVIL, errorCode: EVIL, errorMessage: EVIL })],
    ['sync alert', () => integrationAlertCard({ kind: 'newNonMfaApp', key: 'app-1', name: EVIL, nonMfa: 3 }, evilApp, EVIL)],
  ];

  it.each(cards)('when the %s card shows hostile text, then it is escaped and clipped, and no link but ours survives', (_name, render) => {
    const text = allText(render());
    expect(text).not.toContain('${');
    expect(text).not.toMatch(/(?<!\\)\[link\]\(/);
    expect(text).not.toContain('javascript:');
    expect(text.length).toBeLessThan(30_000);
  });

  it('when an app calls without MFA, then the inventory says it will fail and shows its share', () => {
    const text = allText(integrationsInventoryCard({ ranked: [assessRisk({ ...evilApp, name: 'Billing' }, AT)] }));
    expect(text).toMatch(/1 of 1 integrations will fail/);
    expect(text).toMatch(/3 of 4 calls without MFA \(75%/);
  });
});
