// The sign-in page: a name only (open-classroom mode), said plainly on the page.
import { h, type JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { Lang, Me } from '../../../server/http/apiTypes.ts';
import { signIn } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { FailureNotice, Spinner } from './common.ts';
import { LangSwitch } from './TopBar.ts';

/** Props of SignIn. */
export interface SignInProps {
  onSignedIn: (me: Me) => void;
  onLang: (lang: Lang) => void;
}

/** Asks for a name and POSTs /api/session. */
export function SignIn(props: SignInProps): JSX.Element {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const trimmed = name.trim();
    if (trimmed === '') return;
    setBusy(true);
    setError(null);
    try {
      props.onSignedIn(await signIn(trimmed));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return h(
    'div',
    { class: 'signin-page', 'data-testid': 'signin-page' },
    h('div', { class: 'signin-lang' }, h(LangSwitch, { onLang: props.onLang })),
    h(
      'main',
      { class: 'signin-card' },
      h(
        'div',
        { class: 'signin-brand' },
        h('span', { class: 'brand-mark big', 'aria-hidden': 'true' }),
        h('h1', null, t('appName')),
      ),
      h('p', { class: 'signin-lead' }, t('signInLead')),
      h(
        'form',
        { class: 'signin-form', onSubmit: (e: Event) => void submit(e) },
        h('label', { for: 'signin-name', class: 'field-label' }, t('signInName')),
        h('input', {
          id: 'signin-name',
          type: 'text',
          value: name,
          required: true,
          maxLength: 64,
          autocomplete: 'username',
          autoFocus: true,
          placeholder: t('signInNamePlaceholder'),
          'data-testid': 'signin-name',
          onInput: (e: Event) => setName((e.currentTarget as HTMLInputElement).value),
        }),
        h(
          'button',
          {
            type: 'submit',
            class: 'btn btn-primary btn-block',
            disabled: busy || name.trim() === '',
            'data-testid': 'signin-submit',
          },
          busy ? h(Spinner, { label: t('loading') }) : t('signInButton'),
        ),
      ),
      h('p', { class: 'signin-note', 'data-testid': 'signin-open-mode' }, t('signInOpenMode')),
      error === null ? null : h(FailureNotice, { error, title: t('signInFailed') }),
    ),
  );
}
