// The sign-in page. Accounts mode: name and password, and "join a class" with a join code.
// Open mode: a name only, with a banner saying plainly that anyone can sign in as anyone.
import { h, type ComponentChildren, type JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { AuthInfo, Lang, Me } from '../../../server/http/apiTypes.ts';
import { ApiFailure, signIn, signUp } from '../api.ts';
import { translator, useI18n } from '../i18n.ts';
import { formatDuration } from '../format.ts';
import { FailureNotice, Notice, Spinner } from './common.ts';
import { passwordProblem, secondsLeft } from './passwords.ts';
import { LangSwitch } from './TopBar.ts';

/** Props of SignIn. */
export interface SignInProps {
  auth: AuthInfo;
  onSignedIn: (me: Me) => void;
  onLang: (lang: Lang) => void;
}

/** Re-renders every second while `until` (epoch ms) is in the future; returns the seconds left. */
function useCountdown(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    setNow(Date.now());
    const timer = window.setInterval(() => {
      const t = Date.now();
      setNow(t);
      if (t >= until) window.clearInterval(timer);
    }, 1000);
    return () => window.clearInterval(timer);
  }, [until]);
  return until === null ? 0 : secondsLeft(until, now);
}

/** A failed sign-in: 429 says how long to wait, anything else shows the server's message. */
function SignInError(props: { error: unknown; waitS: number; testId: string; title: string }): JSX.Element {
  const { t, lang } = useI18n();
  const { error } = props;
  if (error instanceof ApiFailure && error.status === 429) {
    return h(
      Notice,
      { tone: 'warn', title: t('signInRateLimitedTitle'), testId: props.testId },
      h(
        'p',
        { 'data-testid': `${props.testId}-retry`, 'data-seconds': props.waitS },
        t('signInRateLimited', { time: formatDuration(props.waitS * 1000, lang) }),
      ),
      h('p', { class: 'muted small' }, error.message),
    );
  }
  return h(FailureNotice, { error, title: props.title, testId: props.testId });
}

/** A labelled input of the sign-in card. */
export function Field(props: {
  id: string;
  label: string;
  type?: 'text' | 'password';
  value: string;
  onValue: (value: string) => void;
  autocomplete?: string;
  autoFocus?: boolean;
  placeholder?: string;
  maxLength?: number;
  hint?: ComponentChildren;
}): JSX.Element {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: props.id, class: 'field-label' }, props.label),
    h('input', {
      id: props.id,
      type: props.type ?? 'text',
      value: props.value,
      required: true,
      maxLength: props.maxLength ?? 128,
      autocomplete: props.autocomplete,
      autoFocus: props.autoFocus,
      placeholder: props.placeholder,
      'aria-describedby': props.hint === undefined ? undefined : `${props.id}-hint`,
      'data-testid': props.id,
      onInput: (e: Event) => props.onValue((e.currentTarget as HTMLInputElement).value),
    }),
    props.hint === undefined
      ? null
      : h('p', { id: `${props.id}-hint`, class: 'field-hint muted' }, props.hint),
  );
}

/** The open-mode warning, in the UI language first and the other language under it. */
function OpenModeBanner(): JSX.Element {
  const { lang, t } = useI18n();
  const other = translator(lang === 'zh' ? 'en' : 'zh');
  return h(
    'div',
    { class: 'signin-open-banner', role: 'note', 'data-testid': 'signin-open-mode' },
    h('strong', null, t('signInOpenModeTitle')),
    h('p', null, t('signInOpenMode')),
    h(
      'p',
      { class: 'other-lang', lang: lang === 'zh' ? 'en' : 'zh-CN' },
      other('signInOpenModeTitle'),
      ' ',
      other('signInOpenMode'),
    ),
  );
}

function SignInForm(props: { auth: AuthInfo; onSignedIn: (me: Me) => void }): JSX.Element {
  const { t } = useI18n();
  const open = props.auth.mode === 'open';
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  // Open mode asks for a password only for accounts that have one (the server says so with a 401).
  const [showPassword, setShowPassword] = useState(!open);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [retryUntil, setRetryUntil] = useState<number | null>(null);
  const waitS = useCountdown(retryUntil);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const trimmed = name.trim();
    if (trimmed === '' || waitS > 0) return;
    setBusy(true);
    setError(null);
    try {
      props.onSignedIn(await signIn(trimmed, showPassword && password !== '' ? password : undefined));
    } catch (err) {
      setError(err);
      if (err instanceof ApiFailure && err.status === 429)
        setRetryUntil(Date.now() + (err.retryAfterS ?? 60) * 1000);
      if (err instanceof ApiFailure && err.status === 401) setShowPassword(true);
      setBusy(false);
    }
  };

  return h(
    'form',
    { class: 'signin-form', 'data-testid': 'signin-form', onSubmit: (e: Event) => void submit(e) },
    h(Field, {
      id: 'signin-name',
      label: t('signInName'),
      value: name,
      onValue: setName,
      maxLength: 64,
      autocomplete: 'username',
      autoFocus: true,
      placeholder: t('signInNamePlaceholder'),
    }),
    showPassword
      ? h(Field, {
          id: 'signin-password',
          label: t('password'),
          type: 'password',
          value: password,
          onValue: setPassword,
          autocomplete: 'current-password',
          hint: open ? t('signInPasswordIfAny') : undefined,
        })
      : h(
          'button',
          {
            type: 'button',
            class: 'btn btn-ghost btn-small signin-has-password',
            'data-testid': 'signin-has-password',
            onClick: () => setShowPassword(true),
          },
          t('signInHasPassword'),
        ),
    h(
      'button',
      {
        type: 'submit',
        class: 'btn btn-primary btn-block',
        disabled: busy || name.trim() === '' || (!open && password === '') || waitS > 0,
        'data-testid': 'signin-submit',
      },
      busy ? h(Spinner, { label: t('loading') }) : t(open ? 'signInButton' : 'signInWithPassword'),
    ),
    error === null
      ? null
      : h(SignInError, { error, waitS, testId: 'signin-error', title: t('signInFailed') }),
  );
}

function JoinForm(props: { auth: AuthInfo; code: string; onSignedIn: (me: Me) => void }): JSX.Element {
  const { t } = useI18n();
  const [code, setCode] = useState(props.code);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [retryUntil, setRetryUntil] = useState<number | null>(null);
  const waitS = useCountdown(retryUntil);
  const min = props.auth.minPasswordLength;

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const bad = passwordProblem(password, again, min);
    setProblem(bad === null ? null : t(bad, { n: min }));
    if (bad !== null || waitS > 0) return;
    setBusy(true);
    setError(null);
    try {
      props.onSignedIn(await signUp({ joinCode: code.trim(), name: name.trim(), password }));
    } catch (err) {
      setError(err);
      if (err instanceof ApiFailure && err.status === 429)
        setRetryUntil(Date.now() + (err.retryAfterS ?? 60) * 1000);
      setBusy(false);
    }
  };

  return h(
    'form',
    { class: 'signin-form', 'data-testid': 'signup-form', onSubmit: (e: Event) => void submit(e) },
    h('p', { class: 'muted small' }, t('joinLead')),
    h(Field, {
      id: 'signup-code',
      label: t('joinCode'),
      value: code,
      onValue: setCode,
      maxLength: 32,
      autocomplete: 'off',
      autoFocus: props.code === '',
    }),
    h(Field, {
      id: 'signup-name',
      label: t('signInName'),
      value: name,
      onValue: setName,
      maxLength: 64,
      autocomplete: 'username',
      autoFocus: props.code !== '',
      placeholder: t('signInNamePlaceholder'),
    }),
    h(Field, {
      id: 'signup-password',
      label: t('password'),
      type: 'password',
      value: password,
      onValue: setPassword,
      autocomplete: 'new-password',
      hint: t('passwordRule', { n: min }),
    }),
    h(Field, {
      id: 'signup-password2',
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
        disabled: busy || code.trim() === '' || name.trim() === '' || password === '' || waitS > 0,
        'data-testid': 'signup-submit',
      },
      busy ? h(Spinner, { label: t('loading') }) : t('joinButton'),
    ),
    problem === null
      ? null
      : h('p', { class: 'form-problem', role: 'alert', 'data-testid': 'signup-problem' }, problem),
    error === null ? null : h(SignInError, { error, waitS, testId: 'signup-error', title: t('joinFailed') }),
  );
}

/** The join code a shared link carries (`/?join=CODE`), or ''. */
function joinCodeFromUrl(): string {
  return new URLSearchParams(location.search).get('join') ?? '';
}

/** The sign-in page for both modes. */
export function SignIn(props: SignInProps): JSX.Element {
  const { t } = useI18n();
  const { auth } = props;
  const [urlCode] = useState(joinCodeFromUrl);
  const [tab, setTab] = useState<'signin' | 'join'>(
    urlCode !== '' && auth.mode === 'accounts' ? 'join' : 'signin',
  );
  const tabButton = (value: 'signin' | 'join', label: string): JSX.Element =>
    h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: `signin-tab-${value}`,
        class: `signin-tab${tab === value ? ' is-on' : ''}`,
        'aria-selected': tab === value,
        'aria-controls': 'signin-panel',
        'data-testid': `signin-tab-${value}`,
        onClick: () => setTab(value),
      },
      label,
    );

  return h(
    'div',
    { class: 'signin-page', 'data-testid': 'signin-page', 'data-mode': auth.mode },
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
      auth.mode === 'open' ? h(OpenModeBanner, {}) : null,
      // Only accounts mode has admins to set up; an open classroom need not hear about it.
      auth.setupRequired && auth.mode === 'accounts'
        ? h(
            Notice,
            { tone: 'info', title: t('setupPendingTitle'), testId: 'signin-setup-required' },
            h('p', null, t('setupPending')),
          )
        : null,
      auth.mode === 'accounts'
        ? h(
            'div',
            { class: 'signin-tabs', role: 'tablist', 'aria-label': t('signInTitle') },
            tabButton('signin', t('signInTitle')),
            tabButton('join', t('joinTitle')),
          )
        : null,
      h(
        'div',
        {
          id: 'signin-panel',
          role: auth.mode === 'accounts' ? 'tabpanel' : undefined,
          'aria-labelledby': auth.mode === 'accounts' ? `signin-tab-${tab}` : undefined,
        },
        auth.mode === 'accounts' && tab === 'join'
          ? h(JoinForm, { auth, code: urlCode, onSignedIn: props.onSignedIn })
          : h(SignInForm, { auth, onSignedIn: props.onSignedIn }),
      ),
    ),
  );
}
