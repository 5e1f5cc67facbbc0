import { TeamsPacer } from '../../src/integrations/teams/pacer';

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

  it('when Teams answers a burst late, then the window reopens a full second after the answers, not after the sends', async () => {
    const t = virtualTime();
    const pacer = new TeamsPacer(t);
    const done = [];
    for (let i = 0; i < 50; i++) done.push(await pacer.acquire(`conv-${i}`));
    await t.sleep(120); // the burst took 120 ms to be answered
    for (const d of done) d();
    await pacer.acquire('conv-late');
    expect(t.now()).toBe(1120);
  });

  it('when Teams answered a conversation with Retry-After, then no send to it leaves before the wait is over, and other conversations are not held', async () => {
    const t = virtualTime();
    const pacer = new TeamsPacer(t);
    (await pacer.acquire('conv-held'))();
    pacer.holdOff('conv-held', 3_000);
    pacer.holdOff('conv-held', 1_000); // a shorter, later answer does not shorten the hold

    await pacer.acquire('conv-other');
    expect(t.now()).toBe(0);
    await pacer.acquire('conv-held');
    expect(t.now()).toBe(3_000);
  });
});
