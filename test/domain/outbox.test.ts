import { decideDelivery, redeliveryDelayMs, type OutboxRecord } from '../../src/domain/outbox';

const NOW = new Date('2026-03-04T11:00:00Z');
const LIMITS = { leaseMs: 60_000, maxAttempts: 5, maxQueueDeliveries: 50 };

function record(overrides: Partial<OutboxRecord> = {}): OutboxRecord {
  return {
    key: 'nudge:u1:1:reminder:1',
    tenantId: 't',
    kind: 'nudge.reminder',
    to: { aadObjectId: 'u1' },
    message: { text: 'hi' },
    status: 'pending',
    attempts: 0,
    enqueuedAt: new Date(NOW.getTime() - 3_600_000),
    ...overrides,
  };
}

const secondsAgo = (s: number) => new Date(NOW.getTime() - s * 1000);

describe('decideDelivery', () => {
  it('when the record is pending and untried, then send', () => {
    expect(decideDelivery(record(), { messageId: 'm1', dequeueCount: 1 }, NOW, LIMITS)).toEqual({ action: 'send', takeover: false });
  });

  it.each(['sent', 'undeliverable', 'parked'] as const)('when the record is %s, then drop it as final', (status) => {
    expect(decideDelivery(record({ status, attempts: 1 }), { messageId: 'm1', dequeueCount: 3 }, NOW, LIMITS)).toEqual({ action: 'drop', why: 'final' });
  });

  it("when another queue message's claim is younger than the lease, then drop: that delivery is alive", () => {
    const r = record({ status: 'sending', attempts: 1, claimedBy: 'm2', claimedAt: secondsAgo(10) });
    expect(decideDelivery(r, { messageId: 'm1', dequeueCount: 1 }, NOW, LIMITS)).toEqual({ action: 'drop', why: 'claimedElsewhere' });
  });

  it("when another queue message's claim is older than the lease, then send again as a takeover", () => {
    const r = record({ status: 'sending', attempts: 1, claimedBy: 'm2', claimedAt: secondsAgo(61) });
    expect(decideDelivery(r, { messageId: 'm1', dequeueCount: 1 }, NOW, LIMITS)).toEqual({ action: 'send', takeover: true });
  });

  it('when this very queue message claimed it (its holder died), then send again as a takeover, however fresh the claim', () => {
    const r = record({ status: 'sending', attempts: 1, claimedBy: 'm1', claimedAt: secondsAgo(1) });
    expect(decideDelivery(r, { messageId: 'm1', dequeueCount: 2 }, NOW, LIMITS)).toEqual({ action: 'send', takeover: true });
  });

  it('when the key was tried the maximum number of times, then park it, whether it is pending or its last attempt died', () => {
    expect(decideDelivery(record({ attempts: 5 }), { messageId: 'm1', dequeueCount: 1 }, NOW, LIMITS)).toEqual({ action: 'park', why: 'attempts' });
    const died = record({ status: 'sending', attempts: 5, claimedBy: 'm1', claimedAt: secondsAgo(1) });
    expect(decideDelivery(died, { messageId: 'm1', dequeueCount: 6 }, NOW, LIMITS)).toEqual({ action: 'park', why: 'attempts' });
  });

  it('when its queue message came back many times for other keys but this one was never tried, then send it: pack deliveries are not its attempts', () => {
    expect(decideDelivery(record({ attempts: 0 }), { messageId: 'm1', dequeueCount: 12 }, NOW, LIMITS)).toEqual({ action: 'send', takeover: false });
  });

  it('when its queue message came back more than the backstop allows, then park it even untried', () => {
    expect(decideDelivery(record({ attempts: 0 }), { messageId: 'm1', dequeueCount: 51 }, NOW, LIMITS)).toEqual({ action: 'park', why: 'queueDeliveries' });
  });
});

describe('redeliveryDelayMs', () => {
  const opts = { baseMs: 10_000, maxMs: 600_000 };

  it('when attempts grow, then the delay doubles from the base up to the cap', () => {
    expect([1, 2, 3, 4, 7, 8, 20].map((n) => redeliveryDelayMs(n, opts))).toEqual([10_000, 20_000, 40_000, 80_000, 600_000, 600_000, 600_000]);
  });

  it('when Teams asked for a longer Retry-After, then that wins; a shorter one does not shorten the backoff', () => {
    expect(redeliveryDelayMs(1, opts, 90_000)).toBe(90_000);
    expect(redeliveryDelayMs(3, opts, 1_000)).toBe(40_000);
  });
});
