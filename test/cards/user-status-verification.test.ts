import { userStatusMessageCard } from '../../src/app/messages';
import type { Principal, Verification } from '../../src/domain/compliance';
import { allText } from './card-inspect';

/** The verified line of the "my status" card: a sentence with a time in it, not a sentence inside a sentence. */

const CHECKED_AT = new Date('2026-12-04T13:10:00.000Z');

function principal(status: Principal['status'], outcome: Verification['outcome']): Principal {
  const at = new Date('2026-12-01T08:00:00.000Z');
  return {
    tenantId: 't',
    objectId: 'o',
    upn: 'alex@example.com',
    status,
    firstDetectedAt: at,
    episode: 1,
    episodeStartedAt: at,
    recordCount: 3,
    firstNonMfaAt: at,
    lastNonMfaAt: at,
    lastVerification: { checkedAt: CHECKED_AT, outcome, source: 'registrationDetails', methods: [] },
  };
}

describe('user status: the verification line', () => {
  it('when Graph confirmed the registration and Partner Center has not caught up, then the card reads "confirmed your MFA registration on <time>"', () => {
    const text = allText(userStatusMessageCard('Alex', principal('verificationPending', 'registered'), 'Europe/Berlin'));

    expect(text).toContain('Microsoft Graph confirmed your MFA registration on **Fri 4 Dec 2026, 14:10 CET**.');
    expect(text).not.toMatch(/on \*\*MFA registered/);
    expect(text).not.toContain('(checked');
  });

  it('when the user is compliant, then the small print reads "verified on <time>"', () => {
    const text = allText(userStatusMessageCard('Alex', principal('compliant', 'registered'), 'Europe/Berlin'));

    expect(text).toContain('MFA registration verified on Fri 4 Dec 2026, 14:10 CET.');
  });

  it.each([
    ['notRegistered', 'When Microsoft Graph last checked, on Fri 4 Dec 2026, 14:10 CET, you had no MFA method registered.'],
    ['unavailable', 'Your MFA registration could not be checked on Fri 4 Dec 2026, 14:10 CET.'],
  ] as const)('when the last check found %s, then the card never claims a confirmed registration', (outcome, line) => {
    const text = allText(userStatusMessageCard('Alex', principal('compliant', outcome), 'Europe/Berlin'));

    expect(text).toContain(line);
    expect(text).not.toContain('verified on');
    expect(text).not.toContain('confirmed your MFA registration');
  });
});
