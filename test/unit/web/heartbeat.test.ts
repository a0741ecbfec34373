import { describe, expect, it } from 'vitest';
import type { EnvMessage, EnvStatus } from '../../../server/http/apiTypes.ts';
import { toDisposable } from '../../../web/src/disposable.ts';
import {
  HEARTBEAT_MS,
  visibleHeartbeat,
  type Every,
  type VisibilitySource,
} from '../../../web/src/env/heartbeat.ts';
import { countdownText, idleAfter } from '../../../web/src/env/idle.ts';
import { translator } from '../../../web/src/i18n.ts';

/** A document whose visibility the test sets, firing visibilitychange like a browser. */
class FakeDocument implements VisibilitySource {
  visibilityState: DocumentVisibilityState = 'visible';
  readonly listeners = new Set<() => void>();
  addEventListener(_type: 'visibilitychange', listener: () => void): void {
    this.listeners.add(listener);
  }
  removeEventListener(_type: 'visibilitychange', listener: () => void): void {
    this.listeners.delete(listener);
  }
  show(state: DocumentVisibilityState): void {
    this.visibilityState = state;
    for (const l of this.listeners) l();
  }
}

/** An interval the test fires by hand. */
function handTimer(): { every: Every; fire: () => void; periods: number[]; running: () => boolean } {
  const ticks = new Set<() => void>();
  const periods: number[] = [];
  return {
    every: (ms, tick) => {
      periods.push(ms);
      ticks.add(tick);
      return toDisposable(() => ticks.delete(tick));
    },
    fire: () => {
      for (const t of ticks) t();
    },
    periods,
    running: () => ticks.size > 0,
  };
}

describe('the visible page heartbeat', () => {
  it('beats every period while visible, never while hidden, and at once when the page shows again', () => {
    const doc = new FakeDocument();
    const timer = handTimer();
    let beats = 0;
    const hb = visibleHeartbeat(() => beats++, doc, timer.every);
    expect(timer.periods).toEqual([HEARTBEAT_MS]);
    expect(beats).toBe(0);

    timer.fire();
    timer.fire();
    expect(beats).toBe(2);

    doc.show('hidden');
    timer.fire();
    timer.fire();
    timer.fire();
    expect(beats).toBe(2);

    doc.show('visible');
    expect(beats).toBe(3);
    timer.fire();
    expect(beats).toBe(4);

    hb.dispose();
    expect(timer.running()).toBe(false);
    expect(doc.listeners.size).toBe(0);
    doc.show('hidden');
    doc.show('visible');
    timer.fire();
    expect(beats).toBe(4);
  });

  it('sends nothing from a page that starts hidden (a tab opened in the background)', () => {
    const doc = new FakeDocument();
    doc.visibilityState = 'hidden';
    const timer = handTimer();
    let beats = 0;
    const hb = visibleHeartbeat(() => beats++, doc, timer.every);
    for (let i = 0; i < 10; i++) timer.fire();
    expect(beats).toBe(0);
    hb.dispose();
  });
});

describe('the idle countdown', () => {
  const status = (phase: EnvStatus['phase']): EnvMessage => ({
    type: 'status',
    status: { phase, mode: 'ready', events: [], error: null, nodes: [] },
  });

  it('starts with a warning, follows the latest one, and ends on idle-cleared or any status but running', () => {
    const t0 = 1_000_000;
    const warned = idleAfter(null, { type: 'idle-warning', stopsInSeconds: 120 }, t0);
    expect(warned).toEqual({ stopsAt: t0 + 120_000 });
    expect(idleAfter(warned, { type: 'idle-warning', stopsInSeconds: 30 }, t0 + 95_000)).toEqual({
      stopsAt: t0 + 125_000,
    });
    expect(idleAfter(warned, status('running'), t0)).toBe(warned);
    expect(idleAfter(warned, { type: 'snapshot-error', message: 'x' }, t0)).toBe(warned);
    expect(idleAfter(warned, { type: 'idle-cleared' }, t0)).toBeNull();
    expect(idleAfter(warned, status('stopped'), t0)).toBeNull();
    expect(idleAfter(null, { type: 'idle-warning', stopsInSeconds: -5 }, t0)).toEqual({ stopsAt: t0 });
  });

  it('reads like a clock and says it in both languages', () => {
    expect([300_000, 245_000, 9_000, 8_001, 0, -3000].map(countdownText)).toEqual([
      '5:00',
      '4:05',
      '0:09',
      '0:09',
      '0:00',
      '0:00',
    ]);
    expect(translator('en')('idleWarningTitle', { time: '4:05' })).toBe('Your servers stop in 4:05');
    expect(translator('zh')('idleWarningTitle', { time: '4:05' })).toBe('你的服务器将在 4:05 后停止');
  });
});
