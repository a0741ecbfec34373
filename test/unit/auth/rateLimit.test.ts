import { describe, expect, it } from 'vitest';
import { RateLimiter, tooManyAttempts } from '../../../server/auth/rateLimit.ts';
import { AppError } from '../../../server/errors.ts';

/** A clock the test moves by hand. */
function clock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('RateLimiter', () => {
  it('lets `max` hits through per window, then says how many seconds to wait', () => {
    const t = clock();
    const limiter = new RateLimiter({ max: 3, windowMs: 60_000 }, t.now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfter('k')).toBe(0);
      limiter.hit('k');
    }
    expect(limiter.retryAfter('k')).toBe(60);
    t.advance(10_500);
    expect(limiter.retryAfter('k')).toBe(50);
    t.advance(49_499);
    expect(limiter.retryAfter('k')).toBe(1);
    expect(limiter.retryAfter('other')).toBe(0);
    t.advance(1);
    expect(limiter.retryAfter('k')).toBe(0);
    // A new window starts with the next hit.
    limiter.hit('k');
    expect(limiter.retryAfter('k')).toBe(0);
  });

  it('keeps keys apart and forgets a key on reset', () => {
    const t = clock();
    const limiter = new RateLimiter({ max: 1, windowMs: 1000 }, t.now);
    limiter.hit('a');
    expect(limiter.retryAfter('a')).toBe(1);
    expect(limiter.retryAfter('b')).toBe(0);
    limiter.reset('a');
    expect(limiter.retryAfter('a')).toBe(0);
  });

  it('stays bounded: expired windows go first, then the oldest', () => {
    const t = clock();
    const limiter = new RateLimiter({ max: 1, windowMs: 15 }, t.now, 3);
    limiter.hit('a');
    t.advance(10);
    limiter.hit('b');
    t.advance(10); // a has expired, b has not
    limiter.hit('c');
    limiter.hit('d'); // four keys: a (expired) goes
    expect(['b', 'c', 'd'].map((k) => limiter.retryAfter(k) > 0)).toEqual([true, true, true]);
    limiter.hit('e'); // none expired: the oldest, b, goes
    expect(['b', 'c', 'd', 'e'].map((k) => limiter.retryAfter(k) > 0)).toEqual([false, true, true, true]);
  });
});

describe('tooManyAttempts', () => {
  it('is a 429 that carries the wait for Retry-After and names it in both languages', () => {
    const err = tooManyAttempts(42);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 429, reason: 'rate_limited', details: '42' });
    expect(err.message).toMatch(/try again in 42 s/);
    expect(err.message).toMatch(/42 秒/);
  });
});
