// The environment's boot progress and every state that keeps terminals and the editor from connecting.
import { h, type JSX } from 'preact';
import type { EnvStatus } from '../../../server/http/apiTypes.ts';
import { phaseRows } from '../env/bootPhases.ts';
import { queueBadge, queueText } from '../env/queuePlace.ts';
import type { EnvMode, Environment } from '../env/useEnvironment.ts';
import { useI18n, type MessageKey, type Translate } from '../i18n.ts';
import { FailureNotice, Loading, Notice, Spinner } from './common.ts';

const PHASE_LABELS: Partial<Record<string, MessageKey>> = {
  reset: 'phase_reset',
  network: 'phase_network',
  servers: 'phase_servers',
  zookeeper: 'phase_zookeeper',
  install: 'phase_install',
  brokers: 'phase_brokers',
  controller: 'phase_controller',
  roundtrip: 'phase_roundtrip',
  ready: 'phase_ready',
};

function phaseLabel(t: Translate, phase: string): string {
  const key = PHASE_LABELS[phase];
  return key === undefined ? phase : t(key);
}

function modeLabel(t: Translate, mode: EnvMode): string {
  return t(mode === 'install' ? 'modeInstall' : 'modeReady');
}

/** The boot phases as a checklist with counters (ZooKeeper 2/3, brokers 1/3). */
export function BootProgress(props: { status: EnvStatus; mode: EnvMode }): JSX.Element {
  const { t } = useI18n();
  const rows = phaseRows(props.status, props.mode);
  const elapsed = props.status.events.at(-1)?.at;
  return h(
    'div',
    { class: 'boot' },
    h(
      'ol',
      { class: 'boot-phases', 'data-testid': 'env-progress', 'data-phase': props.status.phase },
      rows.map((row) => {
        const counter = row.total !== undefined ? `${row.done ?? 0}/${row.total}` : null;
        return h(
          'li',
          {
            key: row.phase,
            class: `boot-phase is-${row.state}`,
            'data-testid': `env-phase-${row.phase}`,
            'data-state': row.state,
          },
          h(
            'span',
            { class: 'boot-icon', 'aria-hidden': 'true' },
            row.state === 'active'
              ? h(Spinner, { label: '' })
              : row.state === 'done'
                ? '✓'
                : row.state === 'failed'
                  ? '✕'
                  : '',
          ),
          h('span', { class: 'boot-label' }, phaseLabel(t, row.phase)),
          // Always four cells, so messages line up in their column whether or not a counter is shown.
          h('span', { class: counter === null ? 'boot-counter is-empty' : 'boot-counter' }, counter),
          h('span', { class: 'boot-message' }, row.message ?? ''),
        );
      }),
    ),
    elapsed === undefined
      ? null
      : h('p', { class: 'boot-elapsed' }, t('tookMs', { s: (elapsed / 1000).toFixed(1) })),
  );
}

function confirmReset(env: Environment, t: Translate): void {
  if (window.confirm(t('envResetConfirm'))) env.reset();
}

function ResetButton(props: { env: Environment; primary?: boolean }): JSX.Element {
  const { t } = useI18n();
  return h(
    'button',
    {
      type: 'button',
      class: props.primary === true ? 'btn btn-primary' : 'btn btn-danger-outline',
      'data-testid': 'env-reset',
      disabled: props.env.busy,
      onClick: () => confirmReset(props.env, t),
    },
    t('envReset'),
  );
}

function RetryButton(props: { env: Environment; label?: MessageKey }): JSX.Element {
  const { t } = useI18n();
  return h(
    'button',
    {
      type: 'button',
      class: 'btn btn-primary',
      'data-testid': 'env-retry',
      disabled: props.env.busy,
      onClick: () => props.env.start(),
    },
    t(props.label ?? 'envRetry'),
  );
}

function Mismatch(props: { env: Environment; have: EnvMode; want: EnvMode }): JSX.Element {
  const { t } = useI18n();
  return h(
    Notice,
    { tone: 'warn', title: t('envMismatchTitle'), testId: 'env-mode-mismatch' },
    h('p', null, t('envMismatchLead', { want: modeLabel(t, props.want), have: modeLabel(t, props.have) })),
    h('div', { class: 'actions' }, h(ResetButton, { env: props.env, primary: true })),
  );
}

const NOTICE_KEYS: Partial<Record<string, MessageKey>> = {
  idle_stopped: 'envNotice_idle_stopped',
  expired: 'envNotice_expired',
  missing: 'envNotice_missing',
};

/**
 * Why the servers are not as the student left them (stopped while idle, expired, gone), in the
 * page's language; a reason this page does not know yet is shown as the server words it.
 */
function EnvNotice(props: { notice: EnvStatus['notice'] | null }): JSX.Element | null {
  const { t } = useI18n();
  const notice = props.notice;
  if (notice === undefined || notice === null) return null;
  const key = NOTICE_KEYS[notice.reason];
  return h(
    'p',
    { class: 'env-notice', 'data-testid': 'env-notice', 'data-reason': notice.reason },
    key === undefined ? notice.message : t(key),
  );
}

function StatusPanel(props: { env: Environment; status: EnvStatus; mode: EnvMode }): JSX.Element {
  const { t } = useI18n();
  const { env, status, mode } = props;
  if (status.mode !== null && status.mode !== mode && status.phase !== 'failed') {
    return h(Mismatch, { env, have: status.mode, want: mode });
  }
  switch (status.phase) {
    case 'queued':
      return h(
        'section',
        { class: 'env-queued', 'data-testid': 'env-queued' },
        h('h2', null, t('envQueued')),
        status.queue === undefined
          ? null
          : h(
              'p',
              {
                class: 'env-queue-place',
                'data-testid': 'env-queue-place',
                'data-position': status.queue.position,
                'aria-live': 'polite',
              },
              queueText(t, status.queue),
            ),
        h('p', { class: 'muted' }, t('envQueuedLead')),
        h(EnvNotice, { notice: env.notice ?? status.notice ?? null }),
      );
    case 'booting': {
      const resuming =
        env.resuming || (status.events.length > 0 && !status.events.some((e) => e.phase === 'network'));
      return h(
        'section',
        { class: 'env-booting', 'data-testid': 'env-booting' },
        h('h2', null, t(resuming ? 'envResuming' : 'envBooting')),
        // Why it resumes (stopped while idle) or is new (expired): the start cleared the notice.
        h(EnvNotice, { notice: env.notice ?? status.notice ?? null }),
        h('p', { class: 'muted' }, t('envBootingLead')),
        h(BootProgress, { status, mode }),
      );
    }
    case 'failed':
      return h(
        'section',
        { class: 'env-failed', 'data-testid': 'env-failed' },
        h(
          Notice,
          { tone: 'error', title: t('envFailed'), details: status.error?.details },
          h('p', null, t('envFailedLead')),
          status.error === null ? null : h('p', { class: 'env-error-message' }, status.error.message),
          h('div', { class: 'actions' }, h(RetryButton, { env }), h(ResetButton, { env })),
        ),
        h(BootProgress, { status, mode }),
      );
    case 'broken':
      return h(
        Notice,
        { tone: 'warn', title: t('envBroken'), testId: 'env-broken', details: status.error?.details },
        h('p', null, t('envBrokenLead')),
        status.error === null ? null : h('p', null, status.error.message),
        h('div', { class: 'actions' }, h(ResetButton, { env, primary: true }), h(RetryButton, { env })),
      );
    case 'stopped':
    case 'none':
      return h(
        Notice,
        {
          tone: 'info',
          title: t(status.phase === 'stopped' ? 'envStopped' : 'envNone'),
          testId: 'env-stopped',
        },
        h(EnvNotice, { notice: status.notice ?? null }),
        h('div', { class: 'actions' }, h(RetryButton, { env, label: 'open' })),
      );
    case 'running':
      return h(Notice, { tone: 'ok', title: t('envRunning'), testId: 'env-running' });
    case 'unavailable':
      // Nothing to press: the server keeps asking the engine and pushes the phase once it answers.
      return h(
        Notice,
        { tone: 'warn', title: t('envUnavailable'), testId: 'env-unavailable' },
        h('p', null, t('envUnavailableLead')),
      );
  }
}

/** Everything about the environment that is not "running": progress, failures, and what to do. */
export function EnvPanel(props: { env: Environment; mode: EnvMode }): JSX.Element {
  const { t } = useI18n();
  const { env, mode } = props;
  const view = env.view;
  // "Terminals open when ready" only helps while something is on its way to ready.
  const waiting =
    view.kind === 'checking' ||
    (view.kind === 'status' && (view.status.phase === 'booting' || view.status.phase === 'queued'));
  let body: JSX.Element;
  switch (view.kind) {
    case 'checking':
      body = h(Loading, {});
      break;
    case 'engine-down':
      body = h(
        Notice,
        {
          tone: 'error',
          title: t('envEngineDown'),
          testId: 'env-engine-down',
          details: typeof view.report === 'string' ? view.report : JSON.stringify(view.report, null, 2),
        },
        h('p', null, t('envEngineDownLead')),
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', class: 'btn', onClick: () => env.recheck() }, t('envCheckAgain')),
        ),
      );
      break;
    case 'mismatch':
      body = h(Mismatch, { env, have: view.have, want: view.want });
      break;
    case 'start-failed':
      body = h(
        'div',
        { 'data-testid': 'env-start-failed' },
        h(FailureNotice, { error: view.failure, title: t('envFailed') }),
        h('div', { class: 'actions' }, h(RetryButton, { env })),
      );
      break;
    case 'status':
      body = h(StatusPanel, { env, status: view.status, mode });
      break;
  }
  return h(
    'div',
    { class: 'env-panel', 'data-testid': 'env-panel' },
    h(
      'div',
      { class: 'env-panel-inner' },
      body,
      waiting ? h('p', { class: 'env-waiting muted' }, t('envWaiting')) : null,
    ),
  );
}

/** The compact status shown in the lab header. */
export function EnvBadge(props: { env: Environment }): JSX.Element {
  const { t } = useI18n();
  const { view } = props.env;
  let phase: string = view.kind;
  let label: string;
  let tone = 'muted';
  if (view.kind === 'status') {
    phase = view.status.phase;
    const last = view.status.events.at(-1);
    switch (view.status.phase) {
      case 'running':
        label = t('envRunning');
        tone = props.env.running ? 'ok' : 'warn';
        break;
      case 'queued':
        label = queueBadge(t, view.status.queue);
        tone = 'busy';
        break;
      case 'unavailable':
        label = t('envUnavailable');
        tone = 'warn';
        break;
      case 'booting':
        label =
          last === undefined
            ? t('envBooting')
            : `${phaseLabel(t, last.phase)}${last.total === undefined ? '' : ` ${last.done ?? 0}/${last.total}`}`;
        tone = 'busy';
        break;
      case 'failed':
        label = t('envFailed');
        tone = 'error';
        break;
      case 'broken':
        label = t('envBroken');
        tone = 'warn';
        break;
      case 'stopped':
        label = t('envStopped');
        break;
      case 'none':
        label = t('envNone');
        break;
    }
  } else if (view.kind === 'engine-down') {
    label = t('envEngineDown');
    tone = 'error';
  } else if (view.kind === 'mismatch') {
    label = t('envMismatchTitle');
    tone = 'warn';
  } else if (view.kind === 'start-failed') {
    label = t('envFailed');
    tone = 'error';
  } else label = t('envConnecting');
  return h(
    'span',
    {
      class: `env-badge tone-${tone}`,
      'data-testid': 'env-status',
      'data-phase': phase,
      title: t('envTitle'),
    },
    tone === 'busy' ? h(Spinner, { label: '' }) : h('span', { class: 'dot', 'aria-hidden': 'true' }),
    h('span', null, label),
    props.env.running ? h('span', { class: 'sr-only', 'data-testid': 'env-ready' }, 'ready') : null,
  );
}
