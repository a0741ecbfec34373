// The app shell: who is signed in, how sign-in works here, the UI language, and which page to show.
import { h, type ComponentChildren, type JSX } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { AuthInfo, Lang, Me } from '../../../server/http/apiTypes.ts';
import { getAuth, getMe, onUnauthorized, setLang as saveLang, signOut } from '../api.ts';
import { I18nContext, initialLang, rememberLang, translator, useI18n } from '../i18n.ts';
import { isTeachRoute, Link, navigate, useRoute, type Route, type TeachRoute } from '../router.ts';
import type * as TeachAppModule from '../teach/TeachApp.ts';
import { FailureNotice, Loading } from './common.ts';
import { LabPage } from './LabPage.ts';
import { Outline } from './Outline.ts';
import { SetPasswordPage, SetupPage } from './Setup.ts';
import { SignIn } from './SignIn.ts';
import { TopBar, type TopBarProps } from './TopBar.ts';

/** What GET /api/auth says when it cannot be asked (an older server): the open classroom. */
const FALLBACK_AUTH: AuthInfo = { mode: 'open', setupRequired: false, minPasswordLength: 8 };

type TeachModule = typeof TeachAppModule;
let teachModule: Promise<TeachModule> | null = null;

/** Loads the dashboard once per page, on the first visit of a /teach page (students never do). */
function loadTeach(): Promise<TeachModule> {
  teachModule ??= import('../teach/TeachApp.ts');
  return teachModule;
}

/** Where someone lands after signing in from `/`: instructors and admins on their dashboard. */
export function landingPath(me: Me): string {
  return me.role === 'student' ? '/' : '/teach';
}

function PlainPage(props: { bar: TopBarProps; children?: ComponentChildren }): JSX.Element {
  return h('div', { class: 'page' }, h(TopBar, props.bar), h('main', { class: 'page-main' }, props.children));
}

/** 403: a student (or anyone without the role) on a dashboard page. */
export function Forbidden(props: { bar: TopBarProps }): JSX.Element {
  const { t } = useI18n();
  return h(
    PlainPage,
    { bar: props.bar },
    h(
      'section',
      { class: 'forbidden', 'data-testid': 'forbidden' },
      h('h1', null, '403'),
      h('p', null, t('forbiddenLead')),
      h(Link, { href: '/', class: 'btn' }, t('backToOutline')),
    ),
  );
}

/** The dashboard chunk, loaded on first use. */
function TeachLoader(props: { route: TeachRoute; bar: TopBarProps & { me: Me } }): JSX.Element {
  const [mod, setMod] = useState<TeachModule | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    loadTeach()
      .then((m) => live && setMod(m))
      .catch((err: unknown) => live && setError(err));
    return () => {
      live = false;
    };
  }, []);
  if (mod === null)
    return h(PlainPage, { bar: props.bar }, error === null ? h(Loading, {}) : h(FailureNotice, { error }));
  return h(mod.TeachApp, { route: props.route, bar: props.bar });
}

/** The root component. */
export function App(): JSX.Element {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [auth, setAuth] = useState<AuthInfo | null>(null);
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [error, setError] = useState<unknown>(null);
  const route = useRoute();
  // Whether the language was chosen on the sign-in page (then it beats the one stored on the server).
  const pickedBeforeSignIn = useRef(false);

  useEffect(() => {
    getMe()
      .then((m) => {
        setMe(m);
        if (m !== null) setLangState(m.lang);
      })
      .catch((err: unknown) => setError(err));
    getAuth()
      .then(setAuth)
      .catch(() => setAuth(FALLBACK_AUTH));
    const sub = onUnauthorized(() => setMe(null));
    return () => sub.dispose();
  }, []);

  useEffect(() => {
    rememberLang(lang);
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);

  const i18n = useMemo(() => ({ lang, t: translator(lang) }), [lang]);

  const onLang = useCallback(
    (next: Lang) => {
      setLangState(next);
      if (me !== null && me !== undefined) {
        saveLang(next)
          .then((m) => setMe(m))
          .catch((err: unknown) => console.error('saving the language failed', err));
      }
    },
    [me],
  );

  const onSignOut = useCallback(() => {
    signOut()
      .catch((err: unknown) => console.error('sign-out failed', err))
      .finally(() => {
        setMe(null);
        navigate('/');
      });
  }, []);

  const onSignedIn = (m: Me, after: 'stay' | 'land'): void => {
    setMe(m);
    if (!pickedBeforeSignIn.current) setLangState(m.lang);
    else if (m.lang !== lang) onLangAfterSignIn(lang, setMe);
    // A deep link (/teach/classes/3) stays where it was; `/` and the one-time links lead on.
    if (after === 'land' || location.pathname === '/') navigate(landingPath(m));
  };
  const onLangSignedOut = (next: Lang): void => {
    pickedBeforeSignIn.current = true;
    onLang(next);
  };

  return h(I18nContext.Provider, { value: i18n }, page());

  function page(): JSX.Element {
    if (route.name === 'setup' || route.name === 'setPassword') {
      const props = {
        token: route.token,
        minPasswordLength: (auth ?? FALLBACK_AUTH).minPasswordLength,
        onSignedIn: (m: Me) => onSignedIn(m, 'land'),
        onLang: onLangSignedOut,
      };
      return route.name === 'setup' ? h(SetupPage, props) : h(SetPasswordPage, props);
    }
    if (me === undefined || (me === null && auth === null))
      return h('main', { class: 'page-main' }, error === null ? h(Loading, {}) : h(FailureNotice, { error }));
    if (me === null)
      return h(SignIn, {
        auth: auth ?? FALLBACK_AUTH,
        onSignedIn: (m) => onSignedIn(m, 'stay'),
        onLang: onLangSignedOut,
      });
    return signedIn(me, route);
  }

  function signedIn(m: Me, r: Route): JSX.Element {
    const bar = { me: m, onLang, onSignOut };
    if (r.name === 'outline') return h(Outline, { bar });
    if (r.name === 'lab') return h(LabPage, { key: r.labId, labId: r.labId, bar });
    if (isTeachRoute(r)) {
      if (m.role === 'student' || (r.name === 'teachUsers' && m.role !== 'admin'))
        return h(Forbidden, { bar });
      return h(TeachLoader, { route: r, bar });
    }
    return h(
      PlainPage,
      { bar },
      h('p', null, `404 — ${r.name === 'notFound' ? r.path : location.pathname}`),
      h(Link, { href: '/' }, i18n.t('backToOutline')),
    );
  }
}

function onLangAfterSignIn(lang: Lang, setMe: (me: Me) => void): void {
  saveLang(lang)
    .then(setMe)
    .catch((err: unknown) => console.error('saving the language failed', err));
}
