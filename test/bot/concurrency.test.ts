import { PARTNER_TENANT_ID } from '../../sandbox';
import type { TestUser } from '../support/activities';
import { ADMIN, startBotHarness, type BotHarness } from '../support/bot-harness';
import { cardText } from '../support/connector';

const SECOND_ADMIN: TestUser = { aadObjectId: 'admin-0002', name: 'Bo Admin', tenantId: PARTNER_TENANT_ID };

describe('two admins at once', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({ env: { ADMIN_AAD_OBJECT_IDS: `${ADMIN.aadObjectId},${SECOND_ADMIN.aadObjectId}` } });
    await h.connect();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('when two admins click "Sync now" at the same moment, then exactly one sync runs and the other admin is told it is already running', async () => {
    h.sandbox.control.addFault({ target: 'partnerCenter', kind: 'slow', delayMs: 500, times: 1 }); // keep the first sync busy
    const [a, b] = await Promise.all([h.post(h.a.execute(ADMIN, 'admin.sync')), h.post(h.a.execute(SECOND_ADMIN, 'admin.sync'))]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await h.settle();

    const texts = (user: TestUser) => h.connector.sent.filter((s) => s.conversationId === h.a.conversationId(user)).map((s) => cardText(s.activity)).join(' ');
    const both = [texts(ADMIN), texts(SECOND_ADMIN)];
    expect(both.filter((t) => /Succeeded/.test(t))).toHaveLength(1);
    expect(both.filter((t) => /already running/i.test(t))).toHaveLength(1);
    expect(await h.shepherd.storage.syncRuns.latest(PARTNER_TENANT_ID, 10)).toHaveLength(1);
    // One run: one principals listing (and, in the same run, one call to each integration endpoint).
    expect(h.sandbox.control.requests('partnerCenter').map((r) => r.path).sort()).toEqual(['/pc/v1/applicationmfaadoptionstatus', '/pc/v1/nonMfaCompliantPartnerPrincipals', '/pc/v1/partnerRequests']);
  });
});
