// The pages of the one-time links: /setup?token= (the first admin) and /set-password?token=.
import { h, type ComponentChildren, type JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { Lang, Me } from '../../../server/http/apiTypes.ts';
import { setPassword, setup } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { FailureNotice, Notice, Spinner } from './common.ts';
import { passwordProblem } from './passwords.ts';
import { Field } from './SignIn.ts';
import { LangSwitch } from './TopBar.ts';

/** Props of the one-time link pages. */
export interface OneTimePageProps {
  token: string;
  minPasswordLength: number;
  onSignedIn: (me: Me) => void;
  onLang: (lang: Lang) => void;
}

function Card(props: {
  testId: string;
  title: string;
  lead: string;
  onLang: (lang: Lang) => void;
  children?: ComponentChildren;
}): JSX.Element {
  const { t } = useI18n();
  return h(
    'div',
    { class: 'signin-page', 'data-testid': props.testId },
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
      h('h2', { class: 'signin-subtitle' }, props.title),
      h('p', { class: 'signin-lead' }, props.lead),
      props.children,
    ),
  );
}

/** The form both pages share: an optional name, the password twice, and the server's answer. */
function PasswordForm(props: {
  prefix: string;
  withName: boolean;
  token: string;
  minPasswordLength: number;
  submitLabel: string;
  send: (name: string, password: string) => Promise<Me>;
  onSignedIn: (me: Me) => void;
}): JSX.Element {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [password, setPw] = useState('');
  const [again, setAgain] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const min = props.minPasswordLength;
  const { prefix } = props;

  if (props.token === '') {
    return h(
      Notice,
      { tone: 'error', title: t('linkNoToken'), testId: `${prefix}-error` },
      h('p', null, t('linkNoTokenLead')),
    );
  }

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const bad = passwordProblem(password, again, min);
    setProblem(bad === null ? null : t(bad, { n: min }));
    if (bad !== null) return;
    setBusy(true);
    setError(null);
    try {
      props.onSignedIn(await props.send(name.trim(), password));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return h(
    'form',
    { class: 'signin-form', onSubmit: (e: Event) => void submit(e) },
    props.withName
      ? h(Field, {
          id: `${prefix}-name`,
          label: t('accountName'),
          value: name,
          onValue: setName,
          maxLength: 64,
          autocomplete: 'username',
          autoFocus: true,
        })
      : null,
    h(Field, {
      id: `${prefix}-password`,
      label: t('newPassword'),
      type: 'password',
      value: password,
      onValue: setPw,
      autocomplete: 'new-password',
      autoFocus: !props.withName,
      hint: t('passwordRule', { n: min }),
    }),
    h(Field, {
      id: `${prefix}-password2`,
      label: t('passwordAgain'),
      type: 'password',
      value: again,
      onValue: setAgain,
      autocomplete: 'new-password',
    }),
    h(
      'button',
      {
        type: 'submit',
        class: 'btn btn-primary btn-block',
        disabled: busy || password === '' || (props.withName && name.trim() === ''),
        'data-testid': `${prefix}-submit`,
      },
      busy ? h(Spinner, { label: t('loading') }) : props.submitLabel,
    ),
    problem === null
      ? null
      : h('p', { class: 'form-problem', role: 'alert', 'data-testid': `${prefix}-problem` }, problem),
    error === null ? null : h(FailureNotice, { error, title: t('linkFailed'), testId: `${prefix}-error` }),
  );
}

/** /setup?token=: creates the first admin and signs them in. */
export function SetupPage(props: OneTimePageProps): JSX.Element {
  const { t } = useI18n();
  return h(
    Card,
    { testId: 'setup-page', title: t('setupTitle'), lead: t('setupLead'), onLang: props.onLang },
    h(PasswordForm, {
      prefix: 'setup',
      withName: true,
      token: props.token,
      minPasswordLength: props.minPasswordLength,
      submitLabel: t('setupButton'),
      send: (name, password) => setup({ token: props.token, name, password }),
      onSignedIn: props.onSignedIn,
    }),
  );
}

/** /set-password?token=: sets the password of the account the link was made for and signs it in. */
export function SetPasswordPage(props: OneTimePageProps): JSX.Element {
  const { t } = useI18n();
  return h(
    Card,
    { testId: 'setpw-page', title: t('setPasswordTitle'), lead: t('setPasswordLead'), onLang: props.onLang },
    h(PasswordForm, {
      prefix: 'setpw',
      withName: false,
      token: props.token,
      minPasswordLength: props.minPasswordLength,
      submitLabel: t('setPasswordButton'),
      send: (_name, password) => setPassword({ token: props.token, password }),
      onSignedIn: props.onSignedIn,
    }),
  );
}
