// Turns a lab.md into the LabView shape for the fake server (a rough stand-in for the server's renderer).
import MarkdownIt from 'markdown-it';
import { parse as parseYaml } from 'yaml';
import type { Bilingual, Lang } from '../../server/http/apiTypes.ts';

/** An exercise as authored (with its answer key, which never leaves the fake server). */
export interface FakeExercise {
  id: string;
  kind: 'check' | 'quiz';
  title: Bilingual;
  type: string;
  points: number;
  hints: Bilingual[];
  choices: Bilingual[];
  answer: number[];
  explanation: Bilingual | null;
  /** Check parameters (node, path, ...). */
  params: Record<string, unknown>;
}

/** A piece of a step before rendering. */
export type FakePiece =
  { kind: 'markdown'; zh: string; en: string } | { kind: 'exercise'; exercise: FakeExercise };

/** A parsed lab. */
export interface FakeLab {
  id: string;
  title: Bilingual;
  summary: Bilingual;
  environment: 'install' | 'ready';
  minutes: number;
  requires: string[];
  steps: { title: Bilingual; pieces: FakePiece[] }[];
}

const md = new MarkdownIt({ html: false, linkify: true });

/** Renders markdown like the server does (code blocks as <pre><code class="language-x">). */
export function renderMarkdown(text: string): string {
  return md.render(text);
}

function bilingual(value: unknown): Bilingual {
  if (typeof value === 'string') return { zh: value, en: value };
  const v = value as Partial<Bilingual> | undefined;
  return { zh: v?.zh ?? v?.en ?? '', en: v?.en ?? v?.zh ?? '' };
}

function toExercise(kind: 'check' | 'quiz', yamlText: string): FakeExercise {
  const y = parseYaml(yamlText) as Record<string, unknown>;
  const answer = y.answer;
  return {
    id: String(y.id),
    kind,
    title: bilingual(kind === 'quiz' ? y.question : y.title),
    type: kind === 'quiz' ? 'quiz' : String(y.type),
    points: typeof y.points === 'number' ? y.points : 5,
    hints: Array.isArray(y.hints) ? y.hints.map(bilingual) : [],
    choices: Array.isArray(y.choices) ? y.choices.map(bilingual) : [],
    answer: Array.isArray(answer) ? answer.map(Number) : answer === undefined ? [] : [Number(answer)],
    explanation: y.explanation === undefined ? null : bilingual(y.explanation),
    params: y,
  };
}

/** Splits one step's body into markdown (per language) and exercises. */
function pieces(lines: string[]): FakePiece[] {
  const out: FakePiece[] = [];
  let zh: string[] = [];
  let en: string[] = [];
  let only: Lang | null = null;
  let fence: string | null = null;
  let exercise: { kind: 'check' | 'quiz'; lines: string[] } | null = null;
  const flush = (): void => {
    if (zh.join('').trim() !== '' || en.join('').trim() !== '')
      out.push({ kind: 'markdown', zh: zh.join('\n'), en: en.join('\n') });
    zh = [];
    en = [];
  };
  for (const line of lines) {
    if (exercise !== null) {
      if (line.trim() === '```') {
        flush();
        out.push({ kind: 'exercise', exercise: toExercise(exercise.kind, exercise.lines.join('\n')) });
        exercise = null;
      } else exercise.lines.push(line);
      continue;
    }
    if (fence === null) {
      const ex = /^```(check|quiz)\s*$/.exec(line);
      if (ex !== null) {
        exercise = { kind: ex[1] as 'check' | 'quiz', lines: [] };
        continue;
      }
      const block = /^:::\s*(zh|en)?\s*$/.exec(line);
      if (block !== null) {
        only = (block[1] as Lang | undefined) ?? null;
        continue;
      }
      if (line.startsWith('```')) fence = '```';
    } else if (line.trim() === fence) fence = null;
    if (only !== 'en') zh.push(line);
    if (only !== 'zh') en.push(line);
  }
  flush();
  return out;
}

/** Parses a lab.md with front matter, `##` steps, `::: zh|en` blocks and check/quiz fences. */
export function parseLab(source: string): FakeLab {
  const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(source);
  if (m === null) throw new Error('no front matter');
  const front = parseYaml(m[1] ?? '') as Record<string, unknown>;
  const body = (m[2] ?? '').split('\n');
  const steps: FakeLab['steps'] = [];
  let current: { title: string; lines: string[] } | null = null;
  let inFence = false;
  for (const line of body) {
    if (line.startsWith('```')) inFence = !inFence;
    if (!inFence && line.startsWith('## ')) {
      if (current !== null) steps.push({ title: splitTitle(current.title), pieces: pieces(current.lines) });
      current = { title: line.slice(3).trim(), lines: [] };
    } else current?.lines.push(line);
  }
  if (current !== null) steps.push({ title: splitTitle(current.title), pieces: pieces(current.lines) });
  return {
    id: String(front.id),
    title: bilingual(front.title),
    summary: bilingual(front.summary),
    environment: front.environment === 'install' ? 'install' : 'ready',
    minutes: Number(front.minutes ?? 20),
    requires: Array.isArray(front.requires) ? front.requires.map(String) : [],
    steps,
  };
}

function splitTitle(title: string): Bilingual {
  const [zh, en] = title.split(' / ');
  return { zh: zh ?? title, en: en ?? zh ?? title };
}
