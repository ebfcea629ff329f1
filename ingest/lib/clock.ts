/** Time as the runners see it: tests pass a fake clock so retry waits cost nothing. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds (or at once when `ms` <= 0). */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()),
};

/** A clock whose sleeps advance its own time at once; it records every wait. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private t = Date.UTC(2026, 10, 29, 12, 0, 0)) {}
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    if (ms > 0) this.t += ms;
    return Promise.resolve();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
