import { CardFactory, TurnContext, type Activity, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { Logger, Messenger, OutboundMessage } from '../app/ports';
import type { ConversationAddress } from '../domain/conversation';
import { AppError, ErrorCodes, type ErrorCode } from '../domain/errors';
import { TeamsPacer } from '../integrations/teams/pacer';
import { parseRetryAfterMs } from '../integrations/http';

export interface TeamsMessengerOptions {
  adapter: CloudAdapter;
  /** Empty in local mode (no BOT_ID). */
  botAppId: string;
  /** Service URL for conversations the bot starts (no captured address yet). */
  serviceUrl: string;
  pacer?: TeamsPacer;
  logger: Logger;
}


interface ConnectorFailure {
  status?: number;
  code?: string;
  retryAfterMs?: number;
  message: string;
}

/** Read what the Bot Connector said from whatever botframework-connector threw. */
export function readConnectorError(error: unknown): ConnectorFailure {
  const e = error as {
    statusCode?: number;
    status?: number;
    code?: string;
    message?: string;
    body?: unknown;
    response?: { status?: number; headers?: { get?(name: string): string | undefined }; bodyAsText?: string; parsedBody?: unknown };
  };
  const status = e?.statusCode ?? e?.status ?? e?.response?.status;
  let body: unknown = e?.body ?? e?.response?.parsedBody;
  if (body === undefined && typeof e?.response?.bodyAsText === 'string') {
    try {
      body = JSON.parse(e.response.bodyAsText);
    } catch {
      body = undefined; // not JSON: the status alone decides
    }
  }
  const innerCode = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
  const code = typeof innerCode === 'string' ? innerCode : typeof e?.code === 'string' ? e.code : undefined;
  const retryAfter = e?.response?.headers?.get?.('retry-after');
  return {
    status: typeof status === 'number' ? status : undefined,
    code,
    retryAfterMs: parseRetryAfterMs(retryAfter, Date.now()),
    message: e?.message ?? String(error),
  };
}

function toAppError(failure: ConnectorFailure, cause: unknown): AppError {
  const { status, code, message } = failure;
  const known = (c: ErrorCode, text: string, retryable = false) =>
    new AppError(c, text, {
      status,
      retryable,
      retryAfterSeconds: failure.retryAfterMs === undefined ? undefined : failure.retryAfterMs / 1000,
      cause,
      details: { connectorCode: code },
    });
  if (status === 403 && code === 'MessageWritesBlocked') return known(ErrorCodes.TeamsBlocked, 'The user blocked MFA Shepherd in Teams.');
  if (status === 403 && code === 'BotNotInConversationRoster') return known(ErrorCodes.TeamsNotInRoster, 'MFA Shepherd is no longer in this chat (uninstalled).');
  if (status === 403) return known(ErrorCodes.TeamsBlocked, `Teams refused the message (${code ?? 'Forbidden'}).`);
  if (status === 404) return known(ErrorCodes.TeamsConversationGone, 'The chat no longer exists.');
  if (status === 429) return known(ErrorCodes.TeamsThrottled, 'Teams throttled MFA Shepherd (429).', true);
  return known(ErrorCodes.TeamsUnavailable, `Teams could not be reached: ${message}`, true);
}

function referenceOf(address: ConversationAddress): Partial<ConversationReference> {
  return {
    channelId: address.channelId,
    serviceUrl: address.serviceUrl,
    conversation: { id: address.conversationId, tenantId: address.tenantId, conversationType: 'personal', isGroup: false, name: '' },
    user: { id: address.userId, name: address.userName ?? '', aadObjectId: address.aadObjectId },
    bot: { id: address.botId, name: address.botName ?? 'MFA Shepherd' },
  };
}

export function toActivity(message: OutboundMessage): Partial<Activity> {
  if (!message.card) return { type: 'message', text: message.text };
  return { type: 'message', summary: message.text, attachments: [CardFactory.adaptiveCard(message.card)] };
}

/**
 * The Messenger port over botbuilder's CloudAdapter: proactive 1:1 sends paced under Teams' limits,
 * Teams' errors mapped to stable codes.
 *
 * One call per send: retries are not the Messenger's. Below it, the Bot Connector client's HTTP
 * pipeline (inside botbuilder, not configurable through it) already waits out Teams' Retry-After on
 * 429/503 and backs off on other 5xx and network errors, up to 3 times. Above it, the outbox owns
 * retries (redelivery counted per key in its durable ledger, a doubling delay never shorter than
 * Teams' Retry-After, parked after its maximum), and the first-notice sweep releases its claim for
 * the next sweep. What the Messenger adds is that a Retry-After holds the conversation in the
 * pacer, so no send to that chat leaves early, whichever caller makes it.
 */
export function createTeamsMessenger(options: TeamsMessengerOptions): Messenger {
  const pacer = options.pacer ?? new TeamsPacer();

  async function paced<T>(conversationKey: string, call: () => Promise<T>): Promise<T> {
    const done = await pacer.acquire(conversationKey);
    try {
      return await call();
    } catch (error) {
      const failure = readConnectorError(error);
      if (failure.retryAfterMs !== undefined) pacer.holdOff(conversationKey, failure.retryAfterMs);
      options.logger.debug({ status: failure.status, code: failure.code, retryAfterMs: failure.retryAfterMs }, 'Teams send failed');
      throw toAppError(failure, error);
    } finally {
      done();
    }
  }

  return {
    async send(to, message) {
      let activityId: string | undefined;
      await paced(to.conversationId, async () => {
        // The adapter hands errors thrown inside the callback to onTurnError and does not rethrow
        // them, so a 403/404/429 would look like success: catch it here and rethrow outside.
        let failure: { error: unknown } | undefined;
        await options.adapter.continueConversationAsync(options.botAppId, referenceOf(to), async (context) => {
          try {
            const response = await context.sendActivity(toActivity(message));
            activityId = response?.id;
          } catch (error) {
            failure = { error };
          }
        });
        if (failure) throw failure.error;
      });
      return { activityId };
    },

    async update(to, activityId, message) {
      await paced(to.conversationId, async () => {
        let failure: { error: unknown } | undefined;
        await options.adapter.continueConversationAsync(options.botAppId, referenceOf(to), async (context) => {
          try {
            await context.updateActivity({ ...toActivity(message), id: activityId, conversation: context.activity.conversation });
          } catch (error) {
            failure = { error };
          }
        });
        if (failure) throw failure.error;
      });
    },

    async createPersonalConversation(user) {
      let address: ConversationAddress | undefined;
      await paced(`create:${user.aadObjectId}`, () =>
        options.adapter.createConversationAsync(
          options.botAppId,
          'msteams',
          options.serviceUrl,
          'https://api.botframework.com',
          {
            isGroup: false,
            bot: { id: options.botAppId ? `28:${options.botAppId}` : 'mfa-shepherd', name: 'MFA Shepherd' },
            members: [{ id: user.aadObjectId, name: '' }],
            tenantId: user.tenantId,
            channelData: { tenant: { id: user.tenantId } },
          },
          async (context) => {
            const ref = TurnContext.getConversationReference(context.activity);
            if (!ref.conversation?.id || !ref.serviceUrl) return;
            address = {
              channelId: 'msteams',
              serviceUrl: ref.serviceUrl,
              conversationId: ref.conversation.id,
              tenantId: user.tenantId,
              userId: ref.user?.id ?? user.aadObjectId,
              aadObjectId: user.aadObjectId,
              botId: ref.bot?.id ?? (options.botAppId ? `28:${options.botAppId}` : 'mfa-shepherd'),
            };
          },
        ),
      );
      if (!address) throw new AppError(ErrorCodes.TeamsNoConversation, 'Teams did not return a conversation for the user.');
      return address;
    },
  };
}
