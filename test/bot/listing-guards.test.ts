import { PARTNER_TENANT_ID } from '../../sandbox';
import { startBotHarness, type BotHarness } from '../support/bot-harness';

describe('what a sync trusts from Partner Center', () => {
  let h: BotHarness;
  beforeEach(async () => {
    h = await startBotHarness();
    await h.connect();
  });
  afterEach(async () => {
    await h.stop();
  });

  it('when items carry the tenant and object ids in another case, then principals land in the partner partition and a second sync is clean', async () => {
    const shouted = h.sandbox.control.records().map((r) => ({ ...r, tenantId: String(r.tenantId).toUpperCase(), objectId: String(r.objectId).toUpperCase() }));
    h.sandbox.control.replaceRecords(shouted);
    const first = await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
    const second = await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
    expect(first.outcome).toBe('succeeded');
    expect(second).toMatchObject({ outcome: 'succeeded', counts: { new: 0, resolved: 0 } });
    const stored = await h.shepherd.storage.principals.listAll(PARTNER_TENANT_ID);
    expect(stored).toHaveLength(first.counts!.listed);
    expect(stored.every((p) => p.objectId === p.objectId.toLowerCase())).toBe(true);
  });

  it('when Partner Center renames the time field, then the sync fails as a bad response and nobody is resolved', async () => {
    await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
    const renamed = h.sandbox.control.records().map((r) => {
      const { lastNonMfaCompliantLoginDateTime, lastNonMfaCompliantRequestDateTime, ...rest } = r as Record<string, unknown>;
      return { ...rest, lastNonMfaCompliantSignInDateTime: lastNonMfaCompliantLoginDateTime ?? lastNonMfaCompliantRequestDateTime };
    });
    h.sandbox.control.replaceRecords(renamed);
    const run = await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
    expect(run).toMatchObject({ outcome: 'badResponse', errorCode: 'PC_BAD_RESPONSE' });
    expect(run.errorMessage).toMatch(/format changed/);
    const stored = await h.shepherd.storage.principals.listAll(PARTNER_TENANT_ID);
    expect(stored.filter((p) => p.status === 'compliant')).toHaveLength(0);
  });
});
