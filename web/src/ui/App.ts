// The app shell: who is signed in, the UI language, and which page to show.
import { h, type JSX } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Lang, Me } from '../../../server/http/apiTypes.ts';
import { getMe, onUnauthorized, setLang as saveLang, signOut } from '../api.ts';
import { I18nContext, initialLang, rememberLang, translator } from '../i18n.ts';
import { Link, navigate, useRoute } from '../router.ts';
import { FailureNotice, Loading } from './common.ts';
import { LabPage } from './LabPage.ts';
import { Outline } from './Outline.ts';
import { SignIn } from './SignIn.ts';
import { TopBar } from './TopBar.ts';

/** The root component. */
export function App(): JSX.Element {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
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

  let page: JSX.Element;
  if (me === undefined)
    page = h('main', { class: 'page-main' }, error === null ? h(Loading, {}) : h(FailureNotice, { error }));
  else if (me === null) {
    page = h(SignIn, {
      onSignedIn: (m) => {
        setMe(m);
        if (!pickedBeforeSignIn.current) setLangState(m.lang);
        else if (m.lang !== lang) onLangAfterSignIn(lang, setMe);
      },
      onLang: (next) => {
        pickedBeforeSignIn.current = true;
        onLang(next);
      },
    });
  } else {
    const bar = { me, onLang, onSignOut };
    if (route.name === 'outline') page = h(Outline, { bar });
    else if (route.name === 'lab') page = h(LabPage, { key: route.labId, labId: route.labId, bar });
    else {
      page = h(
        'div',
        { class: 'page' },
        h(TopBar, bar),
        h(
          'main',
          { class: 'page-main' },
          h('p', null, `404 — ${route.path}`),
          h(Link, { href: '/' }, i18n.t('backToOutline')),
        ),
      );
    }
  }
  return h(I18nContext.Provider, { value: i18n }, page);
}

function onLangAfterSignIn(lang: Lang, setMe: (me: Me) => void): void {
  saveLang(lang)
    .then(setMe)
    .catch((err: unknown) => console.error('saving the language failed', err));
}
