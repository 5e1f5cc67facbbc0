import { PARTNER_TENANT_ID } from '../../sandbox';
import type { TestUser } from './activities';

/** A form every rule of the domain accepts (the reason Microsoft accepts, each required field long enough). */
export const COMPLETE_FORM = {
  reasonCategory: 'thirdPartyMfaCannotPassClaim',
  technicalDescription: 'Our federated IdP (Okta) performs MFA but does not send the MFA claim to Entra ID for Partner Center sign-ins.',
  blockedScenario: 'appUserApi',
  workaroundTried: 'We tried enabling the authnContextClassRef mapping; the vendor confirmed it is not supported for our tier.',
  businessImpact: 'Provisioning of customer subscriptions through our PSA integration stops; about 40 orders a day.',
  affected: 'The PSA integration service principal and 3 billing admins.',
  evidence: 'vendorConfirmation,integrationMethod',
  integrationMethod: 'federation',
};

/** The admins' Teams channel of the channel tests. */
export const ADMIN_CHANNEL = '19:security-admins@thread.tacv2';

/** The same activity, as if `user` sent it in the admins' channel instead of their 1:1 chat. */
export function inChannel(user: TestUser, activity: Record<string, unknown>, channel = ADMIN_CHANNEL): Record<string, unknown> {
  return {
    ...activity,
    conversation: { id: channel, conversationType: 'channel', isGroup: true, tenantId: PARTNER_TENANT_ID },
    channelData: { tenant: { id: PARTNER_TENANT_ID }, channel: { id: channel }, team: { id: '19:team@thread.tacv2' } },
    from: { id: `29:${user.aadObjectId}`, name: user.name, aadObjectId: user.aadObjectId },
  };
}
