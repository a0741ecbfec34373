// One server's terminal tab: the xterm host plus the connection state around it.
import { h, type JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n.ts';
import { TerminalSession, type TerminalState } from '../terminal/TerminalSession.ts';
import { Spinner } from './common.ts';

/** Props of TerminalPane. */
export interface TerminalPaneProps {
  node: string;
  /** The tab is showing: fit to the now-visible size and take the keyboard. */
  active: boolean;
  /** The environment runs: connect. */
  enabled: boolean;
  /** Lets the lab page paste commands into this terminal. */
  register: (node: string, session: TerminalSession | null) => void;
  /** Show this student's shell read-only instead of the caller's own (the instructor's watch view). */
  watchStudent?: number;
}

/** A terminal into one server, created when its tab is first shown and kept while the page lives. */
export function TerminalPane(props: TerminalPaneProps): JSX.Element {
  const { t } = useI18n();
  const host = useRef<HTMLDivElement>(null);
  const session = useRef<TerminalSession | null>(null);
  const [state, setState] = useState<TerminalState>({ kind: 'idle' });
  const { node, register, watchStudent } = props;

  useEffect(() => {
    if (host.current === null) return;
    const s = new TerminalSession(host.current, { node, onState: setState, watchStudent });
    session.current = s;
    register(node, s);
    return () => {
      register(node, null);
      session.current = null;
      s.dispose();
    };
  }, [node, register, watchStudent]);

  useEffect(() => {
    session.current?.setEnabled(props.enabled);
  }, [props.enabled]);

  useEffect(() => {
    if (!props.active) return;
    // Wait a frame: the pane was display:none until this render, so it had no size to fit to.
    const frame = requestAnimationFrame(() => {
      session.current?.fit();
      session.current?.focus();
    });
    return () => cancelAnimationFrame(frame);
  }, [props.active]);

  let overlay: JSX.Element | null = null;
  if (state.kind === 'connecting' || state.kind === 'reconnecting') {
    overlay = h(
      'div',
      { class: 'term-banner', role: 'status' },
      h(Spinner, { label: '' }),
      state.kind === 'connecting' ? t('termConnecting', { node }) : t('termReconnecting'),
    );
  } else if (state.kind === 'ended' || state.kind === 'error') {
    overlay = h(
      'div',
      { class: 'term-overlay', role: 'alert' },
      h('p', null, state.kind === 'ended' ? t('termEnded') : t('termError', { message: state.message })),
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-primary',
          'data-testid': `terminal-${node}-reopen`,
          onClick: () => session.current?.reopen(),
        },
        t(state.kind === 'ended' ? 'termReopen' : 'termReconnect'),
      ),
    );
  }

  return h(
    'div',
    {
      class: `term-pane${watchStudent === undefined ? '' : ' is-watch'}`,
      'data-testid': `terminal-${node}`,
      'data-state': state.kind,
      'data-watch': watchStudent === undefined ? undefined : 'true',
    },
    h('div', { class: 'term-host', ref: host, 'aria-label': `${node} terminal` }),
    overlay,
  );
}
