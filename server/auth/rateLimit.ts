import { AppError } from '../errors.ts';

/** A limit: at most `max` hits per `windowMs` for one key. */
export interface Limit {
  readonly max: number;
  readonly windowMs: number;
}

/**
 * Fixed-window counters per key (an address, an account name), in memory: enough for one server,
 * and bounded: when more than `maxKeys` keys are tracked, expired windows are dropped first, then
 * the oldest. A restart forgets the counts, which only ever lets someone in sooner.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; hits: number }>();

  constructor(
    private readonly limit: Limit,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** Seconds until `key` may try again, or 0 when it may now. */
  retryAfter(key: string): number {
    const w = this.windows.get(key);
    if (w === undefined) return 0;
    const now = this.now();
    if (now - w.start >= this.limit.windowMs) return 0;
    return w.hits >= this.limit.max ? Math.ceil((w.start + this.limit.windowMs - now) / 1000) : 0;
  }

  /** Counts one hit for `key`. */
  hit(key: string): void {
    const now = this.now();
    const w = this.windows.get(key);
    if (w === undefined || now - w.start >= this.limit.windowMs) {
      this.windows.delete(key);
      this.windows.set(key, { start: now, hits: 1 });
      this.prune(now);
    } else w.hits++;
  }

  /** Forgets `key` (a successful sign-in clears the account's failures). */
  reset(key: string): void {
    this.windows.delete(key);
  }

  private prune(now: number): void {
    if (this.windows.size <= this.maxKeys) return;
    for (const [k, w] of this.windows) if (now - w.start >= this.limit.windowMs) this.windows.delete(k);
    // Map order is insertion order: the oldest windows go first.
    for (const k of this.windows.keys()) {
      if (this.windows.size <= this.maxKeys) break;
      this.windows.delete(k);
    }
  }
}

/** The 429 for a limited request; the route sets Retry-After from `details`. */
export function tooManyAttempts(seconds: number): AppError {
  return new AppError(
    429,
    'rate_limited',
    `Too many attempts: try again in ${seconds} s / 尝试次数过多，请 ${seconds} 秒后再试`,
    { details: String(seconds) },
  );
}
