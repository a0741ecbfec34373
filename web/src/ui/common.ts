// Small pieces shared by the pages.
import { h, type ComponentChildren, type JSX } from 'preact';
import { ApiFailure } from '../api.ts';
import { useI18n } from '../i18n.ts';

/** Props of Notice. */
export interface NoticeProps {
  tone: 'info' | 'warn' | 'error' | 'ok';
  title?: string;
  testId?: string;
  /** Long diagnostics, collapsed by default. */
  details?: string | undefined;
  children?: ComponentChildren;
}

/** A boxed message with optional collapsible details. */
export function Notice(props: NoticeProps): JSX.Element {
  const { t } = useI18n();
  return h(
    'div',
    {
      class: `notice notice-${props.tone}`,
      role: props.tone === 'error' ? 'alert' : 'status',
      'data-testid': props.testId,
    },
    props.title === undefined ? null : h('strong', { class: 'notice-title' }, props.title),
    props.children,
    props.details === undefined || props.details === ''
      ? null
      : h(
          'details',
          { class: 'notice-details' },
          h('summary', null, t('envDetails')),
          h('pre', null, props.details),
        ),
  );
}

/** Shows what went wrong with an API call. */
export function FailureNotice(props: { error: unknown; title?: string; testId?: string }): JSX.Element {
  const err = props.error;
  const message = err instanceof Error ? err.message : String(err);
  const details = err instanceof ApiFailure ? err.details : undefined;
  return h(
    Notice,
    { tone: 'error', title: props.title, testId: props.testId, details },
    h('p', null, message),
  );
}

/** A small spinning indicator with a label for screen readers. */
export function Spinner(props: { label: string }): JSX.Element {
  return h('span', { class: 'spinner', role: 'status', 'aria-label': props.label });
}

/** Centered loading state for a page or pane. */
export function Loading(_props: object): JSX.Element {
  const { t } = useI18n();
  return h('div', { class: 'loading' }, h(Spinner, { label: t('loading') }), h('span', null, t('loading')));
}
