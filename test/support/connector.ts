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
  private server?: http.Server;
  private counter = 0;
  url = '';

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
      const id = `sent-${++this.counter}`;
      this.sent.push({ method: req.method, path, conversationId, replyToId: match[2], activity: { ...body, id }, at: Date.now() });
      for (const waiter of [...this.waiters]) waiter();
      return reply(200, { id });
    }
    reply(404, { error: { code: 'NotFound', message: `local connector has no route for ${req.method} ${path}` } });
  }
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
