// The countdown before an idle stop, with "keep working".
import { h, type JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n.ts';
import type { EnvSocket } from './EnvSocket.ts';
import { countdownText, type IdleCountdown } from './idle.ts';

/** How often the countdown is redrawn: it shows seconds. */
const TICK_MS = 1000;

/**
 * Shown while the server warns that the environment stops for lack of activity: the time left,
 * ticking, and a button that counts as activity (the warning then ends). The countdown also goes
 * into the tab's title, where a student working in another tab can see it.
 */
export function IdleWarning(props: { socket: EnvSocket }): JSX.Element | null {
  const { t } = useI18n();
  const { socket } = props;
  const [idle, setIdle] = useState<IdleCountdown | null>(socket.current.idle);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const sub = socket.subscribe((feed) => setIdle(feed.idle));
    return () => sub.dispose();
  }, [socket]);

  useEffect(() => {
    if (idle === null) return undefined;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), TICK_MS);
    return () => window.clearInterval(timer);
  }, [idle]);

  const left = idle === null ? '' : countdownText(idle.stopsAt - now);
  useEffect(() => {
    if (idle === null) return undefined;
    const title = document.title;
    document.title = `⏳ ${left} · ${title}`;
    return () => {
      document.title = title;
    };
  }, [idle, left]);

  if (idle === null) return null;
  return h(
    'div',
    { class: 'idle-warning', role: 'alert', 'data-testid': 'idle-warning' },
    h(
      'strong',
      { class: 'idle-warning-title', 'data-testid': 'idle-countdown', 'aria-live': 'off' },
      t('idleWarningTitle', { time: left }),
    ),
    h('p', null, t('idleWarningLead')),
    h(
      'button',
      {
        type: 'button',
        class: 'btn btn-primary',
        'data-testid': 'idle-keep-working',
        onClick: () => socket.keepWorking(),
      },
      t('idleKeepWorking'),
    ),
  );
}
