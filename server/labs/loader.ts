import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { CheckType } from '../checks/CheckType.ts';
import {
  bilingual,
  checkBase,
  courseFile,
  frontMatter,
  quizBlock,
  type Bilingual,
  type Exercise,
  type Lab,
  type LabProblem,
  type Lang,
  type Segment,
  type Step,
} from './model.ts';

/** Check types by id, for validating ```check blocks. */
export type CheckTypes = ReadonlyMap<string, CheckType<never>>;

/** The whole course: valid labs in course order, and every problem found on the way. */
export interface Course {
  readonly title: Bilingual;
  readonly labs: readonly Lab[];
  readonly problems: readonly LabProblem[];
}

/**
 * Loads `dir/course.yaml` and every `dir/<id>/lab.md`. A broken lab is reported and left out;
 * the others still load. Problems carry file and line.
 */
export function loadCourse(dir: string, types: CheckTypes): Course {
  const problems: LabProblem[] = [];
  const courseYaml = path.join(dir, 'course.yaml');
  let order: string[] = [];
  let title: Bilingual = { zh: '课程', en: 'Course' };
  if (!existsSync(courseYaml)) {
    problems.push({ file: courseYaml, line: 1, message: 'course.yaml is missing: it lists the labs in course order' });
  } else {
    const parsed = parseYaml(readFileSync(courseYaml, 'utf8'), courseYaml, 0, problems);
    if (parsed) {
      const r = courseFile.safeParse(parsed.doc.toJS());
      if (r.success) {
        order = r.data.labs;
        title = r.data.title;
      } else problems.push(...zodProblems(r.error, parsed.doc, parsed.lines, courseYaml, 0));
    }
  }

  const folders = existsSync(dir)
    ? readdirSync(dir).filter((f) => !f.startsWith('.') && statSync(path.join(dir, f)).isDirectory())
    : [];
  const loaded = new Map<string, Lab>();
  for (const folder of folders.sort()) {
    const lab = loadLab(path.join(dir, folder), types, problems);
    if (lab) loaded.set(lab.id, lab);
  }

  for (const [i, id] of order.entries()) {
    if (!folders.includes(id)) problems.push({ file: courseYaml, line: lineOfListItem(courseYaml, i), message: `course.yaml lists "${id}", but ${id}/lab.md does not exist` });
  }
  for (const folder of folders) {
    if (!order.includes(folder)) {
      problems.push({ file: path.join(dir, folder, 'lab.md'), line: 1, message: `lab "${folder}" is not listed in course.yaml`, courseLevel: true });
    }
  }
  // A dangling `requires` is reported but does not unload the lab: it is still usable on its own.
  const ids = new Set(folders);
  const good = [...loaded.values()];
  for (const lab of good) {
    const line = readFileSync(lab.file, 'utf8').split('\n').findIndex((l) => l.startsWith('requires:')) + 1;
    for (const r of lab.requires.filter((x) => !ids.has(x))) {
      problems.push({ file: lab.file, line: line || 1, message: `requires "${r}", which is not a lab`, courseLevel: true });
    }
  }
  for (const cycle of findCycles(good)) {
    problems.push({ file: cycle[0]?.file ?? courseYaml, line: 1, message: `requires form a cycle: ${cycle.map((l) => l.id).join(' -> ')}` });
  }
  const labs = order.map((id) => good.find((l) => l.id === id)).filter((l): l is Lab => l !== undefined);
  return { title, labs, problems };
}

/** Loads one lab folder; undefined (with problems recorded) when it is not valid. */
export function loadLab(dir: string, types: CheckTypes, problems: LabProblem[]): Lab | undefined {
  const file = path.join(dir, 'lab.md');
  const before = problems.length;
  if (!existsSync(file)) {
    problems.push({ file, line: 1, message: 'lab.md is missing' });
    return undefined;
  }
  const text = readFileSync(file, 'utf8').replace(/\r\n/g, '\n');
  const lines = text.split('\n');
  if (lines[0] !== '---') {
    problems.push({ file, line: 1, message: 'lab.md must start with YAML front matter between --- lines' });
    return undefined;
  }
  const end = lines.indexOf('---', 1);
  if (end < 0) {
    problems.push({ file, line: 1, message: 'the front matter is not closed with a --- line' });
    return undefined;
  }
  const fmParsed = parseYaml(lines.slice(1, end).join('\n'), file, 1, problems);
  let fm: z.infer<typeof frontMatter> | undefined;
  if (fmParsed) {
    const r = frontMatter.safeParse(fmParsed.doc.toJS() ?? {});
    if (r.success) fm = r.data;
    else problems.push(...zodProblems(r.error, fmParsed.doc, fmParsed.lines, file, 1));
  }
  if (fm && fm.id !== path.basename(dir)) {
    problems.push({ file, line: 2, message: `id "${fm.id}" must equal the folder name "${path.basename(dir)}"` });
  }
  const solve = path.join(dir, 'solve.sh');
  if (!existsSync(solve)) problems.push({ file: solve, line: 1, message: 'solve.sh is missing: every lab has a solution script' });

  const body = parseBody(lines, end + 1, file, types, problems);
  if (problems.length > before || !fm) return undefined;
  return { ...fm, dir, file, solve, ...body };
}

interface Body {
  intro: Segment[];
  steps: Step[];
  exercises: Exercise[];
}

/** Splits the Markdown body into steps, language blocks and exercises, keeping line numbers. */
function parseBody(lines: string[], start: number, file: string, types: CheckTypes, problems: LabProblem[]): Body {
  const intro: Segment[] = [];
  const steps: Step[] = [];
  const exercises: Exercise[] = [];
  let current: { segments: Segment[]; line: number; title: Bilingual } | undefined;
  let lang: { lang: Lang; line: number } | undefined;
  let buffer: { lines: string[]; line: number } | undefined;
  const target = (): Segment[] => current?.segments ?? intro;
  const langCounts = (): Record<Lang, number> => ({ zh: 0, en: 0 });
  let counts = langCounts();

  const flush = (): void => {
    if (buffer && buffer.lines.some((l) => l.trim() !== '')) {
      target().push({ kind: 'markdown', lang: lang?.lang ?? 'both', markdown: buffer.lines.join('\n'), line: buffer.line });
    }
    buffer = undefined;
  };
  const add = (line: string, n: number): void => {
    buffer ??= { lines: [], line: n };
    buffer.lines.push(line);
  };
  const closeStep = (endLine: number): void => {
    if (current === undefined) return;
    flush();
    if (counts.zh !== counts.en) {
      const missing = counts.zh > counts.en ? 'en' : 'zh';
      problems.push({ file, line: current.line, message: `missing translation: this step has ${counts.zh} ::: zh and ${counts.en} ::: en blocks (add the ${missing} text) before line ${endLine}` });
    }
    if (counts.zh === 0 && counts.en === 0) {
      problems.push({ file, line: current.line, message: 'this step has no text: add a ::: zh block and a ::: en block' });
    }
    steps.push({ index: steps.length, title: current.title, line: current.line, segments: current.segments });
  };

  for (let i = start; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const n = i + 1;
    const fence = /^(`{3,}|~{3,})\s*([\w.-]*)/.exec(line);
    if (fence) {
      const marker = fence[1] ?? '```';
      const info = fence[2] ?? '';
      const close = lines.findIndex((l, j) => j > i && l.trim() === marker);
      if (close < 0) {
        problems.push({ file, line: n, message: `code block opened with ${marker} is never closed` });
        break;
      }
      if (info === 'check' || info === 'quiz') {
        if (lang) problems.push({ file, line: n, message: `a ${info} block cannot be inside a ::: ${lang.lang} block (exercises are bilingual already)` });
        if (!current) problems.push({ file, line: n, message: `a ${info} block must be inside a step (after a ## heading)` });
        flush();
        const exercise = parseExercise(info, lines.slice(i + 1, close).join('\n'), file, n, types, problems);
        if (exercise) {
          if (exercises.some((e) => e.id === exercise.id)) problems.push({ file, line: n, message: `duplicate exercise id "${exercise.id}"` });
          exercises.push(exercise);
          target().push({ kind: 'exercise', id: exercise.id });
        }
      } else {
        if (!lang && !current) problems.push({ file, line: n, message: 'code before the first ## step' });
        for (let j = i; j <= close; j++) add(lines[j] ?? '', j + 1);
      }
      i = close;
      continue;
    }
    const heading = /^##\s+(.*)$/.exec(line);
    if (heading && !line.startsWith('###')) {
      if (lang) problems.push({ file, line: lang.line, message: `::: ${lang.lang} block is not closed before the next step` });
      lang = undefined;
      closeStep(n);
      counts = langCounts();
      const parts = (heading[1] ?? '').split(' / ');
      const title = bilingual.safeParse({ zh: parts[0], en: parts.slice(1).join(' / ') });
      if (parts.length < 2 || !title.success) {
        problems.push({ file, line: n, message: 'step headings are "## 中文标题 / English title"' });
      }
      current = { segments: [], line: n, title: title.success ? title.data : { zh: heading[1] ?? '', en: heading[1] ?? '' } };
      continue;
    }
    const open = /^:::\s*(\S+)\s*$/.exec(line);
    if (open) {
      if (lang) problems.push({ file, line: n, message: `::: ${open[1]} inside an open ::: ${lang.lang} block (close it with :::)` });
      if (open[1] !== 'zh' && open[1] !== 'en') {
        problems.push({ file, line: n, message: `unknown language block "::: ${open[1]}": use ::: zh or ::: en` });
        continue;
      }
      flush();
      lang = { lang: open[1], line: n };
      counts[open[1]]++;
      continue;
    }
    if (/^:::\s*$/.test(line)) {
      if (!lang) problems.push({ file, line: n, message: '::: closes nothing' });
      flush();
      lang = undefined;
      continue;
    }
    if (!lang && line.trim() !== '' && !/^<!--.*-->\s*$/.test(line) && !/^#\s/.test(line)) {
      problems.push({ file, line: n, message: 'text outside a ::: zh / ::: en block would show untranslated: put it in both blocks' });
      continue;
    }
    if (/^#\s/.test(line) && !lang) continue; // a "# Title" line: the title comes from the front matter
    add(line, n);
  }
  if (lang) problems.push({ file, line: lang.line, message: `::: ${lang.lang} block is not closed` });
  closeStep(lines.length);
  if (steps.length === 0) problems.push({ file, line: start + 1, message: 'a lab needs at least one "## 中文 / English" step' });
  return { intro, steps, exercises };
}

function parseExercise(
  kind: 'check' | 'quiz',
  source: string,
  file: string,
  fenceLine: number,
  types: CheckTypes,
  problems: LabProblem[],
): Exercise | undefined {
  const parsed = parseYaml(source, file, fenceLine, problems);
  if (!parsed) return undefined;
  const raw = parsed.doc.toJS() as unknown;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push({ file, line: fenceLine, message: `a ${kind} block holds a YAML mapping (id, title, ...)` });
    return undefined;
  }
  if (kind === 'quiz') {
    const r = quizBlock.safeParse(raw);
    if (!r.success) {
      problems.push(...zodProblems(r.error, parsed.doc, parsed.lines, file, fenceLine));
      return undefined;
    }
    const answer = [...new Set(Array.isArray(r.data.answer) ? r.data.answer : [r.data.answer])].sort((a, b) => a - b);
    const bad = answer.filter((a) => a >= r.data.choices.length);
    if (bad.length > 0) {
      problems.push({ file, line: lineOf(parsed.doc, parsed.lines, ['answer'], fenceLine), message: `answer ${bad.join(', ')} is not a choice (choices are numbered 0..${r.data.choices.length - 1})` });
      return undefined;
    }
    return {
      kind: 'quiz',
      id: r.data.id,
      question: r.data.question,
      choices: r.data.choices,
      answer,
      multiple: Array.isArray(r.data.answer),
      points: r.data.points,
      hints: r.data.hints,
      explanation: r.data.explanation,
      line: fenceLine,
    };
  }
  const { id, title, type, points, hints, timeoutSec, ...rest } = raw as Record<string, unknown>;
  const base = checkBase.safeParse({ id, title, type, points, hints, timeoutSec });
  if (!base.success) {
    problems.push(...zodProblems(base.error, parsed.doc, parsed.lines, file, fenceLine));
    return undefined;
  }
  const checkType = types.get(base.data.type);
  if (!checkType) {
    problems.push({
      file,
      line: lineOf(parsed.doc, parsed.lines, ['type'], fenceLine),
      message: `unknown check type "${base.data.type}" (known: ${[...types.keys()].sort().join(', ')})`,
    });
    return undefined;
  }
  const params = (checkType.params as z.ZodType).safeParse(rest);
  if (!params.success) {
    problems.push(...zodProblems(params.error, parsed.doc, parsed.lines, file, fenceLine, `${base.data.type}: `));
    return undefined;
  }
  return {
    kind: 'check',
    id: base.data.id,
    title: base.data.title,
    type: base.data.type,
    params: params.data as Record<string, unknown>,
    points: base.data.points,
    hints: base.data.hints,
    timeoutSec: base.data.timeoutSec,
    line: fenceLine,
  };
}

/** Parses YAML whose first line is line `offset + 1` of `file`; syntax errors become problems. */
function parseYaml(
  source: string,
  file: string,
  offset: number,
  problems: LabProblem[],
): { doc: Document; lines: LineCounter } | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
      problems.push({ file, line: offset + pos.line, message: `YAML: ${e.message.split('\n')[0]}` });
    }
    return undefined;
  }
  return { doc, lines };
}

/** Zod issues as problems, each at the line of the YAML key it is about. */
function zodProblems(error: z.ZodError, doc: Document, lines: LineCounter, file: string, offset: number, prefix = ''): LabProblem[] {
  return error.issues.map((issue) => {
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    const text =
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
        : issue.message;
    const keyPath = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
    return { file, line: lineOf(doc, lines, keyPath, offset), message: `${prefix}${where}${text}` };
  });
}

/** The line of the deepest YAML node that exists along `keyPath`. */
function lineOf(doc: Document, lines: LineCounter, keyPath: readonly PropertyKey[], offset: number): number {
  for (let depth = keyPath.length; depth > 0; depth--) {
    const node = doc.getIn(keyPath.slice(0, depth) as (string | number)[], true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return offset + lines.linePos(node.range[0]).line;
  }
  const root = doc.contents as { range?: [number, number, number] } | null;
  return offset + (root?.range ? lines.linePos(root.range[0]).line : 1);
}

function lineOfListItem(file: string, index: number): number {
  const text = readFileSync(file, 'utf8').split('\n');
  let seen = -1;
  for (const [i, l] of text.entries()) {
    if (/^\s*-\s+/.test(l) && ++seen === index) return i + 1;
  }
  return 1;
}

function findCycles(labs: readonly Lab[]): Lab[][] {
  const byId = new Map(labs.map((l) => [l.id, l]));
  const cycles: Lab[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (lab: Lab, trail: Lab[]): void => {
    if (state.get(lab.id) === 'done') return;
    if (state.get(lab.id) === 'visiting') {
      cycles.push([...trail.slice(trail.indexOf(lab)), lab]);
      return;
    }
    state.set(lab.id, 'visiting');
    for (const r of lab.requires) {
      const next = byId.get(r);
      if (next) visit(next, [...trail, lab]);
    }
    state.set(lab.id, 'done');
  };
  for (const lab of labs) visit(lab, []);
  return cycles;
}
