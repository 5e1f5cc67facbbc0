import { verificationResultCard, walkthroughCard, type SignInCardModel } from '../../src/cards';
import { Verbs } from '../../src/cards/verbs';
import { actionsOf, allText, textsOf } from './card-inspect';
import { samples } from './samples';

const AT = 'Mon 23 Nov 2026, 10:42 CET';
const verbsOf = (card: ReturnType<typeof verificationResultCard>) => actionsOf(card).map((a) => a.verb);

describe('verification result with sign-ins', () => {
  it('when MFA was performed, then the card says when and via which method', () => {
    const text = allText(verificationResultCard(samples.verification({ signIns: { kind: 'mfaPerformed', atText: AT, app: 'Microsoft Partner Center', method: 'Microsoft Authenticator' } })));
    expect(text).toContain('Verified: your sign-ins carry MFA');
    expect(text).toContain(`MFA performed at **${AT}** via Microsoft Authenticator (Microsoft Partner Center)`);
  });

  it('when registered but the last 3 sign-ins used a password only, then the card says so, why it still fails, and offers check again', () => {
    const card = verificationResultCard(samples.verification({ status: 'nonCompliant', signIns: { kind: 'singleFactor', count: 3, lastAtText: AT, apps: ['Azure Portal'] } }));
    const text = allText(card);
    expect(text).toContain("MFA is registered, but your sign-ins don't use it");
    expect(text).toContain('Your last 3 sign-ins to Azure Portal used a password only');
    expect(text).toContain('Here is why that still fails');
    expect(text).not.toContain('Verified');
    expect(verbsOf(card)).toEqual(expect.arrayContaining([Verbs.VerifyMfa, Verbs.WalkthroughStep]));
    expect(verbsOf(card)).not.toContain(Verbs.ExceptionChooseReason);
  });

  it.each<[SignInCardModel, RegExp]>([
    [{ kind: 'mfaFromToken', atText: AT, app: 'Teams' }, /reused MFA you completed earlier \(the MFA claim in your token\)/],
    [{ kind: 'noSignIns', sinceText: AT }, /No sign-ins since Mon 23 Nov 2026, 10:42 CET yet/],
    [{ kind: 'unavailable', reason: 'notPremium' }, /Without Microsoft Entra ID P1 or P2, MFA Shepherd can't read sign-in logs/],
  ])('when the finding is %o, then the registration still counts and the card says what the sign-ins showed', (signIns, expected) => {
    const text = allText(verificationResultCard(samples.verification({ signIns })));
    expect(text).toMatch(/Verified/);
    expect(text).toMatch(expected);
  });

  it('when a federated user passed the claim, then the card names the provider and counts it without a registration', () => {
    const text = allText(verificationResultCard(samples.verification({ outcome: 'notRegistered', methods: [], federatedDomain: 'fabrikam.example', signIns: { kind: 'mfaFromProvider', atText: AT, app: 'Teams' } })));
    expect(text).toContain("Satisfied by your identity provider's MFA claim");
    expect(text).toContain('through fabrikam.example');
    expect(text).not.toContain('No MFA registration found');
  });

  it('when a federated user signed in without the claim, then the card explains federatedIdpMfaBehavior and offers the exception with its reason', () => {
    const card = verificationResultCard(samples.verification({ outcome: 'notRegistered', methods: [], status: 'nonCompliant', federatedDomain: 'fabrikam.example', signIns: { kind: 'singleFactor', count: 1, lastAtText: AT, apps: [] } }));
    expect(allText(card)).toContain("Your identity provider's sign-ins reach Entra ID without MFA");
    expect(allText(card)).toContain('acceptIfMfaDoneByFederatedIdp or enforceMfaByFederatedIdp');
    expect(actionsOf(card).find((a) => a.verb === Verbs.ExceptionChooseReason)?.data).toEqual({ reasonCategory: 'thirdPartyMfaCannotPassClaim' });
  });

  it('when a federated user opens step 1, then it explains the identity provider instead of the registration page', () => {
    const card = walkthroughCard({ ...samples.walkthrough(1), federatedDomain: 'fabrikam.example' });
    expect(allText(card)).toContain('MFA happens at your identity provider');
    expect(actionsOf(card).map((a) => a.title)).not.toContain('Open registration page');
    expect(actionsOf(card).find((a) => a.verb === Verbs.ExceptionChooseReason)?.data).toEqual({ reasonCategory: 'thirdPartyMfaCannotPassClaim' });
    expect(allText(walkthroughCard(samples.walkthrough(1)))).not.toContain('identity provider');
  });
});

describe('sign-in text from Graph is hostile', () => {
  const EVIL = '${upn} [link](https://evil.example) **bold** ' + 'A'.repeat(10_000);
  const cards = [
    verificationResultCard(samples.verification({ signIns: { kind: 'mfaPerformed', atText: EVIL, app: EVIL, method: EVIL } })),
    verificationResultCard(samples.verification({ status: 'nonCompliant', signIns: { kind: 'singleFactor', count: 2, lastAtText: EVIL, apps: [EVIL, EVIL], lastMfaAtText: EVIL } })),
    verificationResultCard(samples.verification({ outcome: 'notRegistered', federatedDomain: EVIL, signIns: { kind: 'singleFactor', count: 1, lastAtText: EVIL, apps: [EVIL] } })),
    walkthroughCard({ ...samples.walkthrough(1), federatedDomain: EVIL }),
  ];

  it.each(cards.map((card, i) => [i, card] as const))('when card %i is rendered, then the text is escaped, clipped and never a template expression', (_i, card) => {
    const text = allText(card);
    expect(JSON.stringify(card)).not.toContain('${');
    expect(text).toContain('\\$\\{upn\\} \\[link\\](https://evil.example) \\*\\*bold\\*\\*');
    expect(text).not.toMatch(/(?<!\\)\]\(https:\/\/evil/);
    for (const t of textsOf(card)) expect(t.length).toBeLessThan(1_500);
  });
});
