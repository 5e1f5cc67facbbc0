import type { Clock } from '../domain/clock';
import type { ConversationAddress, UnreachableReason } from '../domain/conversation';
import { ErrorCodes, describeError, isAppError, type ErrorCode } from '../domain/errors';
import type { ContactStore, Graph, Messenger } from './ports';

export interface ReachUserDeps {
  tenantId: string;
  contacts: ContactStore;
  messenger: Pick<Messenger, 'createPersonalConversation'>;
  graph: Pick<Graph, 'installAppForUser'>;
  /** The app's org-catalog id; without it MFA Shepherd cannot install itself for a user. */
  appCatalogId?: string;
  clock: Clock;
}

export type Reach =
  | { address: ConversationAddress; timezone?: string; userName?: string }
  | {
      unreachable: UnreachableReason;
      detail: string;
      /** The contact already carries this mark (write it once, not once per attempt). */
      alreadyRecorded: boolean;
      /** Installing failed for a reason that may pass (Graph throttled or down): try again later. */
      retryable: boolean;
      errorCode?: string;
    };

/** Teams' permanent refusals, as the contact's unreachable reason. */
export const UNREACHABLE_BY_CODE: Partial<Record<ErrorCode, UnreachableReason>> = {
  [ErrorCodes.TeamsBlocked]: 'blocked',
  [ErrorCodes.TeamsNotInRoster]: 'notInRoster',
  [ErrorCodes.TeamsConversationGone]: 'conversationGone',
  [ErrorCodes.TeamsNoConversation]: 'notInstalled',
};

/**
 * Find a user's 1:1 conversation: the captured one, else install the app through Graph and create
 * one (when a catalog id is configured). Shared by the first notice and the outbox, so both treat
 * a user the same way.
 */
export function createReachUser(deps: ReachUserDeps) {
  const { tenantId } = deps;
  return async function reach(objectId: string): Promise<Reach> {
    const contact = await deps.contacts.get(tenantId, objectId);
    // A chat Teams said is gone (404) or that we were removed from (403) is not written to again;
    // with a catalog id the bot reinstalls itself and starts a new one below.
    const dead = contact?.unreachable?.reason === 'conversationGone' || contact?.unreachable?.reason === 'notInRoster';
    if (contact?.address && !(dead && deps.appCatalogId)) return { address: contact.address, timezone: contact.timezone, userName: contact.address.userName };
    if (!deps.appCatalogId) {
      return {
        unreachable: 'notInstalled',
        detail: 'The user has not installed MFA Shepherd, and TEAMS_APP_CATALOG_ID is not set, so the bot cannot install it for them.',
        alreadyRecorded: contact?.unreachable?.reason === 'notInstalled',
        retryable: false,
      };
    }
    try {
      await deps.graph.installAppForUser(objectId, deps.appCatalogId);
      const address = await deps.messenger.createPersonalConversation({ tenantId, aadObjectId: objectId });
      await deps.contacts.recordActivity({ tenantId, aadObjectId: objectId, address, at: deps.clock.now() });
      return { address };
    } catch (error) {
      const { code, message } = describeError(error);
      if (code === ErrorCodes.StorageUnavailable) throw error;
      return {
        unreachable: 'notInstalled',
        detail: `Installing MFA Shepherd for the user failed (${code}): ${message}`,
        alreadyRecorded: false,
        retryable: isAppError(error) && error.retryable,
        errorCode: code,
      };
    }
  };
}

export type ReachUser = ReturnType<typeof createReachUser>;
