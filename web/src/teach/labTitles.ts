import { useEffect, useState } from 'preact/hooks';
import type { Outline } from '../../../server/http/apiTypes.ts';
import { getOutline } from '../api.ts';
import { useI18n } from '../i18n.ts';

let outline: Promise<Outline> | null = null;

/** The course outline, fetched once per page load (lab titles and order change only on a reload). */
export function loadOutline(): Promise<Outline> {
  outline ??= getOutline().catch((err: unknown) => {
    outline = null;
    throw err;
  });
  return outline;
}

/** Lab titles by id in the UI language (empty until the outline arrives; ids stand in meanwhile). */
export function useLabTitles(): Map<string, string> {
  const { lang } = useI18n();
  const [data, setData] = useState<Outline | null>(null);
  useEffect(() => {
    let live = true;
    loadOutline()
      .then((o) => live && setData(o))
      .catch((err: unknown) => console.error('loading the outline failed', err));
    return () => {
      live = false;
    };
  }, []);
  return new Map((data?.labs ?? []).map((l) => [l.id, l.title[lang]]));
}
