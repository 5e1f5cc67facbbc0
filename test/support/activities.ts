import { randomUUID } from 'node:crypto';

export interface TestUser {
  aadObjectId: string;
  name: string;
  tenantId: string;
  timezone?: string;
}

export interface ActivityContext {
  serviceUrl: string;
  botId?: string;
}

/** Builders for the activities Teams posts to /api/messages (1:1 chat). */
export function activities(ctx: ActivityContext) {
  const botId = ctx.botId ?? '28:mfa-shepherd-test';
  const base = (user: TestUser) => ({
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: ctx.serviceUrl,
    timestamp: new Date().toISOString(),
    localTimezone: user.timezone,
    from: { id: `29:${user.aadObjectId}`, name: user.name, aadObjectId: user.aadObjectId },
    recipient: { id: botId, name: 'MFA Shepherd' },
    conversation: { id: `a:personal-${user.aadObjectId}`, conversationType: 'personal', tenantId: user.tenantId },
    channelData: { tenant: { id: user.tenantId } },
    locale: 'en-GB',
  });
  return {
    conversationId: (user: TestUser) => `a:personal-${user.aadObjectId}`,
    message: (user: TestUser, text: string) => ({ ...base(user), type: 'message', text }),
    submit: (user: TestUser, value: Record<string, unknown>) => ({ ...base(user), type: 'message', value }),
    install: (user: TestUser) => ({ ...base(user), type: 'installationUpdate', action: 'add' }),
    membersAdded: (user: TestUser) => ({
      ...base(user),
      type: 'conversationUpdate',
      membersAdded: [{ id: botId }, { id: `29:${user.aadObjectId}`, aadObjectId: user.aadObjectId }],
    }),
    execute: (user: TestUser, verb: string, data: Record<string, unknown> = {}) => ({
      ...base(user),
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    }),
  };
}

/** POST an activity to the bot like the Bot Connector does; returns the HTTP status and body (invoke responses). */
export async function postActivity(botUrl: string, activity: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${botUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(activity),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text; // not JSON: keep the text for the assertion message
  }
  return { status: response.status, body };
}
