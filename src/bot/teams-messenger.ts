import { CardFactory, TurnContext, type Activity, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { Logger, Messenger, OutboundMessage } from '../app/ports';
import type { ConversationAddress } from '../domain/conversation';
import { AppError, ErrorCodes, type ErrorCode } from '../domain/errors';
import { TeamsPacer } from '../integrations/teams/pacer';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, parseRetryAfterMs, type RetryPolicy } from '../integrations/http';

export interface TeamsMessengerOptions {
  adapter: CloudAdapter;
  /** Empty in local mode (no BOT_ID). */
  botAppId: string;
  /** Service URL for conversations the bot starts (no captured address yet). */
  serviceUrl: string;
  pacer?: TeamsPacer;
  backoff?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  logger: Logger;
}

/** Teams asks callers to retry these (412 included), honouring Retry-After, else jittered backoff. */
const RETRYABLE_TEAMS_STATUSES = new Set([412, 429, 502, 503, 504]);

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
  if (status === 429) return known(ErrorCodes.TeamsThrottled, 'Teams kept throttling MFA Shepherd (429).', true);
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
 * with bounded retries on 429/412/502/503/504 (botbuilder itself retries a 429 with Retry-After a few
 * times, then throws — that throw lands here) and Teams' errors mapped to stable codes.
 */
export function createTeamsMessenger(options: TeamsMessengerOptions): Messenger {
  const pacer = options.pacer ?? new TeamsPacer();
  const backoff: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 5, ...options.backoff };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  async function withRetries<T>(conversationKey: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const done = await pacer.acquire(conversationKey);
      try {
        const result = await call();
        done();
        return result;
      } catch (error) {
        done();
        const failure = readConnectorError(error);
        const retryable = failure.status === undefined || RETRYABLE_TEAMS_STATUSES.has(failure.status);
        if (!retryable || attempt >= backoff.maxAttempts) throw toAppError(failure, error);
        const delay =
          failure.retryAfterMs === undefined
            ? backoffDelayMs(backoff, attempt, Math.random)
            : Math.min(failure.retryAfterMs, backoff.maxRetryAfterMs);
        options.logger.warn({ status: failure.status, code: failure.code, attempt, delayMs: delay }, 'Teams send failed; retrying');
        await sleep(delay);
      }
    }
  }

  return {
    async send(to, message) {
      let activityId: string | undefined;
      await withRetries(to.conversationId, async () => {
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
      await withRetries(to.conversationId, async () => {
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
      await withRetries(`create:${user.aadObjectId}`, () =>
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
