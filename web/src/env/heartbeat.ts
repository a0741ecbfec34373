import { toDisposable, type Disposable } from '../disposable.ts';

/**
 * How often a visible lab page says it is there. The server warns KAFKALAB_IDLE_WARN (default
 * 300 s) before an idle stop and only after KAFKALAB_IDLE_STOP minus that without activity (25
 * minutes by default); a beat every 30 s is ten beats inside the default warning, so a page
 * somebody looks at never gets near it, even with a warning and an idle time of a minute or
 * two. A beat is one tiny frame on a socket that is open anyway, and the server writes activity
 * to its store at most once a minute, so beating more often than needed costs next to nothing.
 */
export const HEARTBEAT_MS = 30_000;

/** The part of `document` the heartbeat reads (a fake one in tests). */
export interface VisibilitySource {
  readonly visibilityState: DocumentVisibilityState;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

/** Repeats `tick` every `ms` until disposed (window.setInterval; a hand-driven one in tests). */
export type Every = (ms: number, tick: () => void) => Disposable;

/** window.setInterval as an `Every`. */
export const everyInterval: Every = (ms, tick) => {
  const id = window.setInterval(tick, ms);
  return toDisposable(() => window.clearInterval(id));
};

/**
 * Calls `beat` every `HEARTBEAT_MS` while the page is visible, and at once when it becomes
 * visible again: a student coming back to the tab may find a warning with seconds left, and the
 * next periodic beat could come too late. A hidden tab (another tab in front, a minimised
 * window) never beats: a page nobody looks at is not activity.
 */
export function visibleHeartbeat(
  beat: () => void,
  doc: VisibilitySource,
  every: Every = everyInterval,
  ms = HEARTBEAT_MS,
): Disposable {
  const visible = (): boolean => doc.visibilityState === 'visible';
  const timer = every(ms, () => {
    if (visible()) beat();
  });
  const onChange = (): void => {
    if (visible()) beat();
  };
  doc.addEventListener('visibilitychange', onChange);
  return toDisposable(() => {
    timer.dispose();
    doc.removeEventListener('visibilitychange', onChange);
  });
}
