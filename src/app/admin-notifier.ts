import { describeError } from '../domain/errors';
import type { ContactStore, Logger, Messenger, OutboundMessage } from './ports';

export interface AdminNotifierDeps {
  tenantId: string;
  /** Read at each use (live roles: id lists plus Entra groups). */
  adminIds: Iterable<string>;
  contacts: Pick<ContactStore, 'get'>;
  messenger: Pick<Messenger, 'send'>;
  logger: Logger;
}

/** Send a message to every configured admin who has a 1:1 chat with the bot. */
export function createAdminNotifier(deps: AdminNotifierDeps) {
  return async function notifyAdmins(message: OutboundMessage): Promise<{ delivered: number; missed: string[] }> {
    const missed: string[] = [];
    let delivered = 0;
    for (const adminId of deps.adminIds) {
      try {
        const contact = await deps.contacts.get(deps.tenantId, adminId);
        if (!contact?.address) {
          missed.push(adminId);
          continue;
        }
        await deps.messenger.send(contact.address, message);
        delivered += 1;
      } catch (error) {
        missed.push(adminId);
        deps.logger.warn({ adminId, err: describeError(error) }, 'admin alert not delivered');
      }
    }
    if (missed.length > 0) deps.logger.warn({ missed }, 'some admins have no chat with MFA Shepherd and missed an alert');
    return { delivered, missed };
  };
}

export type NotifyAdmins = ReturnType<typeof createAdminNotifier>;
