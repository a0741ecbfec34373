import type { EnvMessage } from '../../../server/http/apiTypes.ts';

/** An idle warning under way: when the server said the environment stops (this page's clock). */
export interface IdleCountdown {
  readonly stopsAt: number;
}

/**
 * The warning after a /ws/env message: `idle-warning` (sent again every pass, so the latest
 * corrects any drift) sets it, `idle-cleared` ends it, and so does any status but `running`: a
 * stopped environment has nothing left to warn about, and a page that reconnects learns of a
 * warning still under way at the next pass.
 */
export function idleAfter(
  current: IdleCountdown | null,
  message: EnvMessage,
  now: number,
): IdleCountdown | null {
  switch (message.type) {
    case 'idle-warning':
      return { stopsAt: now + Math.max(0, message.stopsInSeconds) * 1000 };
    case 'idle-cleared':
      return null;
    case 'status':
      return message.status.phase === 'running' ? current : null;
    default:
      return current;
  }
}

/** The time left as a clock reads it: 4:05, 0:09; never below 0:00. */
export function countdownText(msLeft: number): string {
  const s = Math.max(0, Math.ceil(msLeft / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
