import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  Composer,
  isAlias,
  isScalar,
  LineCounter,
  Parser,
  Schema,
  visit,
  type CST,
  type Document,
  type DocumentOptions,
  type ParseOptions,
  type Node as YamlNode,
  type SchemaOptions,
} from 'yaml';
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

/**
 * Bounds on what one file may make the loader do, so a broken or hostile lab costs time linear in
 * its size and never more than the limits; each breach is a located problem, not a crash.
 */
export interface LabLimits {
  /** Bytes of one lab.md or course.yaml. */
  readonly maxFileBytes: number;
  /** Bytes of one YAML block: the front matter or one ```check / ```quiz block. */
  readonly maxYamlBytes: number;
  /** Nesting depth of one YAML block (the yaml composer recurses once per level; see parseYaml). */
  readonly maxYamlDepth: number;
  /** Aliases (`*name`) in one YAML block; also the yaml library's expansion limit (alias bombs). */
  readonly maxAliases: number;
  /** Fenced code blocks in one lab.md. */
  readonly maxBlocks: number;
}

/** The limits `loadCourse` applies unless told otherwise: several times what the real course uses. */
export const defaultLabLimits: LabLimits = {
  // The largest lab is ~46 KB with ~40 blocks of under 2 KB and no aliases.
  maxFileBytes: 512 * 1024,
  maxYamlBytes: 32 * 1024,
  maxYamlDepth: 32,
  maxAliases: 100,
  maxBlocks: 2000,
};

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
export function loadCourse(dir: string, types: CheckTypes, limits: LabLimits = defaultLabLimits): Course {
  const problems: LabProblem[] = [];
  const courseYaml = path.join(dir, 'course.yaml');
  let order: string[] = [];
  let title: Bilingual = { zh: '课程', en: 'Course' };
  let orderLine = (_index: number): number => 1;
  if (!existsSync(courseYaml)) {
    problems.push({
      file: courseYaml,
      line: 1,
      message: 'course.yaml is missing: it lists the labs in course order',
    });
  } else {
    const text = guarded(courseYaml, problems, () => readText(courseYaml, problems, limits));
    const parsed = text === undefined ? undefined : parseYaml(text, courseYaml, 0, problems, limits);
    if (parsed) {
      const r = courseFile.safeParse(parsed.value);
      if (r.success) {
        order = r.data.labs;
        title = r.data.title;
        orderLine = (index) => lineOf(parsed.doc, parsed.lines, ['labs', index], 0);
      } else problems.push(...zodProblems(r.error, parsed.doc, parsed.lines, courseYaml, 0));
    }
  }

  const folders = existsSync(dir)
    ? readdirSync(dir).filter((f) => !f.startsWith('.') && isFolder(path.join(dir, f)))
    : [];
  const loaded = new Map<string, LoadedLab>();
  for (const folder of folders.sort()) {
    const file = path.join(dir, folder, 'lab.md');
    const result = guarded(file, problems, () => readLab(path.join(dir, folder), types, problems, limits));
    if (result) loaded.set(result.lab.id, result);
  }

  const ids = new Set(folders);
  const listed = new Set(order);
  for (const [i, id] of order.entries()) {
    if (!ids.has(id))
      problems.push({
        file: courseYaml,
        line: orderLine(i),
        message: `course.yaml lists "${id}", but ${id}/lab.md does not exist`,
      });
  }
  for (const folder of folders) {
    if (!listed.has(folder)) {
      problems.push({
        file: path.join(dir, folder, 'lab.md'),
        line: 1,
        message: `lab "${folder}" is not listed in course.yaml`,
        courseLevel: true,
      });
    }
  }
  // A dangling `requires` is reported but does not unload the lab: it is still usable on its own.
  for (const { lab, requiresLine } of loaded.values()) {
    for (const [i, r] of lab.requires.entries()) {
      if (!ids.has(r))
        problems.push({
          file: lab.file,
          line: requiresLine(i),
          message: `requires "${r}", which is not a lab`,
          courseLevel: true,
        });
    }
  }
  const good = [...loaded.values()].map((l) => l.lab);
  for (const cycle of findCycles(good)) {
    problems.push({
      file: cycle[0]?.file ?? courseYaml,
      line: 1,
      message: `requires form a cycle: ${cycle.map((l) => l.id).join(' -> ')}`,
    });
  }
  const labs = order.map((id) => loaded.get(id)?.lab).filter((l): l is Lab => l !== undefined);
  return { title, labs, problems };
}

/** Loads one lab folder; undefined (with problems recorded) when it is not valid. */
export function loadLab(
  dir: string,
  types: CheckTypes,
  problems: LabProblem[],
  limits: LabLimits = defaultLabLimits,
): Lab | undefined {
  return guarded(path.join(dir, 'lab.md'), problems, () => readLab(dir, types, problems, limits))?.lab;
}

interface LoadedLab {
  lab: Lab;
  /** Line of the front matter's `requires` entry at an index. */
  requiresLine: (index: number) => number;
}

function readLab(
  dir: string,
  types: CheckTypes,
  problems: LabProblem[],
  limits: LabLimits,
): LoadedLab | undefined {
  const file = path.join(dir, 'lab.md');
  const before = problems.length;
  if (!existsSync(file)) {
    problems.push({ file, line: 1, message: 'lab.md is missing' });
    return undefined;
  }
  const text = readText(file, problems, limits)?.replace(/\r\n/g, '\n');
  if (text === undefined) return undefined;
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
  const fmParsed = parseYaml(lines.slice(1, end).join('\n'), file, 1, problems, limits);
  let fm: z.infer<typeof frontMatter> | undefined;
  if (fmParsed) {
    const r = frontMatter.safeParse(fmParsed.value ?? {});
    if (r.success) fm = r.data;
    else problems.push(...zodProblems(r.error, fmParsed.doc, fmParsed.lines, file, 1));
  }
  if (fm && fm.id !== path.basename(dir)) {
    problems.push({
      file,
      line: 2,
      message: `id "${fm.id}" must equal the folder name "${path.basename(dir)}"`,
    });
  }
  const solve = path.join(dir, 'solve.sh');
  if (!existsSync(solve))
    problems.push({ file: solve, line: 1, message: 'solve.sh is missing: every lab has a solution script' });

  const body = parseBody(lines, end + 1, file, types, problems, limits);
  if (problems.length > before || !fm || !fmParsed) return undefined;
  const { doc, lines: counter } = fmParsed;
  return {
    lab: { ...fm, dir, file, solve, ...body },
    requiresLine: (i) => lineOf(doc, counter, ['requires', i], 1),
  };
}

/**
 * Runs `load`, turning anything it throws into a problem at line 1 of `file`: whatever a lab file
 * holds, it must cost only that lab, never the course load (and so the server start).
 */
function guarded<T>(file: string, problems: LabProblem[], load: () => T): T | undefined {
  try {
    return load();
  } catch (err) {
    problems.push({
      file,
      line: 1,
      message: `could not be loaded: ${err instanceof Error ? err.message : String(err)}`,
    });
    return undefined;
  }
}

/** The text of a regular file within the size limit; otherwise undefined, with the problem recorded. */
function readText(file: string, problems: LabProblem[], limits: LabLimits): string | undefined {
  const stat = statSync(file);
  // A FIFO or a device would block or never end; neither is something an author meant to write.
  if (!stat.isFile()) {
    problems.push({ file, line: 1, message: `${path.basename(file)} is not a regular file` });
    return undefined;
  }
  if (stat.size > limits.maxFileBytes) {
    problems.push({
      file,
      line: 1,
      message: `${path.basename(file)} is ${kib(stat.size)}, over the limit of ${kib(limits.maxFileBytes)}: split it`,
    });
    return undefined;
  }
  return readFileSync(file, 'utf8');
}

function isFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    // A dangling symlink or an unreadable entry is no lab; course.yaml still reports it if listed.
    return false;
  }
}

function kib(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KiB`;
}

interface Body {
  intro: Segment[];
  steps: Step[];
  exercises: Exercise[];
}

/** Splits the Markdown body into steps, language blocks and exercises, keeping line numbers. */
function parseBody(
  lines: string[],
  start: number,
  file: string,
  types: CheckTypes,
  problems: LabProblem[],
  limits: LabLimits,
): Body {
  const intro: Segment[] = [];
  const steps: Step[] = [];
  const exercises: Exercise[] = [];
  const exerciseIds = new Set<string>();
  let blocks = 0;
  let current: { segments: Segment[]; line: number; title: Bilingual } | undefined;
  let lang: { lang: Lang; line: number } | undefined;
  let buffer: { lines: string[]; line: number } | undefined;
  const target = (): Segment[] => current?.segments ?? intro;
  const langCounts = (): Record<Lang, number> => ({ zh: 0, en: 0 });
  let counts = langCounts();

  const flush = (): void => {
    if (buffer && buffer.lines.some((l) => l.trim() !== '')) {
      target().push({
        kind: 'markdown',
        lang: lang?.lang ?? 'both',
        markdown: buffer.lines.join('\n'),
        line: buffer.line,
      });
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
      problems.push({
        file,
        line: current.line,
        message: `missing translation: this step has ${counts.zh} ::: zh and ${counts.en} ::: en blocks (add the ${missing} text) before line ${endLine}`,
      });
    }
    if (counts.zh === 0 && counts.en === 0) {
      problems.push({
        file,
        line: current.line,
        message: 'this step has no text: add a ::: zh block and a ::: en block',
      });
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
      if (++blocks > limits.maxBlocks) {
        // Stop here: the rest would only add work and problems to a lab that is rejected anyway.
        problems.push({
          file,
          line: n,
          message: `more than ${limits.maxBlocks} fenced code blocks, the limit for one lab: split the lab`,
        });
        return { intro, steps, exercises };
      }
      // Scanning on from the fence (never from the top) keeps the whole body pass linear.
      let close = i + 1;
      while (close < lines.length && lines[close]?.trim() !== marker) close++;
      if (close >= lines.length) {
        problems.push({ file, line: n, message: `code block opened with ${marker} is never closed` });
        break;
      }
      if (info === 'check' || info === 'quiz') {
        if (lang)
          problems.push({
            file,
            line: n,
            message: `a ${info} block cannot be inside a ::: ${lang.lang} block (exercises are bilingual already)`,
          });
        if (!current)
          problems.push({
            file,
            line: n,
            message: `a ${info} block must be inside a step (after a ## heading)`,
          });
        flush();
        const exercise = parseExercise(
          info,
          lines.slice(i + 1, close).join('\n'),
          file,
          n,
          types,
          problems,
          limits,
        );
        if (exercise) {
          if (exerciseIds.has(exercise.id))
            problems.push({ file, line: n, message: `duplicate exercise id "${exercise.id}"` });
          exerciseIds.add(exercise.id);
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
      if (lang)
        problems.push({
          file,
          line: lang.line,
          message: `::: ${lang.lang} block is not closed before the next step`,
        });
      lang = undefined;
      closeStep(n);
      counts = langCounts();
      const parts = (heading[1] ?? '').split(' / ');
      const title = bilingual.safeParse({ zh: parts[0], en: parts.slice(1).join(' / ') });
      if (parts.length < 2 || !title.success) {
        problems.push({ file, line: n, message: 'step headings are "## 中文标题 / English title"' });
      }
      current = {
        segments: [],
        line: n,
        title: title.success ? title.data : { zh: heading[1] ?? '', en: heading[1] ?? '' },
      };
      continue;
    }
    const open = /^:::\s*(\S+)\s*$/.exec(line);
    if (open) {
      if (lang)
        problems.push({
          file,
          line: n,
          message: `::: ${open[1]} inside an open ::: ${lang.lang} block (close it with :::)`,
        });
      if (open[1] !== 'zh' && open[1] !== 'en') {
        problems.push({
          file,
          line: n,
          message: `unknown language block "::: ${open[1]}": use ::: zh or ::: en`,
        });
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
      problems.push({
        file,
        line: n,
        message: 'text outside a ::: zh / ::: en block would show untranslated: put it in both blocks',
      });
      continue;
    }
    if (/^#\s/.test(line) && !lang) continue; // a "# Title" line: the title comes from the front matter
    add(line, n);
  }
  if (lang) problems.push({ file, line: lang.line, message: `::: ${lang.lang} block is not closed` });
  closeStep(lines.length);
  if (steps.length === 0)
    problems.push({ file, line: start + 1, message: 'a lab needs at least one "## 中文 / English" step' });
  return { intro, steps, exercises };
}

function parseExercise(
  kind: 'check' | 'quiz',
  source: string,
  file: string,
  fenceLine: number,
  types: CheckTypes,
  problems: LabProblem[],
  limits: LabLimits,
): Exercise | undefined {
  const parsed = parseYaml(source, file, fenceLine, problems, limits);
  if (!parsed) return undefined;
  const raw = parsed.value;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push({
      file,
      line: fenceLine,
      message: `a ${kind} block holds a YAML mapping (id, title, ...)`,
    });
    return undefined;
  }
  if (kind === 'quiz') {
    const r = quizBlock.safeParse(raw);
    if (!r.success) {
      problems.push(...zodProblems(r.error, parsed.doc, parsed.lines, file, fenceLine));
      return undefined;
    }
    const answer = [...new Set(Array.isArray(r.data.answer) ? r.data.answer : [r.data.answer])].sort(
      (a, b) => a - b,
    );
    const bad = answer.filter((a) => a >= r.data.choices.length);
    if (bad.length > 0) {
      problems.push({
        file,
        line: lineOf(parsed.doc, parsed.lines, ['answer'], fenceLine),
        message: `answer ${bad.join(', ')} is not a choice (choices are numbered 0..${r.data.choices.length - 1})`,
      });
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
    problems.push(
      ...zodProblems(params.error, parsed.doc, parsed.lines, file, fenceLine, `${base.data.type}: `),
    );
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

/**
 * The yaml options for lab files: plain YAML 1.2 data. No merge keys, no tags beyond the core
 * schema's (an unknown one is a warning, which we treat as an error), string keys only.
 */
const yamlOptions: ParseOptions & DocumentOptions & SchemaOptions = {
  // Built once and shared (yaml never changes it): building one is a good part of a small block's cost.
  schema: new Schema({ schema: 'core', merge: false, resolveKnownTags: false }),
  stringKeys: true,
  uniqueKeys: true,
};

/** A parsed YAML block and its plain value. */
interface ParsedYaml {
  doc: Document;
  lines: LineCounter;
  value: unknown;
}

/**
 * Parses YAML whose first line is line `offset + 1` of `file`. Everything that can go wrong (syntax,
 * limits, aliases, tags, and whatever the yaml library throws) becomes a problem and undefined.
 */
function parseYaml(
  source: string,
  file: string,
  offset: number,
  problems: LabProblem[],
  limits: LabLimits,
): ParsedYaml | undefined {
  const at = (line: number, message: string): undefined => {
    problems.push({ file, line: offset + line, message: `YAML: ${message}` });
    return undefined;
  };
  const bytes = Buffer.byteLength(source);
  if (bytes > limits.maxYamlBytes) {
    problems.push({
      file,
      line: Math.max(offset, 1),
      message: `YAML: this block is ${bytes} bytes, over the limit of ${limits.maxYamlBytes}`,
    });
    return undefined;
  }
  const lines = new LineCounter();
  let doc: Document;
  try {
    // The parser keeps an explicit stack, but the composer (and toJS, zod) recurse once per level.
    // Thousands of `[` overflow the stack there; in one trial node died outright (V8 out of memory
    // compiling a RegExp near the stack limit), which no catch sees. So depth is checked first.
    const tokens = [...new Parser(lines.addNewLine).parse(source)];
    const deep = tooDeep(tokens, limits.maxYamlDepth);
    if (deep)
      return at(
        lines.linePos(deep.offset).line,
        `nested deeper than ${limits.maxYamlDepth} levels, the limit`,
      );
    const docs = [...new Composer(yamlOptions).compose(tokens, true, source.length)];
    const second = docs[1];
    if (second)
      return at(
        lines.linePos(second.range[0]).line,
        'a second YAML document: a block holds one (remove the --- or ... line before it)',
      );
    if (!docs[0]) return at(1, 'no document');
    doc = docs[0];
  } catch (err) {
    return at(1, messageOf(err));
  }
  const issues = [...doc.errors, ...doc.warnings].map((e) => ({
    line: lines.linePos(e.pos[0]).line,
    message: e.message.split('\n')[0] ?? e.code,
  }));
  issues.push(...aliasAndMergeProblems(doc, lines, limits));
  if (issues.length > 0) {
    // One broken construct can make the parser repeat itself; once per line and message is enough.
    const seen = new Set<string>();
    for (const { line, message } of issues) {
      if (!seen.has(`${line}:${message}`)) at(line, message);
      seen.add(`${line}:${message}`);
    }
    return undefined;
  }
  try {
    return { doc, lines, value: doc.toJS({ maxAliasCount: limits.maxAliases }) as unknown };
  } catch (err) {
    // Reached by aliases that expand past maxAliasCount (a "billion laughs"): point at the first one.
    let first: YamlNode | null = doc.contents;
    visit(doc, {
      Alias: (_, node) => {
        first = node;
        return visit.BREAK;
      },
    });
    return at(lineOfNode(first, lines), `${messageOf(err)} (alias limit ${limits.maxAliases})`);
  }
}

/** The depth-first first CST token nested deeper than `max`, if any; iterative, so depth costs no stack. */
function tooDeep(tokens: readonly CST.Token[], max: number): CST.Token | undefined {
  const stack = tokens.map((token) => ({ token, depth: 0 }));
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { token, depth } = next;
    if (depth > max) return token;
    if (token.type === 'document' && token.value) stack.push({ token: token.value, depth });
    if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      for (const item of token.items) {
        if (item.key) stack.push({ token: item.key, depth: depth + 1 });
        if (item.value) stack.push({ token: item.value, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/**
 * Aliases yaml would only reject (unlocated) in toJS, or accept in a shape that hurts later: one with
 * no anchor before it, one inside its own anchor (a cyclic value JSON cannot encode), too many of
 * them; and `<<` keys, which are plain keys in YAML 1.2 but meant as merges by whoever wrote them.
 */
function aliasAndMergeProblems(
  doc: Document,
  lines: LineCounter,
  limits: LabLimits,
): { line: number; message: string }[] {
  const found: { line: number; message: string }[] = [];
  // Latest anchor of each name so far, in document order: the one yaml itself resolves an alias to.
  const anchors = new Map<string, YamlNode>();
  let aliases = 0;
  visit(doc, {
    Pair: (_, pair) => {
      if (isScalar(pair.key) && pair.key.value === '<<') {
        found.push({
          line: lineOfNode(pair.key, lines),
          message: 'merge keys (<<) are not supported: write the fields out',
        });
      }
    },
    Node: (_, node, ancestors) => {
      if (!isAlias(node)) {
        if (node.anchor) anchors.set(node.anchor, node);
        return undefined;
      }
      const line = lineOfNode(node, lines);
      if (++aliases > limits.maxAliases) {
        found.push({ line, message: `more than ${limits.maxAliases} aliases, the limit` });
        return visit.BREAK;
      }
      const target = anchors.get(node.source);
      if (target === undefined)
        found.push({ line, message: `alias *${node.source} has no anchor &${node.source} before it` });
      else if (ancestors.includes(target))
        found.push({ line, message: `alias *${node.source} is inside its own anchor (a cycle)` });
      return undefined;
    },
  });
  return found;
}

function lineOfNode(
  node: { range?: readonly number[] | null } | null | undefined,
  lines: LineCounter,
): number {
  const start = node?.range?.[0];
  return start === undefined ? 1 : lines.linePos(start).line;
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

/** Zod issues as problems, each at the line of the YAML key it is about. */
function zodProblems(
  error: z.ZodError,
  doc: Document,
  lines: LineCounter,
  file: string,
  offset: number,
  prefix = '',
): LabProblem[] {
  return error.issues.flatMap(specificIssues).map((issue) => {
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    const text =
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
        : issue.message;
    const keyPath = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
    return { file, line: lineOf(doc, lines, keyPath, offset), message: `${prefix}${where}${text}` };
  });
}

/**
 * A failed union as the issues of the one option the value was meant for, when only one option
 * got past the type check (e.g. `matches: "[a-"` is a bad pattern, not a bad array): zod says just
 * "Invalid input" once an option's refinement aborts.
 */
function specificIssues(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const meant = issue.errors.filter(
    (option) => !option.some((i) => i.code === 'invalid_type' && i.path.length === 0),
  );
  const only = meant.length === 1 ? meant[0] : undefined;
  if (!only || only.length === 0) return [issue];
  return only.flatMap((i) => specificIssues({ ...i, path: [...issue.path, ...i.path] }));
}

/** The line of the deepest YAML node that exists along `keyPath`. */
function lineOf(doc: Document, lines: LineCounter, keyPath: readonly PropertyKey[], offset: number): number {
  for (let depth = keyPath.length; depth > 0; depth--) {
    const node = doc.getIn(keyPath.slice(0, depth) as (string | number)[], true) as
      { range?: [number, number, number] } | undefined;
    if (node?.range) return offset + lines.linePos(node.range[0]).line;
  }
  const root = doc.contents as { range?: [number, number, number] } | null;
  return offset + (root?.range ? lines.linePos(root.range[0]).line : 1);
}

function findCycles(labs: readonly Lab[]): Lab[][] {
  const byId = new Map(labs.map((l) => [l.id, l]));
  const cycles: Lab[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  // One shared trail (push on entry, pop on exit) rather than a copy per step.
  const trail: Lab[] = [];
  const walk = (lab: Lab): void => {
    if (state.get(lab.id) === 'done') return;
    if (state.get(lab.id) === 'visiting') {
      cycles.push([...trail.slice(trail.indexOf(lab)), lab]);
      return;
    }
    state.set(lab.id, 'visiting');
    trail.push(lab);
    for (const r of lab.requires) {
      const next = byId.get(r);
      if (next) walk(next);
    }
    trail.pop();
    state.set(lab.id, 'done');
  };
  for (const lab of labs) walk(lab);
  return cycles;
}
