/**
 * Small helpers for check messages, so every check writes numbers, lists and quoted output the
 * same way: Chinese with full-width punctuation and "、" lists, English with ASCII punctuation,
 * "1, 2 and 3" lists and correct plurals.
 */
import type { Bilingual } from '../labs/model.ts';

/** Lists longer than this are cut, so a znode with hundreds of children stays one readable line. */
const LIST_MAX = 10;

/** A Chinese list: 1、2、3 (the first ten, then "等 N 个"). */
export function listZh(items: readonly (string | number)[]): string {
  const shown = items.slice(0, LIST_MAX).join('、');
  return items.length > LIST_MAX ? `${shown} 等 ${items.length} 个` : shown;
}

/** An English list: "1", "1 and 2", "1, 2 and 3" ("or" instead of "and" on request). */
export function listEn(items: readonly (string | number)[], conjunction: 'and' | 'or' = 'and'): string {
  const all = items.map(String);
  const shown = all.length > LIST_MAX ? [...all.slice(0, LIST_MAX), `${all.length - LIST_MAX} more`] : all;
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} ${conjunction} ${shown[shown.length - 1] ?? ''}`;
}

/** A count with its noun: "1 broker", "2 brokers", "0 children". */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

/** The verb that agrees with a count: "is" for 1, "are" otherwise. */
export function isAre(n: number): string {
  return n === 1 ? 'is' : 'are';
}

/** Output shortened for a message: whitespace folded to single spaces, cut at `max` with "…"; '' when empty. */
export function excerpt(text: string, max = 160): string {
  const t = text.trim().replace(/\s+/g, ' ');
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/** An excerpt of output quoted for each language (“…” and "…"), or undefined when there is nothing to quote. */
export function quoted(text: string, max = 160): Bilingual | undefined {
  const t = excerpt(text, max);
  return t === '' ? undefined : { zh: `“${t}”`, en: `"${t}"` };
}

/** An author's phrase (a label) ready to sit inside a sentence: trailing punctuation and spaces removed. */
export function clause(text: string): string {
  return text.trim().replace(/[\s.。!！?？;；,，:：]+$/u, '');
}
