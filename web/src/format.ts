// Times and dates as the dashboard shows them.
import type { Lang } from '../../server/http/apiTypes.ts';

const UNITS: Record<Lang, { d: string; h: string; min: string; s: string; sep: string }> = {
  en: { d: 'd', h: 'h', min: 'min', s: 's', sep: ' ' },
  zh: { d: '天', h: '小时', min: '分', s: '秒', sep: '' },
};

/**
 * A duration in its two largest units: `45 s`, `3 min 20 s`, `1 h 5 min`, `2 d 3 h` (zh: `3分20秒`).
 * Negative or non-finite values are shown as a dash.
 */
export function formatDuration(ms: number, lang: Lang): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const u = UNITS[lang];
  const part = (n: number, unit: string): string => `${n}${u.sep}${unit}`;
  const join = (a: string, b: string | null): string =>
    b === null ? a : `${a}${lang === 'en' ? ' ' : ''}${b}`;
  const totalS = Math.round(ms / 1000);
  if (totalS < 60) return part(totalS, u.s);
  const totalMin = Math.floor(totalS / 60);
  if (totalMin < 60) {
    const s = totalS % 60;
    return join(part(totalMin, u.min), s === 0 ? null : part(s, u.s));
  }
  const totalH = Math.floor(totalMin / 60);
  if (totalH < 24) {
    const min = totalMin % 60;
    return join(part(totalH, u.h), min === 0 ? null : part(min, u.min));
  }
  const d = Math.floor(totalH / 24);
  const h = totalH % 24;
  return join(part(d, u.d), h === 0 ? null : part(h, u.h));
}

/** A date and time in the UI language and the browser's time zone. */
export function formatDateTime(iso: string, lang: Lang): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en', { dateStyle: 'medium', timeStyle: 'short' });
}

/** A date in the UI language. */
export function formatDate(iso: string, lang: Lang): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleDateString(lang === 'zh' ? 'zh-CN' : 'en', { dateStyle: 'medium' });
}

/** A due date from an `<input type="date">` (YYYY-MM-DD): the end of that day, local time, as ISO. */
export function dueToIso(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (m === null) return null;
  const date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The local YYYY-MM-DD of an ISO time (for an `<input type="date">`), or '' when unreadable. */
export function isoToDateInput(iso: string | null): string {
  if (iso === null) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
