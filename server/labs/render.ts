import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import type { Block, ExerciseView, LabSummary, LabView } from '../http/apiTypes.ts';
import type { ExerciseProgress } from '../store/Store.ts';
import type { Exercise, Lab, Lang, Segment } from './model.ts';

/** Raw HTML in lab Markdown is not rendered: authors write Markdown, browsers get sanitized HTML. */
const md = new MarkdownIt({ html: false, linkify: true, typographer: false });

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    ...[
      'p',
      'br',
      'hr',
      'h1',
      'h2',
      'h3',
      'h4',
      'h5',
      'h6',
      'blockquote',
      'ul',
      'ol',
      'li',
      'strong',
      'em',
      's',
      'del',
    ],
    ...['code', 'pre', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'img', 'kbd', 'sup', 'sub'],
  ],
  allowedAttributes: {
    a: ['href', 'title', 'target', 'rel'],
    img: ['src', 'alt', 'title'],
    code: ['class'],
    th: ['style'],
    td: ['style'],
  },
  allowedClasses: { code: [/^language-[\w-]+$/] },
  allowedStyles: { '*': { 'text-align': [/^(left|right|center)$/] } },
  allowedSchemes: ['http', 'https', 'mailto'],
  transformTags: {
    // Links leave the lab page: open them elsewhere and do not leak the page.
    a: sanitizeHtml.simpleTransform('a', { target: '_blank', rel: 'noopener noreferrer' }),
  },
};

/** Markdown to sanitized HTML. */
export function renderMarkdown(markdown: string): string {
  return sanitizeHtml(md.render(markdown), SANITIZE);
}

/** A lab for one language and one student: HTML blocks and exercise views, nothing secret. */
export function renderLab(
  lab: Lab,
  lang: Lang,
  progress: readonly ExerciseProgress[],
  position: number | null,
): LabView {
  const byId = new Map(lab.exercises.map((e) => [e.id, e]));
  const blocks = (segments: readonly Segment[]): Block[] => {
    const out: Block[] = [];
    let pending: string[] = [];
    const flush = (): void => {
      if (pending.length > 0) out.push({ kind: 'html', html: renderMarkdown(pending.join('\n\n')) });
      pending = [];
    };
    for (const s of segments) {
      if (s.kind === 'markdown') {
        if (s.lang === 'both' || s.lang === lang) pending.push(s.markdown);
        continue;
      }
      flush();
      const exercise = byId.get(s.id);
      if (exercise)
        out.push({
          kind: 'exercise',
          exercise: exerciseView(
            exercise,
            lang,
            progress.find((p) => p.exerciseId === s.id),
          ),
        });
    }
    flush();
    return out;
  };
  return {
    id: lab.id,
    lang,
    title: lab.title[lang],
    summary: lab.summary[lang],
    environment: lab.environment,
    minutes: lab.minutes,
    intro: blocks(lab.intro),
    steps: lab.steps.map((s) => ({ index: s.index, title: s.title[lang], blocks: blocks(s.segments) })),
    position,
  };
}

/** What the browser may know about an exercise: no answer key, no check parameters. */
export function exerciseView(e: Exercise, lang: Lang, p: ExerciseProgress | undefined): ExerciseView {
  const base = {
    id: e.id,
    points: e.points,
    status:
      p === undefined || p.attempts === 0
        ? ('todo' as const)
        : p.passed
          ? ('passed' as const)
          : ('failed' as const),
    attempts: p?.attempts ?? 0,
    hints: (p?.hintsShown ?? []).flatMap((i) => {
      const h = e.hints[i];
      return h ? [h[lang]] : [];
    }),
    hintCount: e.hints.length,
    lastMessage: p?.lastMessage ?? null,
  };
  return e.kind === 'check'
    ? { ...base, kind: 'check', title: e.title[lang], type: e.type }
    : {
        ...base,
        kind: 'quiz',
        question: e.question[lang],
        choices: e.choices.map((c) => c[lang]),
        multiple: e.multiple,
      };
}

/** A lab's line in the outline. */
export function summarizeLab(
  lab: Lab,
  progress: readonly ExerciseProgress[],
  position: number | null,
): LabSummary {
  const passed = lab.exercises.filter((e) => progress.some((p) => p.exerciseId === e.id && p.passed));
  return {
    id: lab.id,
    title: lab.title,
    summary: lab.summary,
    environment: lab.environment,
    minutes: lab.minutes,
    requires: [...lab.requires],
    exercises: lab.exercises.length,
    passed: passed.length,
    points: lab.exercises.reduce((n, e) => n + e.points, 0),
    earned: passed.reduce((n, e) => n + e.points, 0),
    position,
  };
}
