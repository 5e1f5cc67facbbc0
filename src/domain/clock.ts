/** Time as a port: the domain never reads the wall clock. */
export interface Clock {
  now(): Date;
}

/** A clock that always answers the same instant (tests) or one that can be moved forward. */
export class FixedClock implements Clock {
  private current: number;
  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
