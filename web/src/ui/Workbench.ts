// The right side of a lab: terminal tabs per server, the editor and the cluster picture.
import { h, type JSX } from 'preact';
import { useRef } from 'preact/hooks';
import type { EnvSocket } from '../env/EnvSocket.ts';
import type { EnvMode, Environment } from '../env/useEnvironment.ts';
import { useI18n } from '../i18n.ts';
import type { TerminalSession } from '../terminal/TerminalSession.ts';
import { ClusterView } from './ClusterView.ts';
import { EditorPane, NODES } from './EditorPane.ts';
import { EnvPanel } from './EnvPanel.ts';
import { TerminalPane } from './TerminalPane.ts';

/** A workbench tab: a server's terminal, the editor, or the cluster. */
export type Tab = (typeof NODES)[number] | 'editor' | 'cluster';

/** Every tab in display order. */
export const TABS: readonly Tab[] = [...NODES, 'editor', 'cluster'];

/** Props of Workbench. */
export interface WorkbenchProps {
  env: Environment;
  mode: EnvMode;
  socket: EnvSocket;
  tab: Tab;
  onTab: (tab: Tab) => void;
  registerTerminal: (node: string, session: TerminalSession | null) => void;
}

function isNode(tab: Tab): tab is (typeof NODES)[number] {
  return (NODES as readonly string[]).includes(tab);
}

/** Tabs whose panes are created on first visit and then kept (terminals keep their sessions). */
export function Workbench(props: WorkbenchProps): JSX.Element {
  const { t } = useI18n();
  // Tabs shown at least once; their panes stay mounted (hidden) from then on.
  const opened = useRef(new Set<Tab>()).current;
  opened.add(props.tab);

  const label = (tab: Tab): string =>
    tab === 'editor' ? t('editor') : tab === 'cluster' ? t('cluster') : tab;
  const onTabKey = (e: KeyboardEvent): void => {
    const i = TABS.indexOf(props.tab);
    const next =
      e.key === 'ArrowRight'
        ? TABS[(i + 1) % TABS.length]
        : e.key === 'ArrowLeft'
          ? TABS[(i + TABS.length - 1) % TABS.length]
          : undefined;
    if (next === undefined) return;
    e.preventDefault();
    props.onTab(next);
    document.getElementById(`tab-${next}`)?.focus();
  };

  return h(
    'section',
    { class: 'workbench', 'aria-label': t('workbench') },
    h(
      'div',
      { class: 'tabs', role: 'tablist', 'aria-label': t('workbench'), onKeyDown: onTabKey },
      TABS.map((tab) =>
        h(
          'button',
          {
            key: tab,
            id: `tab-${tab}`,
            type: 'button',
            role: 'tab',
            class: `tab tab-${isNode(tab) ? 'node' : tab}`,
            'aria-selected': props.tab === tab,
            'aria-controls': `panel-${tab}`,
            tabIndex: props.tab === tab ? 0 : -1,
            'data-testid': `tab-${tab}`,
            onClick: () => props.onTab(tab),
          },
          isNode(tab) ? h('span', { class: 'tab-icon', 'aria-hidden': 'true' }, '❯_') : null,
          label(tab),
        ),
      ),
    ),
    h(
      'div',
      { class: 'tab-panels' },
      TABS.filter((tab) => opened.has(tab)).map((tab) =>
        h(
          'div',
          {
            key: tab,
            id: `panel-${tab}`,
            role: 'tabpanel',
            'aria-labelledby': `tab-${tab}`,
            class: 'tab-panel',
            hidden: props.tab !== tab,
          },
          isNode(tab)
            ? h(TerminalPane, {
                node: tab,
                active: props.tab === tab,
                enabled: props.env.running,
                register: props.registerTerminal,
              })
            : tab === 'editor'
              ? h(EditorPane, { active: props.tab === 'editor', enabled: props.env.running })
              : h(ClusterView, { socket: props.socket }),
        ),
      ),
      props.env.running ? null : h(EnvPanel, { env: props.env, mode: props.mode }),
    ),
  );
}
