import { TeamsPacer } from '../../src/integrations/teams/pacer';
import { backoffDelayMs, parseRetryAfter } from '../../src/integrations/teams/retry';

/** A virtual clock: sleeping advances time instantly, so limits are tested without waiting. */
function virtualTime() {
  let now = 0;
  return { now: () => now, sleep: async (ms: number) => void (now += ms) };
}

describe('TeamsPacer', () => {
  it('when 20 messages go to one conversation, then no 1-second window holds more than 7 and no 2-second window more than 8', async () => {
    const t = virtualTime();
    const pacer = new TeamsPacer(t);
    const sent: number[] = [];
    for (let i = 0; i < 20; i++) {
      await pacer.acquire('conv-1');
      sent.push(t.now());
    }
    for (const start of sent) {
      expect(sent.filter((s) => s >= start && s < start + 1000).length).toBeLessThanOrEqual(7);
      expect(sent.filter((s) => s >= start && s < start + 2000).length).toBeLessThanOrEqual(8);
    }
    expect(sent[19]).toBeGreaterThan(0);
  });

  it('when 120 messages go to different conversations, then no second holds more than 50', async () => {
    const t = virtualTime();
    const pacer = new TeamsPacer(t);
    const sent: number[] = [];
    for (let i = 0; i < 120; i++) {
      await pacer.acquire(`conv-${i}`);
      sent.push(t.now());
    }
    for (const start of sent) expect(sent.filter((s) => s >= start && s < start + 1000).length).toBeLessThanOrEqual(50);
    expect(sent[49]).toBe(0);
    expect(sent[50]).toBe(1000);
  });
});

describe('retry timing', () => {
  it('when Retry-After is given, then it is used and capped', () => {
    expect(backoffDelayMs(1, { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 5000 }, 2)).toBe(2000);
    expect(backoffDelayMs(1, { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 5000 }, 60)).toBe(5000);
  });

  it('when no Retry-After is given, then the delay is jittered under an exponential ceiling', () => {
    const opts = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999 };
    expect(backoffDelayMs(1, opts)).toBeLessThanOrEqual(100);
    expect(backoffDelayMs(3, opts)).toBeLessThanOrEqual(400);
    expect(backoffDelayMs(3, opts)).toBeGreaterThan(300);
    expect(backoffDelayMs(10, opts)).toBeLessThanOrEqual(1000);
  });

  it('when Retry-After is an HTTP date, then it becomes seconds from now', () => {
    const now = Date.parse('2026-11-22T12:00:00Z');
    expect(parseRetryAfter('Sun, 22 Nov 2026 12:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('7', now)).toBe(7);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
