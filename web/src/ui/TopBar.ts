// The header on every signed-in page: brand, page-specific middle, language switch, who is signed in.
import { h, type ComponentChildren, type JSX } from 'preact';
import type { Lang, Me } from '../../../server/http/apiTypes.ts';
import { useI18n } from '../i18n.ts';
import { Link } from '../router.ts';

/** Props of TopBar shared by every page (the middle comes as children). */
export interface TopBarProps {
  me: Me | null;
  onLang: (lang: Lang) => void;
  onSignOut?: () => void;
}

/** The zh/en switch; the choice is stored on the server (PUT /api/me). */
export function LangSwitch(props: { onLang: (lang: Lang) => void }): JSX.Element {
  const { lang, t } = useI18n();
  const option = (value: Lang, label: string): JSX.Element =>
    h(
      'button',
      {
        type: 'button',
        class: `seg${lang === value ? ' is-on' : ''}`,
        'aria-pressed': lang === value,
        lang: value === 'zh' ? 'zh-CN' : 'en',
        'data-testid': `lang-${value}`,
        onClick: () => props.onLang(value),
      },
      label,
    );
  return h(
    'div',
    {
      class: 'lang-switch',
      role: 'group',
      'aria-label': t('language'),
      'data-testid': 'lang-switch',
      'data-lang': lang,
    },
    option('zh', '中文'),
    option('en', 'EN'),
  );
}

/** The page header. */
export function TopBar(props: TopBarProps & { children?: ComponentChildren }): JSX.Element {
  const { t } = useI18n();
  return h(
    'header',
    { class: 'topbar' },
    h(
      Link,
      { href: '/', class: 'brand', label: t('appName') },
      h('span', { class: 'brand-mark', 'aria-hidden': 'true' }),
      h('span', { class: 'brand-name' }, t('appName')),
    ),
    h('div', { class: 'topbar-middle' }, props.children),
    props.me !== null && props.me.role !== 'student'
      ? h(
          Link,
          {
            href: '/teach',
            class: `btn btn-ghost btn-small nav-teach${location.pathname.startsWith('/teach') ? ' is-on' : ''}`,
            testId: 'nav-teach',
            current: location.pathname === '/teach',
          },
          t('navTeach'),
        )
      : null,
    h(LangSwitch, { onLang: props.onLang }),
    props.me === null
      ? null
      : h(
          'div',
          { class: 'who' },
          h(
            'span',
            {
              class: 'who-name',
              'data-testid': 'user-name',
              'data-role': props.me.role,
              title: props.me.displayName ?? undefined,
            },
            props.me.name,
          ),
          props.onSignOut === undefined
            ? null
            : h(
                'button',
                {
                  type: 'button',
                  class: 'btn btn-ghost btn-small',
                  'data-testid': 'sign-out',
                  onClick: props.onSignOut,
                },
                t('signOut'),
              ),
        ),
  );
}
