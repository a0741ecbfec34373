// The frame of every dashboard page: the top bar with the dashboard's own links, and failures.
import { h, type ComponentChildren, type JSX } from 'preact';
import type { Me } from '../../../server/http/apiTypes.ts';
import { ApiFailure } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { Link, paths } from '../router.ts';
import { FailureNotice, Loading } from '../ui/common.ts';
import { TopBar, type TopBarProps } from '../ui/TopBar.ts';

/** The top bar's props on dashboard pages (always signed in). */
export type TeachBar = TopBarProps & { me: Me };

/** Which dashboard section a page belongs to (its link is marked current). */
export type TeachSection = 'classes' | 'labs' | 'users';

/** Props of TeachLayout. */
export interface TeachLayoutProps {
  bar: TeachBar;
  section: TeachSection;
  testId: string;
  /** A wide page (the gradebook) uses the whole window width. */
  wide?: boolean;
  children?: ComponentChildren;
}

/** Top bar with Classes / Labs / Users, then the page. */
export function TeachLayout(props: TeachLayoutProps): JSX.Element {
  const { t } = useI18n();
  const link = (section: TeachSection, href: string, label: string): JSX.Element =>
    h(
      Link,
      {
        href,
        class: `teach-nav-link${props.section === section ? ' is-on' : ''}`,
        testId: `teach-nav-${section}`,
        current: props.section === section,
      },
      label,
    );
  return h(
    'div',
    { class: 'page' },
    h(
      TopBar,
      props.bar,
      h(
        'nav',
        { class: 'teach-nav', 'aria-label': t('teachNav') },
        link('classes', paths.teach(), t('teachClasses')),
        link('labs', paths.teachLabs(), t('teachLabs')),
        props.bar.me.role === 'admin' ? link('users', paths.teachUsers(), t('teachUsers')) : null,
      ),
    ),
    h(
      'main',
      { class: `page-main teach-main${props.wide === true ? ' is-wide' : ''}`, 'data-testid': props.testId },
      props.children,
    ),
  );
}

/** A failed dashboard request: 403 as the forbidden page, anything else as a notice. */
export function TeachFailure(props: { error: unknown }): JSX.Element {
  const { t } = useI18n();
  if (props.error instanceof ApiFailure && props.error.status === 403) {
    return h(
      'section',
      { class: 'forbidden', 'data-testid': 'forbidden' },
      h('h1', null, '403'),
      h('p', null, t('forbiddenLead')),
      h('p', { class: 'muted' }, props.error.message),
      h(Link, { href: '/', class: 'btn' }, t('backToOutline')),
    );
  }
  if (props.error instanceof ApiFailure && props.error.status === 404) {
    return h(FailureNotice, { error: props.error, title: t('notFound'), testId: 'not-found' });
  }
  return h(FailureNotice, { error: props.error });
}

/** Loading, or the failure when loading failed. */
export function Pending(props: { error: unknown }): JSX.Element {
  return props.error === null ? h(Loading, {}) : h(TeachFailure, { error: props.error });
}
