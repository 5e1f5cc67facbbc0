import {
  Verbs,
  adminSummaryCard,
  connectResultCard,
  deviceCodeCard,
  errorCard,
  firstNoticeCard,
  helpCard,
  reconnectAlertCard,
  syncResultCard,
  userStatusCard,
  verificationResultCard,
  walkthroughCard,
  welcomeCard,
  whyCard,
  type AdaptiveCard,
} from '../../src/cards';
import { actionsOf } from './card-inspect';
import { samples } from './samples';

const VERBS: ReadonlySet<string> = new Set(Object.values(Verbs));

/** Every card, in every variant its templates branch on. */
const variants: [string, () => AdaptiveCard][] = [
  ['first notice', () => firstNoticeCard(samples.firstNotice())],
  ['first notice, reappeared', () => firstNoticeCard({ ...samples.firstNotice(), reappeared: true })],
  ['first notice, no name, one record', () => firstNoticeCard({ ...samples.firstNotice(), displayName: '', upn: '', recordCount: 1, lastNonMfaIso: '' })],
  ['walkthrough step 1', () => walkthroughCard(samples.walkthrough(1))],
  ['walkthrough step 2', () => walkthroughCard(samples.walkthrough(2))],
  ['walkthrough step 3', () => walkthroughCard(samples.walkthrough(3))],
  ['verification registered, pending', () => verificationResultCard(samples.verification())],
  ['verification registered, compliant', () => verificationResultCard(samples.verification({ status: 'compliant' }))],
  ['verification registered, still listed', () => verificationResultCard(samples.verification({ status: 'nonCompliant' }))],
  ['verification registered, no methods, from "already"', () => verificationResultCard(samples.verification({ methods: [], fromAlreadyMfa: true, lastNonMfaText: '' }))],
  ['verification registered via fallback', () => verificationResultCard(samples.verification({ reason: 'notPremium' }))],
  ['verification not registered', () => verificationResultCard(samples.verification({ outcome: 'notRegistered', status: 'nonCompliant', methods: [] }))],
  ...(['notPremium', 'forbidden', 'graphDown', 'notFound', undefined] as const).map(
    (reason): [string, () => AdaptiveCard] => [
      `verification unavailable (${reason ?? 'no reason'})`,
      () => verificationResultCard(samples.verification({ outcome: 'unavailable', reason, status: 'nonCompliant', methods: [] })),
    ],
  ),
  ['why', () => whyCard({ mfaSetupUrl: 'https://aka.ms/mfasetup' })],
  ...(['nonCompliant', 'verificationPending', 'compliant', 'notListed'] as const).map(
    (status): [string, () => AdaptiveCard] => [
      `user status ${status}`,
      () => userStatusCard(samples.userStatus({ status, verificationText: 'Sun 22 Nov 2026, 14:10 CET', resolvedText: 'Mon 23 Nov 2026, 09:00 CET' })),
    ],
  ),
  ['user status with only required fields', () => userStatusCard({ displayName: '', status: 'nonCompliant' })],
  ['admin summary', () => adminSummaryCard(samples.adminSummary())],
  ['admin summary, nothing yet', () => adminSummaryCard(samples.adminSummary({ lastSync: undefined, unreachable: [], unreachableTotal: 0, botToken: { connected: false }, nextSyncText: undefined }))],
  ['admin summary, failed sync', () => adminSummaryCard(samples.adminSummary({ lastSync: { atText: 'now', outcome: 'mfaRequired', outcomeOk: false, records: 0, correlationId: 'c', errorMessage: '401 900421' }, botToken: { connected: true, hasMfa: false } }))],
  ...(['mfaRequired', 'notConnected', 'tokenWithoutMfa'] as const).map(
    (reason): [string, () => AdaptiveCard] => [`reconnect alert ${reason}`, () => reconnectAlertCard(samples.reconnect({ reason }))],
  ),
  ['reconnect alert, no details', () => reconnectAlertCard({ reason: 'notConnected', atText: 'Sun 22 Nov 2026, 14:00 CET' })],
  ['device code', () => deviceCodeCard(samples.deviceCode())],
  ['connect result ok', () => connectResultCard(samples.connectResult())],
  ['connect result without MFA', () => connectResultCard(samples.connectResult({ hasMfa: false }))],
  ['connect result failed', () => connectResultCard(samples.connectResult({ ok: false, hasMfa: false, account: undefined, message: 'The code expired.' }))],
  ['sync result ok', () => syncResultCard(samples.syncResult())],
  ['sync result mfaRequired', () => syncResultCard(samples.syncResult({ outcome: 'mfaRequired', outcomeOk: false, errorMessage: '401 900421' }))],
  ['sync result throttled', () => syncResultCard(samples.syncResult({ outcome: 'throttled', outcomeOk: false }))],
  ['help for a user', () => helpCard({ isAdmin: false })],
  ['help for an admin', () => helpCard({ isAdmin: true })],
  ['error', () => errorCard(samples.error())],
  ['error without code', () => errorCard({ title: 'Oops', message: 'Try again.' })],
  ['welcome', () => welcomeCard({ displayName: 'Alex Wilber' })],
  ['welcome without a name', () => welcomeCard({ displayName: '' })],
];

describe.each(variants)('%s', (_name, render) => {
  const card = render();

  it('when rendered, then it is an Adaptive Card 1.5 with a schema and full width', () => {
    expect(card.type).toBe('AdaptiveCard');
    expect(card.version).toBe('1.5');
    expect(card['$schema']).toBe('http://adaptivecards.io/schemas/adaptive-card.json');
    expect(card['msteams']).toEqual({ width: 'Full' });
    expect(Array.isArray(card['body']) && (card['body'] as unknown[]).length).toBeGreaterThan(1);
  });

  it('when rendered, then no template expression is left anywhere', () => {
    expect(JSON.stringify(card)).not.toContain('${');
    expect(JSON.stringify(card)).not.toContain('$when');
    expect(JSON.stringify(card)).not.toContain('$data');
  });

  it('when rendered, then every Action.Execute has a known verb, data and an Action.Submit fallback with the same verb', () => {
    const executes = actionsOf(card).filter((a) => a.type === 'Action.Execute');
    for (const action of executes) {
      expect(VERBS.has(action.verb ?? '')).toBe(true);
      expect(typeof action.data).toBe('object');
      expect(action.fallback).toEqual({ type: 'Action.Submit', title: action.title, data: { verb: action.verb, ...action.data } });
    }
  });

  it('when rendered, then it has 1 to 6 buttons, each Execute or OpenUrl with an http(s) url', () => {
    const actions = actionsOf(card);
    expect(actions.length).toBeGreaterThanOrEqual(1);
    expect(actions.length).toBeLessThanOrEqual(6);
    for (const action of actions) {
      expect(['Action.Execute', 'Action.OpenUrl']).toContain(action.type);
      expect(action.title).toBeTruthy();
      if (action.type === 'Action.OpenUrl') expect(action.url).toMatch(/^https?:\/\/[^\s]+$/);
    }
  });
});
