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
} from '../../src/cards';
import { actionsOf, allText, titlesOf } from './card-inspect';
import { samples } from './samples';

const executes = (card: ReturnType<typeof helpCard>) =>
  actionsOf(card)
    .filter((a) => a.type === 'Action.Execute')
    .map((a) => ({ verb: a.verb, data: a.data }));

describe('first notice', () => {
  it('when the user is listed for the first time, then it says what was seen, when, how often and why it matters', () => {
    const card = firstNoticeCard(samples.firstNotice());
    const text = allText(card);
    expect(text).toContain('Hi Alex Wilber,');
    expect(text).toContain('**3 requests** without multi-factor authentication (MFA) from your account (alexw@example.com) in the last 7 days');
    expect(text).toContain('**Sun 22 Nov 2026, 14:05 CET**');
    expect(text).toContain('401 and error code 900421');
    expect(text).toContain('provisioning and billing');
    expect(text).toContain('2026-11-22T13:05:00.000Z');
    expect(text).not.toContain('You were compliant');
    expect(executes(card)).toEqual([
      { verb: Verbs.SetupMfa, data: { step: 1 } },
      { verb: Verbs.AlreadyMfa, data: {} },
      { verb: Verbs.Why, data: {} },
      { verb: Verbs.ExceptionStart, data: {} },
    ]);
    expect(titlesOf(card)).toEqual(['Set up MFA now', 'I already use MFA', 'Why am I seeing this?', 'MFA is technically impossible for me']);
  });

  it('when the user reappeared after being compliant, then the wording says new requests were seen since', () => {
    const text = allText(firstNoticeCard({ ...samples.firstNotice(), reappeared: true }));
    expect(text).toContain('Partner Center saw new requests from you without MFA');
    expect(text).toContain('You were compliant, but since then Partner Center has recorded new requests');
    expect(text).not.toContain('Partner Center saw requests from you without MFA');
  });

  it('when non-MFA calls were made as the user by apps, then it names each (busiest first, at most 3) with its app id, and what fixes an app', () => {
    const text = allText(
      firstNoticeCard({
        ...samples.firstNotice(),
        integrations: [
          { name: 'Billing export script', applicationId: 'a1b2c3d4-0000-4000-8000-00000000a002', nonMfaCount: 12 },
          { name: 'Quarterly report', nonMfaCount: 1 },
          { name: 'Third', applicationId: 'app-3', nonMfaCount: 1 },
          { name: 'Fourth', applicationId: 'app-4', nonMfaCount: 1 },
        ],
      }),
    );
    expect(text).toContain('Partner Center saw non-MFA calls made as you by these apps or scripts');
    expect(text).toContain('**Billing export script** (app id a1b2c3d4-0000-4000-8000-00000000a002): 12 calls without MFA');
    expect(text).toContain('**Quarterly report** (added by an admin): 1 call without MFA');
    expect(text).toContain('**Third**');
    expect(text).not.toContain('Fourth');
    expect(text).toContain('device code flow with MFA, never a stored password');
  });

  it('when no app called as the user without MFA, then the card has no apps section', () => {
    expect(allText(firstNoticeCard({ ...samples.firstNotice(), integrations: [] }))).not.toContain('Calls made as you by apps');
    expect(allText(firstNoticeCard(samples.firstNotice()))).not.toContain('Calls made as you by apps');
  });

  it('when there is one record and no name, then it says "1 request" and greets without a name', () => {
    const text = allText(firstNoticeCard({ ...samples.firstNotice(), recordCount: 1, displayName: '  ' }));
    expect(text).toContain('**1 request** without');
    expect(text).toMatch(/(^|\n)Hi,(\n|$)/);
  });
});

describe('walkthrough', () => {
  it('when on step 1, then it links the registration page, recommends Authenticator and offers Next only', () => {
    const card = walkthroughCard(samples.walkthrough(1));
    expect(allText(card)).toContain('Step 1 of 3');
    expect(allText(card)).toContain('Microsoft Authenticator');
    const actions = actionsOf(card);
    expect(actions.find((a) => a.title === 'Open registration page')).toMatchObject({ type: 'Action.OpenUrl', url: 'https://aka.ms/mfasetup' });
    expect(actions.some((a) => a.url === 'https://mysignins.microsoft.com/security-info')).toBe(true);
    expect(executes(card)).toEqual([{ verb: Verbs.WalkthroughStep, data: { step: 2 } }]);
  });

  it('when on step 2, then it explains the Secure Application Model with the learn.microsoft.com link, Back and Next', () => {
    const card = walkthroughCard(samples.walkthrough(2));
    expect(allText(card)).toContain('Step 2 of 3');
    expect(allText(card)).toContain('Secure Application Model');
    expect(actionsOf(card).some((a) => a.url === 'https://learn.microsoft.com/partner-center/developer/enable-secure-app-model')).toBe(true);
    expect(executes(card)).toEqual([
      { verb: Verbs.WalkthroughStep, data: { step: 1 } },
      { verb: Verbs.WalkthroughStep, data: { step: 3 } },
    ]);
  });

  it('when on step 3, then "I\'m done — check my registration" verifies, and Back returns to step 2', () => {
    const card = walkthroughCard(samples.walkthrough(3));
    expect(allText(card)).toContain('Step 3 of 3');
    expect(titlesOf(card)).toEqual(["I'm done — check my registration", 'Back']);
    expect(executes(card)).toEqual([
      { verb: Verbs.VerifyMfa, data: {} },
      { verb: Verbs.WalkthroughStep, data: { step: 2 } },
    ]);
  });

  it('when the step is out of range (from a tampered card), then step 1 is shown', () => {
    expect(allText(walkthroughCard({ ...samples.walkthrough(), step: 7 as unknown as 1 }))).toContain('Step 1 of 3');
  });
});

describe('verification result', () => {
  it('when registered and pending, then it lists the methods and says when compliance follows', () => {
    const card = verificationResultCard(samples.verification());
    const text = allText(card);
    expect(text).toContain('Verified: you have MFA registered');
    expect(text).toContain('Microsoft Authenticator, Phone (text message)');
    expect(text).toContain('no requests without MFA from you after **Sun 22 Nov 2026, 14:10 CET**');
    expect(text).toContain('will bring you back');
    expect(text).not.toContain('Thanks — let');
    expect(executes(card).map((e) => e.verb)).toEqual([Verbs.WalkthroughStep, Verbs.Status]);
  });

  it('when started from "I already use MFA", then it opens with thanks', () => {
    expect(allText(verificationResultCard(samples.verification({ fromAlreadyMfa: true })))).toMatch(/^MFA Shepherd\nThanks — let's check\./);
  });

  it('when registered but Partner Center still lists new requests, then it names the likely causes and points to step 2', () => {
    const card = verificationResultCard(samples.verification({ status: 'nonCompliant' }));
    const text = allText(card);
    expect(text).toContain('MFA is registered, but Partner Center still sees requests without it');
    expect(text).toContain('a script or app that calls Partner Center with your account (App+User)');
    expect(text).toContain('a sign-in that skips MFA');
    expect(text).toContain('**Sun 22 Nov 2026, 14:05 CET**');
    expect(executes(card)).toEqual([
      { verb: Verbs.WalkthroughStep, data: { step: 2 } },
      { verb: Verbs.VerifyMfa, data: {} },
    ]);
  });

  it('when not registered, then it offers the registration page and Check again', () => {
    const card = verificationResultCard(samples.verification({ outcome: 'notRegistered', status: 'nonCompliant' }));
    expect(allText(card)).toContain('No MFA registration found yet');
    expect(titlesOf(card)).toEqual(['Open registration page', 'Check again']);
    expect(executes(card)).toEqual([{ verb: Verbs.VerifyMfa, data: {} }]);
  });

  it('when the tenant lacks P1/P2 but the methods fallback answered, then a note says so', () => {
    const text = allText(verificationResultCard(samples.verification({ reason: 'notPremium' })));
    expect(text).toContain('Verified: you have MFA registered');
    expect(text).toContain('(P1 or P2 is needed)');
    expect(text).toContain('we checked your sign-in methods instead');
  });

  it.each([
    ['notPremium', 'P1 or P2 is needed', 'your admin has been told'],
    ['forbidden', "isn't allowed to read", 'your admin has been told'],
    ['graphDown', "didn't answer", 'try again in a few minutes'],
    ['notFound', "couldn't find your account", 'your admin has been told'],
  ] as const)('when the check is unavailable (%s), then it explains and offers Check again', (reason, says, next) => {
    const card = verificationResultCard(samples.verification({ outcome: 'unavailable', reason, status: 'nonCompliant' }));
    const text = allText(card);
    expect(text).toContain("We couldn't check your MFA registration");
    expect(text).toContain(says);
    expect(text).toContain(next);
    expect(text).not.toContain('we checked your sign-in methods instead');
    expect(executes(card)).toEqual([{ verb: Verbs.VerifyMfa, data: {} }]);
  });
});

describe('why', () => {
  it('when shown, then it explains 900421, what to do, and what Microsoft does not accept as an exception', () => {
    const card = whyCard({ mfaSetupUrl: 'https://aka.ms/mfasetup' });
    const text = allText(card);
    for (const part of ['900421', 'HTTP 401', 'Secure Application Model', 'technical exception', 'needing more time', 'service accounts', "don't use delegated admin", 'clean-desk policy', 'legacy authentication protocols', '3 business days']) {
      expect(text).toContain(part);
    }
    expect(executes(card)).toEqual([{ verb: Verbs.SetupMfa, data: { step: 1 } }]);
  });
});

describe('user status', () => {
  it.each([
    ['nonCompliant', 'Action needed: set up MFA', [Verbs.SetupMfa, Verbs.AlreadyMfa, Verbs.Why]],
    ['verificationPending', 'MFA verified: waiting for Partner Center', [Verbs.WalkthroughStep]],
    ['compliant', "You're all set", [Verbs.Help]],
    ['notListed', 'Nothing to do', [Verbs.Why]],
  ] as const)('when the status is %s, then the headline is "%s" with the matching next steps', (status, headline, verbs) => {
    const card = userStatusCard(samples.userStatus({ status, verificationText: 'Sun 22 Nov 2026, 14:10 CET', resolvedText: 'Mon 23 Nov 2026, 09:00 CET' }));
    const headlines = ['Action needed: set up MFA', 'MFA verified: waiting for Partner Center', "You're all set", 'Nothing to do'];
    const text = allText(card);
    for (const h of headlines) expect(text.includes(h)).toBe(h === headline);
    expect(executes(card).map((e) => e.verb)).toEqual(verbs);
  });

  it('when optional times are missing, then their lines are left out', () => {
    const text = allText(userStatusCard({ displayName: 'Alex', status: 'compliant' }));
    expect(text).not.toContain('Compliant since');
    expect(text).not.toContain('verified on');
    expect(allText(userStatusCard({ displayName: 'Alex', status: 'compliant', resolvedText: 'Mon 23 Nov 2026, 09:00 CET' }))).toContain('Compliant since Mon 23 Nov 2026, 09:00 CET.');
  });
});

describe('admin summary', () => {
  it('when an unreachable user\'s non-MFA calls come from an app, then their row names the app and its id', () => {
    const unreachable = [
      { upn: 'svc-billing@example.com', reason: 'Has not installed MFA Shepherd in Teams', sinceText: 'Mon 23 Nov 2026, 09:00 CET', integrations: [{ name: 'Billing Export Script', applicationId: 'a1b2-a002', nonMfaCount: 40 }] },
      { upn: 'nora@example.com', reason: 'Has not installed MFA Shepherd in Teams', sinceText: 'Mon 23 Nov 2026, 09:00 CET' },
    ];
    const json = JSON.stringify(adminSummaryCard(samples.adminSummary({ unreachable, unreachableTotal: 2 })));
    expect(json).toContain('{"title":"svc-billing@example.com","value":"Has not installed MFA Shepherd in Teams (since Mon 23 Nov 2026, 09:00 CET) · non-MFA calls as them by Billing Export Script (app id a1b2-a002)"}');
    expect(json).toContain('{"title":"nora@example.com","value":"Has not installed MFA Shepherd in Teams (since Mon 23 Nov 2026, 09:00 CET)"}');
  });

  it('when all is well, then it shows the counts and connection without a warning', () => {
    const card = adminSummaryCard(samples.adminSummary());
    const json = JSON.stringify(card);
    expect(json).toContain('{"title":"Non-compliant now","value":"4"}');
    expect(json).toContain('{"title":"Unreachable in Teams","value":"1"}');
    expect(json).toContain('{"title":"Token carries MFA","value":"Yes"}');
    expect(json).toContain('{"title":"Outcome","value":"Succeeded"}');
    expect(json).not.toContain('"Attention"');
    expect(json).not.toContain('"attention"');
    expect(allText(card)).toContain('meganb@example.com');
    expect(executes(card)).toEqual([
      { verb: Verbs.AdminSync, data: {} },
      { verb: Verbs.AdminSummary, data: {} },
    ]);
  });

  it('when more than 10 users are unreachable, then 10 are listed and "and N more" follows', () => {
    const unreachable = Array.from({ length: 12 }, (_, i) => ({ upn: `user${i}@example.com`, reason: 'the user blocked MFA Shepherd in Teams', sinceText: '2 hours ago' }));
    const text = allText(adminSummaryCard(samples.adminSummary({ unreachable, unreachableTotal: 15 })));
    expect(text).toContain('user9@example.com');
    expect(text).not.toContain('user10@example.com');
    expect(text).toContain('and 5 more');
  });

  it('when 10 or fewer are unreachable, then no "and N more" line appears', () => {
    const unreachable = Array.from({ length: 10 }, (_, i) => ({ upn: `user${i}@example.com`, reason: 'r', sinceText: 's' }));
    const text = allText(adminSummaryCard(samples.adminSummary({ unreachable, unreachableTotal: 10 })));
    expect(text).toContain('user9@example.com');
    expect(text).not.toContain('more');
  });

  it('when the last sync failed and the token lacks MFA, then both warnings show in attention colour', () => {
    const card = adminSummaryCard(
      samples.adminSummary({
        lastSync: { atText: 'Sun 22 Nov 2026, 14:00 CET', outcome: 'mfaRequired', outcomeOk: false, records: 0, correlationId: 'c-1', errorMessage: 'Partner Center answered 401 (900421)' },
        botToken: { connected: true, hasMfa: false, account: 'admin@example.com' },
      }),
    );
    const json = JSON.stringify(card);
    expect(json).toContain('"style":"attention"');
    expect(json).toContain('"color":"Attention","weight":"Bolder","text":"The last sync failed: Partner Center requires MFA (401 / 900421): reconnect needed."');
    expect(allText(card)).toContain("Partner Center sign-in has no MFA claim");
    expect(json).toContain('{"title":"Error","value":"Partner Center answered 401 (900421)"}');
  });

  it('when not connected and never synced, then it says so', () => {
    const text = allText(adminSummaryCard(samples.adminSummary({ lastSync: undefined, botToken: { connected: false } })));
    expect(text).toContain('No sync has run yet.');
    expect(text).toContain("MFA Shepherd isn't connected to Partner Center");
  });
});

describe('reconnect alert', () => {
  it.each([
    ['mfaRequired', '401 / 900421 (MFA required)'],
    ['notConnected', 'no working Partner Center connection'],
    ['tokenWithoutMfa', 'has no MFA claim'],
  ] as const)('when the reason is %s, then it explains it, that sync stopped, and how to reconnect', (reason, says) => {
    const text = allText(reconnectAlertCard(samples.reconnect({ reason })));
    expect(text).toContain(says);
    expect(text).toContain("won't be retried until someone reconnects");
    expect(text).toContain('**connect partner center**');
    expect(text).toContain('admin agent account');
    expect(text).toContain('within 15 minutes');
    expect(text).toContain('Secure Application Model');
    expect(text).toContain('Correlation ID: 7d1c1f64-7c1a-4f0e-9d55-0a4f0b3c2e11');
  });
});

describe('device code and connect result', () => {
  it('when a device code is shown, then the code, the page and the expiry are there with a sign-in button', () => {
    const card = deviceCodeCard(samples.deviceCode());
    expect(allText(card)).toContain('F7QK9TXLM');
    expect(allText(card)).toContain('expires at 14:20 CET');
    expect(actionsOf(card)).toEqual([expect.objectContaining({ type: 'Action.OpenUrl', url: 'https://microsoft.com/devicelogin' })]);
  });

  it('when connected with MFA, then it confirms the account and offers Sync now', () => {
    const card = connectResultCard(samples.connectResult());
    expect(allText(card)).toContain('Signed in as admin@example.com, with MFA.');
    expect(executes(card).map((e) => e.verb)).toEqual([Verbs.AdminSync, Verbs.AdminSummary]);
  });

  it('when connected without MFA, then it warns it will not be used and offers no Sync now', () => {
    const card = connectResultCard(samples.connectResult({ hasMfa: false }));
    expect(allText(card)).toContain('Connected, but without MFA');
    expect(executes(card).map((e) => e.verb)).toEqual([Verbs.AdminSummary]);
  });

  it('when connecting failed, then the message is shown and it says how to retry', () => {
    const text = allText(connectResultCard({ ok: false, hasMfa: false, message: 'The code expired.' }));
    expect(text).toContain("Couldn't connect to Partner Center");
    expect(text).toContain('The code expired.');
  });
});

describe('sync result', () => {
  it('when the sync succeeded, then the counts are listed', () => {
    const json = JSON.stringify(syncResultCard(samples.syncResult()));
    expect(json).toContain('{"title":"Records from Partner Center","value":"120"}');
    expect(json).toContain('{"title":"New","value":"1"}');
    expect(json).toContain('Sync finished');
  });

  it('when Partner Center demands MFA, then it says to reconnect and offers no retry', () => {
    const card = syncResultCard(samples.syncResult({ outcome: 'mfaRequired', outcomeOk: false }));
    expect(allText(card)).toContain('Type **connect partner center**');
    expect(executes(card).map((e) => e.verb)).toEqual([Verbs.AdminSummary]);
  });

  it('when throttled, then "Sync again" is offered', () => {
    expect(titlesOf(syncResultCard(samples.syncResult({ outcome: 'throttled', outcomeOk: false })))).toContain('Sync again');
  });
});

describe('help', () => {
  it('when the user is not an admin, then only user commands and "My status" show', () => {
    const card = helpCard({ isAdmin: false });
    expect(allText(card)).not.toContain('For admins');
    expect(allText(card)).not.toContain('sync now');
    expect(executes(card)).toEqual([{ verb: Verbs.Status, data: {} }]);
  });

  it('when the user is an admin, then admin commands and "Compliance summary" show too', () => {
    const card = helpCard({ isAdmin: true });
    const text = allText(card);
    for (const command of ['For admins', 'sync now', 'connect partner center']) expect(text).toContain(command);
    expect(executes(card).map((e) => e.verb)).toEqual([Verbs.Status, Verbs.AdminSummary]);
    expect(titlesOf(card)).toEqual(['My status', 'Compliance summary']);
  });
});

describe('error and welcome', () => {
  it('when an error has a code, then the code is in small subtle text', () => {
    const card = errorCard(samples.error());
    expect(JSON.stringify(card)).toContain('{"type":"TextBlock","text":"Code: PC_UNAVAILABLE","size":"Small","isSubtle":true');
    expect(allText(card)).toContain('Correlation ID: 7d1c1f64-7c1a-4f0e-9d55-0a4f0b3c2e11');
  });

  it('when an error has no code, then no reference lines show and a title is still there', () => {
    const text = allText(errorCard({ title: '', message: 'Try again.' }));
    expect(text).toContain('Something went wrong');
    expect(text).not.toContain('Code:');
    expect(text).not.toContain('Correlation ID');
  });

  it('when installed, then the welcome explains MFA Shepherd and offers status and help', () => {
    const card = welcomeCard({ displayName: 'Alex Wilber' });
    expect(allText(card)).toContain('Hi Alex Wilber,');
    expect(allText(card)).toContain("If Partner Center lists you, I'll message you here");
    expect(executes(card).map((e) => e.verb)).toEqual([Verbs.Status, Verbs.Help]);
  });
});
