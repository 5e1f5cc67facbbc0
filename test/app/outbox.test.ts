/**
 * The durable outbox end to end: Azurite's tables and queues, the real Teams Messenger over HTTP,
 * and a local Bot Connector that enforces Teams' rate limits and records every accepted message.
 * Each message's text names its idempotency key, so the connector's record counts lost and
 * duplicate deliveries.
 */
import net from 'node:net';
import { QueueClient } from '@azure/storage-queue';
import type { ParkedReport, UndeliverableReport } from '../../src/app/outbox';
import { ErrorCodes } from '../../src/domain/errors';
import { PACK_KEYS, decodeQueued, encodeQueued } from '../../src/storage/outbox';
import { LocalConnector, deliveryId } from '../support/connector';
import { eventually } from '../support/eventually';
import { OUTBOX_TENANT, conversationOf, messageTo, seedContacts, startOutboxRig, textFor, userIds, type OutboxRig } from '../support/outbox-rig';
import { connectionString, randomPrefix, rejectionOf } from '../storage/helpers';

const FAST = { visibilityTimeoutMs: 2_000, retryBaseDelayMs: 1_000, retryMaxDelayMs: 2_000, idlePollMs: 100 };

let connector: LocalConnector;
beforeAll(async () => {
  connector = await new LocalConnector({ enforceLimits: true }).start();
});
afterAll(async () => {
  await connector.stop();
});
beforeEach(() => connector.clear());

async function rig(overrides: Partial<Parameters<typeof startOutboxRig>[0]> = {}): Promise<OutboxRig> {
  return startOutboxRig({ connectionString: connectionString(), tablePrefix: randomPrefix(), connectorUrl: connector.url, worker: FAST, ...overrides });
}

/** How many times each user received the message with this key. */
function deliveriesOf(users: readonly string[], keyOf: (user: string) => string = (u) => `test:${u}`, from: LocalConnector = connector): number[] {
  const all = from.deliveries();
  return users.map((u) => all.get(deliveryId(conversationOf(u), textFor(keyOf(u))))?.length ?? 0);
}

function rawQueue(name: string): QueueClient {
  return new QueueClient(connectionString(), name);
}

async function queueLength(name: string): Promise<number> {
  return (await rawQueue(name).getProperties()).approximateMessagesCount ?? -1;
}

/** A rig on a connector of its own that answers each send `answerDelayMs` after accepting it, with a message enqueued to each of `users`. */
async function withSlowConnector(
  answerDelayMs: number,
  worker: typeof FAST,
  users: readonly string[],
  body: (r: OutboxRig, slow: LocalConnector) => Promise<void>,
): Promise<void> {
  const slow = await new LocalConnector({ answerDelayMs }).start();
  try {
    const r = await startOutboxRig({ connectionString: connectionString(), tablePrefix: randomPrefix(), connectorUrl: slow.url, worker });
    await seedContacts(r.storage, slow.url, users);
    await r.outbox.enqueue(users.map((u) => messageTo(u)));
    await body(r, slow);
  } finally {
    await slow.stop();
  }
}

const until = (what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> =>
  eventually(what, predicate, { timeoutMs, intervalMs: 50 });

describe('outbox', () => {
  it('when messages are enqueued, then each user receives theirs exactly once and the ledger records it as sent', async () => {
    const r = await rig();
    const users = userIds(40);
    await seedContacts(r.storage, connector.url, users);
    await r.outbox.enqueue(users.map((u) => messageTo(u)));
    const worker = r.newWorker();
    await worker.drain();

    expect(deliveriesOf(users)).toEqual(users.map(() => 1));
    expect(worker.stats()).toMatchObject({ sent: 40, duplicatesSuppressed: 0, parked: 0, undeliverable: 0 });
    const record = await r.store.get('test:user-00007');
    expect(record).toMatchObject({ status: 'sent', attempts: 1 });
    expect(record?.activityId).toMatch(/^sent-/);
    expect(await queueLength(r.queueName)).toBe(0);
  });

  it('when the same key is enqueued twice, and the queue delivers its key again, then the user receives one message', async () => {
    const r = await rig();
    await seedContacts(r.storage, connector.url, ['ann']);
    const message = messageTo('ann');
    await r.outbox.enqueue([message]);
    await r.outbox.enqueue([message]); // still pending: queued a second time, the ledger absorbs it
    const worker = r.newWorker();
    await worker.drain();
    // A redelivery after it was sent (as a queue would after a lost delete).
    await rawQueue(r.queueName).sendMessage(encodeQueued(message.key));
    await worker.drain();
    // Once sent, enqueueing the key again queues nothing.
    await r.outbox.enqueue([message]);

    expect(deliveriesOf(['ann'])).toEqual([1]);
    expect(worker.stats()).toMatchObject({ sent: 1, duplicatesSuppressed: 2 });
    expect(await queueLength(r.queueName)).toBe(0);
  });

  it('when a card is bigger than a queue message (64 KiB), then it is delivered whole', async () => {
    const r = await rig();
    await seedContacts(r.storage, connector.url, ['bea']);
    const facts = Array.from({ length: 2_000 }, (_, i) => ({ title: `fact ${i}`, value: 'x'.repeat(40) }));
    const card = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'FactSet', facts }] };
    expect(JSON.stringify(card).length).toBeGreaterThan(64 * 1024);
    await r.outbox.enqueue([{ ...messageTo('bea'), message: { text: 'big', card } }]);
    await r.newWorker().drain();

    expect(connector.cards(conversationOf('bea'))).toEqual([card]);
  });

  it('when Teams answers 429 with Retry-After, then the wait is honoured and nothing is lost', async () => {
    const r = await rig();
    const users = userIds(10, 'thr');
    await seedContacts(r.storage, connector.url, users);
    connector.fail({ on: 'send', status: 429, retryAfterSeconds: 1, times: 2, conversationId: conversationOf('thr-00003') });
    await r.outbox.enqueue(users.map((u) => messageTo(u)));
    await r.newWorker().drain();

    expect(deliveriesOf(users)).toEqual(users.map(() => 1));
    const throttledAt = connector.failed.filter((f) => f.status === 429).map((f) => f.at);
    expect(throttledAt).toHaveLength(2);
    const accepted = connector.sent.find((s) => s.conversationId === conversationOf('thr-00003'));
    expect(accepted!.at - Math.max(...throttledAt)).toBeGreaterThanOrEqual(950);
  });

  it('when Teams keeps answering 429 with Retry-After past what one send waits out, then the outbox redelivers the key no sooner than Teams asks, and it arrives once', async () => {
    const r = await rig({ worker: { ...FAST, retryBaseDelayMs: 100 } });
    await seedContacts(r.storage, connector.url, ['ray']);
    // The connector client inside botbuilder waits out a Retry-After 3 times; the 4th 429 reaches the outbox.
    connector.fail({ on: 'send', status: 429, retryAfterSeconds: 1, times: 4, conversationId: conversationOf('ray') });
    await r.outbox.enqueue([messageTo('ray')]);
    const worker = r.newWorker();
    worker.start();
    try {
      await until('the message sent', () => worker.stats().sent === 1);
    } finally {
      await worker.stop();
    }

    expect(deliveriesOf(['ray'])).toEqual([1]);
    expect(connector.failed).toHaveLength(4);
    const accepted = connector.sent.find((s) => s.conversationId === conversationOf('ray'));
    // Redelivered after the Retry-After (1 s), not after the 100 ms the outbox's own backoff would allow.
    expect(accepted!.at - connector.failed[3]!.at).toBeGreaterThanOrEqual(950);
    expect(worker.stats()).toMatchObject({ sent: 1, retried: 1 });
    expect(await r.store.get('test:ray')).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('when one user gets more than Teams allows per conversation, then the pacer keeps under the limits and every message arrives once', async () => {
    const r = await rig();
    await seedContacts(r.storage, connector.url, ['cid']);
    const keys = Array.from({ length: 12 }, (_, i) => `burst:${i}`);
    await r.outbox.enqueue(keys.map((key) => messageTo('cid', key)));
    await r.newWorker().drain();

    const all = connector.deliveries();
    expect(keys.map((k) => all.get(deliveryId(conversationOf('cid'), textFor(k)))?.length ?? 0)).toEqual(keys.map(() => 1));
    expect(connector.throttled).toEqual([]); // 12 sends to one chat take 2+ s at 7/1 s and 8/2 s
  });

  it('when a message keeps failing, then it is parked and reported after the maximum deliveries, not retried forever', async () => {
    const parked: ParkedReport[] = [];
    const r = await rig({ callbacks: { onParked: (p) => void parked.push(p) } });
    await seedContacts(r.storage, connector.url, ['dan']);
    // 412 with no Retry-After: the Messenger sends once, the outbox owns the retry, so each delivery is one call.
    connector.fail({ on: 'send', status: 412, times: 1_000, conversationId: conversationOf('dan') });
    await r.outbox.enqueue([messageTo('dan')]);
    const worker = r.newWorker({ maxDeliveries: 3 });
    worker.start();
    let callsWhenParked = 0;
    try {
      await until('the message to be parked', () => worker.stats().parked === 1);
      callsWhenParked = connector.failed.length;
      // The worker keeps running past another visibility timeout: the key must not come back.
      await new Promise((r) => setTimeout(r, FAST.visibilityTimeoutMs + 500));
    } finally {
      await worker.stop();
    }

    expect(parked).toEqual([expect.objectContaining({ key: 'test:dan', deliveries: 3, lastErrorCode: ErrorCodes.TeamsUnavailable, why: 'tooManyDeliveries' })]);
    // One call per delivery, and nothing more reached Teams after it was parked.
    expect(callsWhenParked).toBe(3);
    expect(connector.failed).toHaveLength(callsWhenParked);
    expect(deliveriesOf(['dan'])).toEqual([0]);
    expect(await r.store.get('test:dan')).toMatchObject({ status: 'parked', attempts: 3, lastErrorCode: ErrorCodes.TeamsUnavailable });
    expect(worker.stats()).toMatchObject({ retried: 2, parked: 1, sent: 0 });
    expect(await queueLength(r.queueName)).toBe(0);
    expect(await queueLength(r.poisonQueueName)).toBe(1);
  });

  it('when a queue message cannot be read, then it is parked and reported', async () => {
    const parked: ParkedReport[] = [];
    const r = await rig({ callbacks: { onParked: (p) => void parked.push(p) } });
    await rawQueue(r.queueName).sendMessage('not an outbox message');
    await r.newWorker().drain();

    expect(parked).toEqual([expect.objectContaining({ why: 'unreadable', deliveries: 1 })]);
    expect(await queueLength(r.queueName)).toBe(0);
    expect(await queueLength(r.poisonQueueName)).toBe(1);
  });

  it('when a user blocked the bot, then the message is undeliverable, the contact is marked and the callback hears of it', async () => {
    const undeliverable: UndeliverableReport[] = [];
    const r = await rig({ callbacks: { onUndeliverable: (u) => void undeliverable.push(u) } });
    await seedContacts(r.storage, connector.url, ['eve', 'fay']);
    connector.fail({ on: 'send', status: 403, code: 'MessageWritesBlocked', times: 1, conversationId: conversationOf('eve') });
    await r.outbox.enqueue([messageTo('eve'), messageTo('fay')]);
    const worker = r.newWorker();
    await worker.drain();

    expect(deliveriesOf(['eve', 'fay'])).toEqual([0, 1]);
    expect(undeliverable).toEqual([expect.objectContaining({ key: 'test:eve', aadObjectId: 'eve', reason: 'blocked', errorCode: ErrorCodes.TeamsBlocked })]);
    expect(await r.store.get('test:eve')).toMatchObject({ status: 'undeliverable', lastErrorCode: ErrorCodes.TeamsBlocked });
    expect((await r.storage.contacts.get(OUTBOX_TENANT, 'eve'))?.unreachable?.reason).toBe('blocked');
    expect(worker.stats()).toMatchObject({ sent: 1, undeliverable: 1 });
    expect(await queueLength(r.queueName)).toBe(0);
  });

  it('when a user has no chat with the bot and no catalog id is configured, then the message is undeliverable (notInstalled)', async () => {
    const undeliverable: UndeliverableReport[] = [];
    const r = await rig({ callbacks: { onUndeliverable: (u) => void undeliverable.push(u) } });
    await r.outbox.enqueue([messageTo('gus')]);
    await r.newWorker().drain();

    expect(undeliverable).toEqual([expect.objectContaining({ key: 'test:gus', reason: 'notInstalled' })]);
    expect((await r.storage.contacts.get(OUTBOX_TENANT, 'gus'))?.unreachable?.reason).toBe('notInstalled');
    expect(connector.sent).toHaveLength(0);
  });

  it("when Azurite's queue is unreachable at enqueue, then enqueue rejects with a storage error, and enqueueing again later delivers once", async () => {
    // A proxy in front of Azurite's queue endpoint that can be cut.
    const queueUrl = new URL(/QueueEndpoint=([^;]+)/.exec(connectionString())![1]!);
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(queueUrl.port), queueUrl.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => s.destroy());
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxied = connectionString().replace(/QueueEndpoint=[^;]+/, `QueueEndpoint=http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}${queueUrl.pathname}`);
    const prefix = randomPrefix();
    const cut = await rig({ connectionString: proxied, tablePrefix: prefix, storageRetry: { maxRetries: 1, retryDelayInMs: 20 }, requestTimeoutMs: 2_000 });
    await seedContacts(cut.storage, connector.url, ['hal']);
    await new Promise<void>((resolve) => {
      proxy.close(() => resolve());
      for (const s of sockets) s.destroy();
    });

    const error = await rejectionOf(cut.outbox.enqueue([messageTo('hal')]));
    expect(error).toMatchObject({ code: ErrorCodes.StorageUnavailable });

    // The caller kept its state and enqueues again once storage is back: delivered once.
    const back = await rig({ tablePrefix: prefix });
    await back.outbox.enqueue([messageTo('hal')]);
    await back.newWorker().drain();
    expect(deliveriesOf(['hal'])).toEqual([1]);
  });

  it('when 100 messages are enqueued at once, then the queue holds 4 queue messages of up to 32 keys, and each user receives theirs once', async () => {
    const r = await rig();
    const users = userIds(100, 'pk');
    await seedContacts(r.storage, connector.url, users);
    await r.outbox.enqueue(users.map((u) => messageTo(u)));

    expect(await queueLength(r.queueName)).toBe(Math.ceil(100 / PACK_KEYS));
    const peeked = await rawQueue(r.queueName).peekMessages({ numberOfMessages: 32 });
    const queued = peeked.peekedMessageItems.map((m) => decodeQueued(m.messageText)!.keys);
    expect(queued.map((keys) => keys.length)).toEqual([32, 32, 32, 4]);
    expect(queued.flat()).toEqual(users.map((u) => `test:${u}`));

    const worker = r.newWorker();
    await worker.drain();
    expect(deliveriesOf(users)).toEqual(users.map(() => 1));
    expect(worker.stats()).toMatchObject({ sent: 100, duplicatesSuppressed: 0, errors: 0 });
    expect(await queueLength(r.queueName)).toBe(0);
  });

  it('when one key of a pack fails once, then only that key is queued again for later and delivered; the others are sent once and not redelivered', async () => {
    const r = await rig();
    const users = userIds(5, 'rt');
    await seedContacts(r.storage, connector.url, users);
    connector.fail({ on: 'send', status: 412, times: 1, conversationId: conversationOf('rt-00002') }); // no Retry-After: the Messenger's one attempt gives it to the outbox
    await r.outbox.enqueue(users.map((u) => messageTo(u)));
    expect(await queueLength(r.queueName)).toBe(1);
    const worker = r.newWorker();
    worker.start();
    try {
      await until('every message sent', () => worker.stats().sent === 5);
    } finally {
      await worker.stop();
    }

    expect(deliveriesOf(users)).toEqual([1, 1, 1, 1, 1]);
    expect(worker.stats()).toMatchObject({ sent: 5, retried: 1, duplicatesSuppressed: 0, takenOver: 0, errors: 0 });
    expect(await r.store.get('test:rt-00002')).toMatchObject({ status: 'sent', attempts: 2 });
    expect(await r.store.get('test:rt-00000')).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await queueLength(r.queueName)).toBe(0);
  });

  it('when one key of a pack keeps failing, then it alone is parked after the maximum deliveries, and the poison queue names only that key', async () => {
    const parked: ParkedReport[] = [];
    const r = await rig({ callbacks: { onParked: (p) => void parked.push(p) } });
    const users = userIds(4, 'pp');
    await seedContacts(r.storage, connector.url, users);
    connector.fail({ on: 'send', status: 412, times: 1_000, conversationId: conversationOf('pp-00001') });
    await r.outbox.enqueue(users.map((u) => messageTo(u)));
    const worker = r.newWorker({ maxDeliveries: 3 });
    worker.start();
    try {
      await until('the failing message to be parked', () => worker.stats().parked === 1);
    } finally {
      await worker.stop();
    }

    expect(deliveriesOf(users)).toEqual([1, 0, 1, 1]);
    expect(parked).toEqual([expect.objectContaining({ key: 'test:pp-00001', deliveries: 3, why: 'tooManyDeliveries' })]);
    expect(worker.stats()).toMatchObject({ sent: 3, retried: 2, parked: 1 });
    const poison = await rawQueue(r.poisonQueueName).peekMessages({ numberOfMessages: 32 });
    expect(poison.peekedMessageItems.map((m) => decodeQueued(m.messageText)?.keys)).toEqual([['test:pp-00001']]);
    expect(await queueLength(r.queueName)).toBe(0);
  });

  it("when every send of a pack outlasts the visibility timeout and half its keys wait for a free slot, then the pack's lease is extended: a second worker never takes it, and nobody gets a message twice", async () => {
    const users = userIds(4, 'sl');
    // Sends of 4.5 s against a 3 s visibility, extended every 1.5 s: a margin a loaded CI machine keeps.
    await withSlowConnector(4_500, { ...FAST, visibilityTimeoutMs: 3_000 }, users, async (r, slow) => {
      const a = r.newWorker({ concurrency: 2 });
      const b = r.newWorker();
      a.start();
      try {
        await until('a to hold the pack', () => a.stats().inFlight === 2 && a.stats().waiting === 2);
        b.start(); // polls every 100 ms: a lapsed lease would hand it the pack
        await until('every message sent', () => a.stats().sent === 4);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }

      expect(deliveriesOf(users, undefined, slow)).toEqual(users.map(() => 1));
      expect(a.stats()).toMatchObject({ sent: 4, takenOver: 0, lostLeases: 0, errors: 0 });
      expect(b.stats()).toMatchObject({ sent: 0, duplicatesSuppressed: 0 });
    });
  });

  it('when a worker stops while keys of its pack wait for a slot, then it hands them back: another worker sends them within seconds, not after the visibility timeout, each once', async () => {
    const users = userIds(6, 'hb');
    await withSlowConnector(500, { ...FAST, visibilityTimeoutMs: 60_000 }, users, async (r, slow) => {
      const a = r.newWorker({ concurrency: 1 });
      const b = r.newWorker();
      a.start();
      try {
        await until('a to hold the pack', () => a.stats().inFlight === 1 && a.stats().waiting === 5);
        await a.stop();
        b.start();
        await until('b to send the keys a handed back', () => b.stats().sent === 5, 10_000);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }

      expect(deliveriesOf(users, undefined, slow)).toEqual(users.map(() => 1));
      expect(a.stats()).toMatchObject({ sent: 1, waiting: 0 });
      expect(b.stats()).toMatchObject({ sent: 5, duplicatesSuppressed: 0, takenOver: 0 });
      expect(await queueLength(r.queueName)).toBe(0);
    });
  });

  it('when two workers share one queue, then every message is delivered exactly once and both did work', async () => {
    const r = await rig();
    const users = userIds(120, 'two');
    await seedContacts(r.storage, connector.url, users);
    await r.outbox.enqueue(users.map((u) => messageTo(u)));
    const a = r.newWorker({ concurrency: 8 });
    const b = r.newWorker({ concurrency: 8 });
    a.start();
    b.start();
    try {
      await until('all messages sent', () => a.stats().sent + b.stats().sent >= users.length);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }

    expect(deliveriesOf(users)).toEqual(users.map(() => 1));
    expect(a.stats().sent + b.stats().sent).toBe(users.length);
    expect(a.stats().sent).toBeGreaterThan(0);
    expect(b.stats().sent).toBeGreaterThan(0);
  });
});
