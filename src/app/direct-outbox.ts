import { describeError } from '../domain/errors';
import type { ContactStore, Logger, Messenger, Outbox } from './ports';

/**
 * A stand-in for the durable outbox (Azure Storage Queues), so the nudge sweep runs before that
 * lands: sends at once through the messenger, to the user's stored 1:1 chat. NOT durable and no
 * idempotency ledger: a crash between send and record can repeat a nudge. Replace it in compose
 * with the real Outbox adapter.
 */
export function createDirectOutbox(deps: { contacts: Pick<ContactStore, 'get'>; messenger: Pick<Messenger, 'send'>; logger: Logger }): Outbox {
  return {
    async enqueue(messages) {
      for (const m of messages) {
        try {
          const address = 'address' in m.to ? m.to.address : (await deps.contacts.get(m.tenantId, m.to.aadObjectId))?.address;
          if (!address) {
            deps.logger.warn({ key: m.key, kind: m.kind }, 'nudge not delivered: the recipient has no chat with MFA Shepherd');
            continue;
          }
          await deps.messenger.send(address, m.message);
        } catch (error) {
          deps.logger.warn({ key: m.key, kind: m.kind, err: describeError(error) }, 'nudge not delivered');
        }
      }
    },
  };
}
