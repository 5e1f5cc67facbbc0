import {
  adminSummaryCard,
  connectResultCard,
  deviceCodeCard,
  errorCard,
  firstNoticeCard,
  reconnectAlertCard,
  syncResultCard,
  userStatusCard,
  verificationResultCard,
  walkthroughCard,
  welcomeCard,
  whyCard,
  type AdaptiveCard,
} from '../../src/cards';
import { actionsOf, allText, textsOf } from './card-inspect';
import { samples } from './samples';

/** A name, UPN or error text trying template injection, a Markdown link and bold, and sheer size. */
const EVIL = '${upn} [link](https://evil.example) **bold** ' + 'A'.repeat(10_000);
const ESCAPED_PREFIX = '\\$\\{upn\\} \\[link\\](https://evil.example) \\*\\*bold\\*\\* ';

/** Every string field a user, Partner Center or Graph can influence, set to EVIL. */
const hostile: [string, () => AdaptiveCard][] = [
  ['first notice', () => firstNoticeCard({ ...samples.firstNotice(), displayName: EVIL, upn: EVIL, lastNonMfaText: EVIL, lastNonMfaIso: EVIL })],
  ['first notice naming an app', () => firstNoticeCard({ ...samples.firstNotice(), integrations: [{ name: EVIL, applicationId: EVIL, nonMfaCount: 3 }] })],
  ['first notice, reappeared', () => firstNoticeCard({ ...samples.firstNotice(), displayName: EVIL, upn: EVIL, reappeared: true })],
  ['verification, still listed', () => verificationResultCard(samples.verification({ status: 'nonCompliant', methods: [EVIL, EVIL], checkedAtText: EVIL, lastNonMfaText: EVIL }))],
  ['verification, not registered', () => verificationResultCard(samples.verification({ outcome: 'notRegistered', checkedAtText: EVIL }))],
  ['verification, pending', () => verificationResultCard(samples.verification({ methods: [EVIL], checkedAtText: EVIL }))],
  ['user status, pending', () => userStatusCard({ displayName: EVIL, status: 'verificationPending', lastNonMfaText: EVIL, verificationText: EVIL })],
  ['user status, compliant', () => userStatusCard({ displayName: EVIL, status: 'compliant', resolvedText: EVIL, verificationText: EVIL })],
  [
    'admin summary',
    () =>
      adminSummaryCard(
        samples.adminSummary({
          unreachable: [{ upn: EVIL, reason: EVIL, sinceText: EVIL, integrations: [{ name: EVIL, applicationId: EVIL, nonMfaCount: 1 }] }],
          lastSync: { atText: EVIL, outcome: EVIL, outcomeOk: false, records: 1, correlationId: EVIL, errorMessage: EVIL },
          botToken: { connected: true, hasMfa: false, account: EVIL },
          nextSyncText: EVIL,
        }),
      ),
  ],
  ['reconnect alert', () => reconnectAlertCard({ reason: 'mfaRequired', atText: EVIL, correlationId: EVIL, detail: EVIL })],
  ['device code', () => deviceCodeCard({ userCode: EVIL, verificationUri: EVIL, expiresText: EVIL })],
  ['connect result without MFA', () => connectResultCard({ ok: true, hasMfa: false, account: EVIL, message: EVIL })],
  ['connect result ok', () => connectResultCard({ ok: true, hasMfa: true, account: EVIL, message: EVIL })],
  ['sync result', () => syncResultCard(samples.syncResult({ outcome: EVIL, outcomeOk: false, durationText: EVIL, correlationId: EVIL, errorMessage: EVIL }))],
  ['error', () => errorCard({ title: EVIL, message: EVIL, code: EVIL, correlationId: EVIL })],
  ['welcome', () => welcomeCard({ displayName: EVIL })],
];

describe.each(hostile)('%s with hostile text', (_name, render) => {
  const card = render();
  const text = allText(card);

  it('when rendered, then the text shows escaped and literal, never as a template expression', () => {
    expect(JSON.stringify(card)).not.toContain('${');
    expect(text).toContain(ESCAPED_PREFIX);
  });

  it('when rendered, then no Markdown link or bold comes from the input', () => {
    expect(text).not.toMatch(/(?<!\\)\[link(?<!\\)\]/);
    expect(text).not.toMatch(/(?<!\\)\]\(https:\/\/evil/);
    expect(text).not.toMatch(/(?<!\\)\*\*bold/);
  });

  it('when rendered, then every text is clipped and the card stays small', () => {
    expect(text).toContain('…');
    for (const t of textsOf(card)) expect(t.length).toBeLessThan(1_000);
    expect(JSON.stringify(card).length).toBeLessThan(25_000);
  });

  it('when rendered, then no button leads to the input', () => {
    for (const action of actionsOf(card)) expect(JSON.stringify(action)).not.toContain('evil.example');
  });
});

describe('links from the model', () => {
  it('when the setup URL is not http(s), then the registration buttons use the default aka.ms link', () => {
    const cards = [
      walkthroughCard({ step: 1, mfaSetupUrl: 'javascript:alert(1)', securityInfoUrl: 'data:text/html,x' }),
      whyCard({ mfaSetupUrl: 'javascript:alert(1)' }),
      verificationResultCard(samples.verification({ outcome: 'notRegistered', mfaSetupUrl: 'not a url' })),
    ];
    for (const card of cards) {
      const urls = actionsOf(card).filter((a) => a.type === 'Action.OpenUrl').map((a) => a.url);
      expect(urls).toContain('https://aka.ms/mfasetup');
      expect(JSON.stringify(card)).not.toMatch(/javascript:|data:text|not a url/);
    }
  });

  it('when the device code URL is not http(s), then there is no button and the text shows it escaped', () => {
    const card = deviceCodeCard(samples.deviceCode({ verificationUri: 'javascript:alert(1)' }));
    expect(actionsOf(card)).toHaveLength(0);
    expect(allText(card)).toContain('javascript:alert(1)');
  });
});
