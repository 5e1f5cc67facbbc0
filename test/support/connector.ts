import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the bot sent to the Bot Connector. */
export interface SentActivity {
  method: string;
  path: string;
  conversationId: string;
  replyToId?: string;
  activity: {
    id: string;
    type?: string;
    text?: string;
    summary?: string;
    attachments?: { contentType: string; content: Record<string, unknown> }[];
    [key: string]: unknown;
  };
  at: number;
}

export interface ConnectorFault {
  /** Which calls it hits: 'send' (activities) or 'create' (new conversations). */
  on: 'send' | 'create';
  status: number;
  /** Teams' error code in `{ error: { code } }`, e.g. MessageWritesBlocked. */
  code?: string;
  retryAfterSeconds?: number;
  /** How many calls it affects. */
  times: number;
  conversationId?: string;
}

/** A sliding window limit: at most `max` accepted sends in any `windowMs`. */
export interface ConnectorLimit {
  max: number;
  windowMs: number;
}

/** Teams' documented limits for a bot: per conversation 7/1 s, 8/2 s, 60/30 s, 1800/h; 50/s per app per tenant. */
export const TEAMS_LIMITS = {
  conversation: [
    { max: 7, windowMs: 1_000 },
    { max: 8, windowMs: 2_000 },
    { max: 60, windowMs: 30_000 },
    { max: 1_800, windowMs: 3_600_000 },
  ] as ConnectorLimit[],
  global: [{ max: 50, windowMs: 1_000 }] as ConnectorLimit[],
};

export interface LocalConnectorOptions {
  /** Answer sends over Teams' limits with 429 and Retry-After (sliding windows of accepted sends). */
  enforceLimits?: boolean | { conversation?: ConnectorLimit[]; global?: ConnectorLimit[] };
  /** Wait this long between accepting a send (recorded) and answering it: the network's way back. */
  answerDelayMs?: number;
}

/** Accepted send times (ms), oldest first, checked against several windows. */
class Windows {
  private readonly times: number[] = [];
  private readonly longest: number;
  constructor(private readonly limits: readonly ConnectorLimit[]) {
    this.longest = Math.max(0, ...limits.map((l) => l.windowMs));
  }
  /** Milliseconds until one more send is allowed (0: now). */
  waitMs(now: number): number {
    while (this.times.length > 0 && this.times[0]! <= now - this.longest) this.times.shift();
    let wait = 0;
    for (const { max, windowMs } of this.limits) {
      let inWindow = 0;
      for (let i = this.times.length - 1; i >= 0 && this.times[i]! > now - windowMs; i--) inWindow++;
      if (inWindow >= max) wait = Math.max(wait, this.times[this.times.length - max]! + windowMs - now);
    }
    return wait;
  }
  record(now: number): void {
    this.times.push(now);
  }
}

/**
 * A local stand-in for the Bot Connector service: the bot's outgoing activities (replies,
 * proactive sends, conversation creation) land here over real HTTP and are recorded, and faults
 * (429 with Retry-After, 403 MessageWritesBlocked, 404…) can be queued.
 */
export class LocalConnector {
  readonly sent: SentActivity[] = [];
  readonly created: { members: unknown; tenantId?: string; id: string }[] = [];
  /** Calls answered with a queued fault (not recorded in `sent`/`created`), oldest first. */
  readonly failed: { on: ConnectorFault['on']; status: number; code?: string; conversationId?: string; at: number }[] = [];
  private readonly faults: ConnectorFault[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly acceptListeners = new Set<(sent: SentActivity) => void>();

  /** Calls `listener` the moment a send is accepted (before its answer goes back); returns the unsubscribe. */
  onAccepted(listener: (sent: SentActivity) => void): () => void {
    this.acceptListeners.add(listener);
    return () => this.acceptListeners.delete(listener);
  }
  /** Sends answered 429 because they exceeded a limit (enforceLimits mode), oldest first. */
  readonly throttled: { conversationId: string; at: number; retryAfterSeconds: number }[] = [];
  private server?: http.Server;
  private counter = 0;
  private readonly limits?: { conversation: readonly ConnectorLimit[]; global: Windows; perConversation: Map<string, Windows> };
  url = '';

  private readonly answerDelayMs: number;

  constructor(options: LocalConnectorOptions = {}) {
    this.answerDelayMs = options.answerDelayMs ?? 0;
    const enforce = options.enforceLimits;
    if (enforce) {
      const custom = enforce === true ? {} : enforce;
      this.limits = {
        conversation: custom.conversation ?? TEAMS_LIMITS.conversation,
        global: new Windows(custom.global ?? TEAMS_LIMITS.global),
        perConversation: new Map(),
      };
    }
  }

  /**
   * Deliveries per (conversation, text): what a user saw. The outbox's tests put the idempotency
   * key in the text, so this counts lost (absent) and duplicate (more than one) deliveries.
   */
  deliveries(): Map<string, SentActivity[]> {
    const byMessage = new Map<string, SentActivity[]>();
    for (const s of this.sent) {
      const id = deliveryId(s.conversationId, textOf(s));
      const list = byMessage.get(id) ?? [];
      list.push(s);
      byMessage.set(id, list);
    }
    return byMessage;
  }

  /** 0 when the send fits every window (and counts it), else the seconds to wait (Retry-After). */
  private admit(conversationId: string, now: number): number {
    if (!this.limits) return 0;
    let conversation = this.limits.perConversation.get(conversationId);
    if (!conversation) {
      conversation = new Windows(this.limits.conversation);
      this.limits.perConversation.set(conversationId, conversation);
    }
    const wait = Math.max(this.limits.global.waitMs(now), conversation.waitMs(now));
    if (wait > 0) return Math.max(1, Math.ceil(wait / 1000));
    this.limits.global.record(now);
    conversation.record(now);
    return 0;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  fail(fault: ConnectorFault): void {
    this.faults.push({ ...fault });
  }

  clear(): void {
    this.sent.length = 0;
    this.created.length = 0;
    this.failed.length = 0;
    this.faults.length = 0;
    this.throttled.length = 0;
  }

  /** Drop the faults still queued; what was sent stays recorded. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Cards sent to a conversation, newest last. */
  cards(conversationId?: string): Record<string, unknown>[] {
    return this.sent
      .filter((s) => !conversationId || s.conversationId === conversationId)
      .flatMap((s) => s.activity.attachments ?? [])
      .filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')
      .map((a) => a.content);
  }

  /** Wait until `predicate` holds for what was sent (checked on every new activity), or fail with what was seen. */
  async waitFor(predicate: (sent: SentActivity[]) => boolean, timeoutMs = 10_000, what = 'activity'): Promise<void> {
    if (predicate(this.sent)) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!predicate(this.sent)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; sent so far: ${JSON.stringify(this.sent.map((s) => textOf(s)))}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  private takeFault(on: ConnectorFault['on'], conversationId?: string): ConnectorFault | undefined {
    const fault = this.faults.find((f) => f.on === on && f.times > 0 && (!f.conversationId || f.conversationId === conversationId));
    if (fault) {
      fault.times -= 1;
      this.failed.push({ on, status: fault.status, code: fault.code, conversationId, at: Date.now() });
    }
    return fault;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    const failWith = (fault: ConnectorFault) =>
      reply(fault.status, { error: { code: fault.code ?? 'Error', message: `local connector fault ${fault.status}` } }, fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {});

    if (req.method === 'POST' && /^\/v3\/conversations\/?$/.test(path)) {
      const fault = this.takeFault('create');
      if (fault) return failWith(fault);
      const id = `a:created-${++this.counter}`;
      this.created.push({ members: body.members, tenantId: body.tenantId as string | undefined, id });
      return reply(201, { id, activityId: `act-${this.counter}` });
    }
    const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?\/?$/.exec(path);
    if (match && (req.method === 'POST' || req.method === 'PUT')) {
      const conversationId = match[1]!;
      const fault = this.takeFault('send', conversationId);
      if (fault) return failWith(fault);
      const retryAfterSeconds = this.admit(conversationId, Date.now());
      if (retryAfterSeconds > 0) {
        this.throttled.push({ conversationId, at: Date.now(), retryAfterSeconds });
        return reply(429, { error: { code: 'Throttled', message: 'local connector: over a Teams rate limit' } }, { 'retry-after': String(retryAfterSeconds) });
      }
      const id = `sent-${++this.counter}`;
      const accepted: SentActivity = { method: req.method, path, conversationId, replyToId: match[2], activity: { ...body, id }, at: Date.now() };
      this.sent.push(accepted);
      for (const waiter of [...this.waiters]) waiter();
      for (const listener of [...this.acceptListeners]) listener(accepted);
      if (this.answerDelayMs > 0) await new Promise((r) => setTimeout(r, this.answerDelayMs));
      return reply(200, { id });
    }
    reply(404, { error: { code: 'NotFound', message: `local connector has no route for ${req.method} ${path}` } });
  }
}

/** How `deliveries()` names one message to one conversation. */
export function deliveryId(conversationId: string, text: string): string {
  return `${conversationId}\u0000${text}`;
}

/** Text of a sent activity and of its card's TextBlocks, for assertions and error messages. */
export function textOf(sent: SentActivity): string {
  const parts: string[] = [];
  if (sent.activity.text) parts.push(sent.activity.text);
  for (const a of sent.activity.attachments ?? []) parts.push(cardText(a.content));
  return parts.join(' | ');
}

export function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (typeof n.text === 'string') out.push(n.text);
    if (typeof n.title === 'string') out.push(n.title);
    if (typeof n.value === 'string' && typeof n.title === 'string') out.push(n.value); // FactSet facts
    for (const [k, v] of Object.entries(n)) if (k !== 'text' && k !== 'title') walk(v);
  };
  walk(card);
  return out.join(' ');
}

/** Every Action.Execute in a card: title, verb, data. */
export function cardActions(card: unknown): { title: string; verb: string; data: Record<string, unknown> }[] {
  const found: { title: string; verb: string; data: Record<string, unknown> }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n.type === 'Action.Execute' && typeof n.verb === 'string') {
      found.push({ title: typeof n.title === 'string' ? n.title : '', verb: n.verb, data: (n.data as Record<string, unknown>) ?? {} });
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'fallback') walk(v);
  };
  walk(card);
  return found;
}

/** Every string anywhere in a card (FactSet values, templated facts, action titles), joined by spaces. */
export function allCardText(card: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node === 'string') out.push(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk(card);
  return out.join(' ');
}
