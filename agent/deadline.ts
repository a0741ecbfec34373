/**
 * Time budgets. Every command runs against one Deadline so that no single slow step (a stopped
 * broker, a ZooKeeper server that accepts but never answers) can eat the whole `--timeout`.
 */
import { AgentError } from './errors.ts';

/** A point in time shared by every step of one command. */
export class Deadline {
  private readonly end: number;

  constructor(
    ms: number,
    private readonly now: () => number = Date.now,
  ) {
    this.end = now() + ms;
  }

  /** Milliseconds left, never negative. */
  remaining(): number {
    return Math.max(0, this.end - this.now());
  }

  /** True once the budget is spent. */
  expired(): boolean {
    return this.remaining() <= 0;
  }

  /** A per-step budget: `cap`, or less when the deadline is closer. */
  budget(cap: number): number {
    return Math.max(1, Math.min(cap, this.remaining()));
  }

  /** Waits `ms` (or until the deadline, whichever is sooner). */
  sleep(ms: number): Promise<void> {
    const wait = Math.min(ms, this.remaining());
    return new Promise((resolve) => setTimeout(resolve, wait));
  }

  /** Rejects with a `timeout` AgentError if `work` has not settled by the deadline. */
  race<T>(work: Promise<T>, what: string): Promise<T> {
    return withTimeout(
      work,
      this.remaining(),
      () => new AgentError('timeout', `${what} did not finish in time`),
    );
  }
}

/**
 * Settles like `work`, or rejects with `onTimeout()` after `ms`. The timer is cleared either way
 * so a finished command does not keep the event loop alive.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), Math.max(0, ms));
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
