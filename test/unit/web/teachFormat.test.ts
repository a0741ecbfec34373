import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../../web/src/api.ts';
import { barLength, countIntervals, niceMax, ticks, truncateLabel } from '../../../web/src/teach/chart.ts';
import { dueToIso, formatDuration, isoToDateInput } from '../../../web/src/format.ts';
import { passwordProblem, secondsLeft } from '../../../web/src/ui/passwords.ts';

describe('chart scales', () => {
  it('rounds an axis up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect([0, -3, NaN, 0.3, 1, 3, 7, 10, 11, 24, 26, 51, 990].map(niceMax)).toEqual([
      1, 1, 1, 0.5, 1, 5, 10, 10, 20, 25, 50, 100, 1000,
    ]);
  });

  it('spaces ticks evenly from zero', () => {
    expect(ticks(100, 4)).toEqual([0, 25, 50, 75, 100]);
    expect(ticks(2.5, 5)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(ticks(5, 0)).toEqual([0, 5]);
  });

  it('splits a count axis into whole-number ticks', () => {
    expect([1, 2, 5, 10, 20, 25, 50, 100].map(countIntervals)).toEqual([1, 2, 5, 5, 5, 5, 5, 5]);
    expect(ticks(2, countIntervals(2))).toEqual([0, 1, 2]);
  });

  it('clamps bar lengths to the axis', () => {
    expect(barLength(50, 100, 300)).toBe(150);
    expect(barLength(150, 100, 300)).toBe(300);
    expect(barLength(-1, 100, 300)).toBe(0);
    expect(barLength(5, 0, 300)).toBe(0);
  });

  it('truncates labels by code point', () => {
    expect(truncateLabel('short', 10)).toBe('short');
    expect(truncateLabel('创建主题并查看分区', 5)).toBe('创建主题…');
    expect(Array.from(truncateLabel('a🙂b🙂c🙂d', 4))).toHaveLength(4);
  });
});

describe('formatDuration', () => {
  it('shows the two largest units', () => {
    expect(formatDuration(45_000, 'en')).toBe('45 s');
    expect(formatDuration(200_000, 'en')).toBe('3 min 20 s');
    expect(formatDuration(180_000, 'en')).toBe('3 min');
    expect(formatDuration(65 * 60_000, 'en')).toBe('1 h 5 min');
    expect(formatDuration(51 * 3_600_000, 'en')).toBe('2 d 3 h');
    expect(formatDuration(200_000, 'zh')).toBe('3分20秒');
    expect(formatDuration(65 * 60_000, 'zh')).toBe('1小时5分');
    expect(formatDuration(-1, 'en')).toBe('—');
    expect(formatDuration(NaN, 'zh')).toBe('—');
  });
});

describe('due dates', () => {
  it('turns a date input into the end of that local day and back', () => {
    const iso = dueToIso('2025-06-30');
    expect(iso).not.toBeNull();
    const local = new Date(iso ?? '');
    expect([local.getFullYear(), local.getMonth(), local.getDate(), local.getHours()]).toEqual([
      2025, 5, 30, 23,
    ]);
    expect(isoToDateInput(iso)).toBe('2025-06-30');
    expect(dueToIso('')).toBeNull();
    expect(dueToIso('30/06/2025')).toBeNull();
    expect(isoToDateInput(null)).toBe('');
    expect(isoToDateInput('garbage')).toBe('');
  });
});

describe('passwords and waiting', () => {
  it('checks the length (in characters) first, then the repetition', () => {
    expect(passwordProblem('short', 'short', 8)).toBe('passwordTooShort');
    expect(passwordProblem('密码密码密码密码', '密码密码密码密码', 8)).toBeNull();
    expect(passwordProblem('long enough', 'long enougH', 8)).toBe('passwordMismatch');
    expect(passwordProblem('long enough', 'long enough', 8)).toBeNull();
  });

  it('counts whole seconds down to zero', () => {
    expect(secondsLeft(10_500, 0)).toBe(11);
    expect(secondsLeft(1_000, 1_000)).toBe(0);
    expect(secondsLeft(0, 5_000)).toBe(0);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2025-03-01T10:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30);
    expect(parseRetryAfter(' 5 ', now)).toBe(5);
    expect(parseRetryAfter('Sat, 01 Mar 2025 10:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('Sat, 01 Mar 2025 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
