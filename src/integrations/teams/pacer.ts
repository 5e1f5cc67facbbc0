/**
 * Paces outgoing Teams messages under the documented limits: per bot per conversation 7 sends in
 * 1 s, 8 in 2 s, 60 in 30 s, 1800 in an hour; globally 50 requests per second per app per tenant.
 * Sliding windows of send times; `acquire` waits until a send fits every window.
 *
 * Teams counts a send when it arrives, which is a little after we let it go (and a burst arrives
 * spread out). `acquire` therefore answers a `done` function: called when Teams answered, it moves
 * the send's time to that moment, so a window never reopens before Teams' own could have. Without
 * it a burst at the limit is answered 429 at the edge of the next window.
 */
export interface RateWindow {
  max: number;
  windowMs: number;
}

export const TEAMS_CONVERSATION_LIMITS: readonly RateWindow[] = [
  { max: 7, windowMs: 1_000 },
  { max: 8, windowMs: 2_000 },
  { max: 60, windowMs: 30_000 },
  { max: 1_800, windowMs: 3_600_000 },
];
export const TEAMS_GLOBAL_LIMITS: readonly RateWindow[] = [{ max: 50, windowMs: 1_000 }];

export interface PacerOptions {
  conversationLimits?: readonly RateWindow[];
  globalLimits?: readonly RateWindow[];
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class SlidingWindow {
  private readonly times: number[] = [];
  private readonly longest: number;
  constructor(private readonly limits: readonly RateWindow[]) {
    this.longest = Math.max(0, ...limits.map((l) => l.windowMs));
  }
  /** Milliseconds until one more send fits (0 = now). */
  waitFor(now: number): number {
    while (this.times.length > 0 && this.times[0]! <= now - this.longest) this.times.shift();
    let wait = 0;
    for (const { max, windowMs } of this.limits) {
      const inWindow = this.times.filter((t) => t > now - windowMs);
      if (inWindow.length >= max) wait = Math.max(wait, inWindow[inWindow.length - max]! + windowMs - now);
    }
    return wait;
  }
  record(now: number): void {
    this.times.push(now);
  }
  /** Move one recorded time later, keeping the times sorted. */
  move(from: number, to: number): void {
    const at = this.times.lastIndexOf(from);
    if (at < 0 || to <= from) return; // pruned already, or nothing to move
    this.times.splice(at, 1);
    let i = this.times.length;
    while (i > 0 && this.times[i - 1]! > to) i--;
    this.times.splice(i, 0, to);
  }
  get idle(): boolean {
    return this.times.length === 0;
  }
}

export class TeamsPacer {
  private readonly global: SlidingWindow;
  private readonly conversations = new Map<string, SlidingWindow>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly conversationLimits: readonly RateWindow[];
  /** Conversations Teams asked us to leave alone (Retry-After): no send before this time. */
  private readonly holds = new Map<string, number>();
  private acquired = 0;

  constructor(options: PacerOptions = {}) {
    this.conversationLimits = options.conversationLimits ?? TEAMS_CONVERSATION_LIMITS;
    this.global = new SlidingWindow(options.globalLimits ?? TEAMS_GLOBAL_LIMITS);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /**
   * Wait until a send to `conversationId` fits the limits, then count it. Call the answered `done`
   * when Teams answered (success or not): the send then counts from that moment.
   */
  async acquire(conversationId: string): Promise<() => void> {
    if (++this.acquired % 1_000 === 0) this.prune();
    let conversation = this.conversations.get(conversationId);
    if (!conversation) {
      conversation = new SlidingWindow(this.conversationLimits);
      this.conversations.set(conversationId, conversation);
    }
    for (;;) {
      const now = this.now();
      const wait = Math.max(this.global.waitFor(now), conversation.waitFor(now), (this.holds.get(conversationId) ?? now) - now);
      if (wait <= 0) {
        this.global.record(now);
        conversation.record(now);
        const window = conversation;
        return () => {
          const answered = this.now();
          this.global.move(now, answered);
          window.move(now, answered);
        };
      }
      await this.sleep(wait);
    }
  }

  /**
   * Teams answered a send to `conversationId` with Retry-After: no send to it leaves before that
   * time has passed, whichever caller makes it (a redelivery, a sweep, a repeat).
   */
  holdOff(conversationId: string, ms: number): void {
    const until = this.now() + Math.max(0, ms);
    if (until > (this.holds.get(conversationId) ?? 0)) this.holds.set(conversationId, until);
  }

  /** Forget conversations with no send in the longest window (bounded memory for 100k users). */
  prune(): void {
    const now = this.now();
    for (const [id, until] of this.holds) if (until <= now) this.holds.delete(id);
    for (const [id, window] of this.conversations) {
      window.waitFor(now);
      if (window.idle) this.conversations.delete(id);
    }
  }
}
