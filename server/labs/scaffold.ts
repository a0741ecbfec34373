import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isSeq, parseDocument } from 'yaml';
import { AppError } from '../errors.ts';
import { exerciseId } from './model.ts';

/** One file of a new lab, relative to the lab's folder. */
export interface ScaffoldFile {
  readonly name: string;
  readonly content: string;
  /** File mode: solve.sh is executable. */
  readonly mode: number;
}

/** What `kafkalab labs new` was asked for. */
export interface ScaffoldOptions {
  /** "中文 / English", or one text used for both languages; default derived from the id. */
  readonly title?: string | undefined;
}

/**
 * Why `id` cannot name a lab, or undefined when it can. The loader's rule (the folder name is the
 * front matter's id, an `exerciseId`), so whatever this accepts the loader accepts too.
 */
export function labIdProblem(id: string): string | undefined {
  const r = exerciseId.safeParse(id);
  return r.success ? undefined : `"${id}" is not a valid lab id: ${r.error.issues[0]?.message ?? 'invalid'}`;
}

/** The entry to add under `labs:` in course.yaml for a lab. */
export function courseLine(id: string): string {
  return `  - ${id}`;
}

/**
 * The files of a new lab: a one-step bilingual chapter with a `kafka.topic` check on a topic the
 * student creates, a quiz and a solve.sh that creates that topic. Pure: nothing is written.
 */
export function scaffoldLab(id: string, options: ScaffoldOptions = {}): ScaffoldFile[] {
  const bad = labIdProblem(id);
  if (bad !== undefined) throw refusal('bad_lab_id', bad);
  const title = titleOf(id, options.title);
  // The lab id in the topic name keeps it apart from other labs' topics on a shared test environment.
  const topic = `${id}-topic`;
  return [
    { name: 'lab.md', content: labMarkdown(id, title, topic), mode: 0o644 },
    { name: 'solve.sh', content: solveScript(id, topic), mode: 0o755 },
  ];
}

/** What `createLab` did. */
export interface CreatedLab {
  /** The new lab's folder. */
  readonly dir: string;
  /** Paths of the files written, the lab's own first. */
  readonly written: readonly string[];
  /** With addToCourse: whether the id was appended to course.yaml or was listed already. */
  readonly course: 'added' | 'already-listed' | undefined;
}

/**
 * Writes a new lab into `labsDir/<id>/`, and with `addToCourse` appends it to `labsDir/course.yaml`.
 * Refuses (AppError, nothing written) a bad id or title, a missing labs folder, an existing
 * `<id>` entry, or, with addToCourse, a course.yaml it cannot edit. Never replaces a file: the
 * folder is created exclusively, and if writing into it fails it is removed again.
 */
export function createLab(
  labsDir: string,
  id: string,
  options: ScaffoldOptions & { readonly addToCourse?: boolean } = {},
): CreatedLab {
  const files = scaffoldLab(id, options);
  if (!isDirectory(labsDir)) throw refusal('labs_dir_missing', `The labs folder ${labsDir} does not exist`);
  const dir = path.join(labsDir, id);
  if (existsSync(dir)) throw labExists(dir);
  const courseYaml = path.join(labsDir, 'course.yaml');
  // Worked out before anything is written, so an unusable course.yaml leaves no half-made lab behind.
  const courseEdit = options.addToCourse === true ? editCourse(courseYaml, id) : undefined;

  try {
    // Not recursive: fails if something appeared at `dir` since the check above, instead of reusing it.
    mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw labExists(dir);
    throw err;
  }
  const written: string[] = [];
  try {
    for (const f of files) {
      const file = path.join(dir, f.name);
      writeFileSync(file, f.content, { flag: 'wx', mode: f.mode });
      written.push(file);
      // The umask may have taken bits away; solve.sh must end up executable whatever it is.
      chmodSync(file, f.mode);
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  if (courseEdit === undefined) return { dir, written, course: undefined };
  if (courseEdit.text === undefined) return { dir, written, course: 'already-listed' };
  writeFileSync(courseYaml, courseEdit.text);
  written.push(courseYaml);
  return { dir, written, course: 'added' };
}

/**
 * `text` (a course.yaml) with `id` appended to its `labs` list, keeping comments and layout;
 * undefined when the id is listed already. Throws an AppError when there is no list to append to.
 */
export function addToCourseYaml(text: string, id: string): string | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    throw refusal(
      'course_unreadable',
      `course.yaml does not parse: ${doc.errors[0]?.message.split('\n')[0]}`,
    );
  const labs = doc.get('labs', true);
  if (!isSeq(labs))
    throw refusal('course_unreadable', `course.yaml has no "labs:" list to add to; add ${id} yourself`);
  if (labs.items.some((item) => String((item as { value?: unknown }).value) === id)) return undefined;
  const last = labs.items.at(-1) as { range?: [number, number, number] | null } | undefined;
  if (labs.flow) {
    // `labs: [a, b]`: the new id goes after the last one, or alone inside the brackets.
    const at = last?.range ? last.range[1] : (labs.range?.[0] ?? 0) + 1;
    return `${text.slice(0, at)}${last ? `, ${id}` : id}${text.slice(at)}`;
  }
  if (!last?.range)
    throw refusal('course_unreadable', `course.yaml's labs list is empty; add ${id} yourself`);
  // A new line after the last entry's line (after any comment on it), indented like that entry.
  const lineStart = text.lastIndexOf('\n', last.range[0]) + 1;
  const dash = /^([ \t]*)-[ \t]/.exec(text.slice(lineStart, last.range[0]));
  const indent = dash?.[1] ?? '  ';
  const lineEnd = text.indexOf('\n', last.range[1]);
  const at = lineEnd < 0 ? text.length : lineEnd;
  return `${text.slice(0, at)}\n${indent}- ${id}${text.slice(at)}${lineEnd < 0 ? '\n' : ''}`;
}

function editCourse(courseYaml: string, id: string): { text: string | undefined } {
  if (!existsSync(courseYaml))
    throw refusal('course_unreadable', `${courseYaml} does not exist, so the lab cannot be added to it`);
  return { text: addToCourseYaml(readFileSync(courseYaml, 'utf8'), id) };
}

function titleOf(id: string, given: string | undefined): { zh: string; en: string } {
  if (given === undefined) {
    const words = id.replace(/-/g, ' ');
    return { zh: `实验：${id}`, en: `${words.charAt(0).toUpperCase()}${words.slice(1)}` };
  }
  // The same "中文 / English" split as step headings; a title without one serves both languages.
  const parts = given.split(' / ');
  const zh = (parts[0] ?? '').trim();
  const en = (parts.length > 1 ? parts.slice(1).join(' / ') : given).trim();
  if (zh === '' || en === '' || /[\r\n]/.test(given))
    throw refusal(
      'bad_title',
      `--title needs text on one line, e.g. "中文标题 / English title", not "${given}"`,
    );
  return { zh, en };
}

/** A YAML double-quoted string: JSON's escapes are a subset of YAML's. */
function q(text: string): string {
  return JSON.stringify(text);
}

function labMarkdown(id: string, title: { zh: string; en: string }, topic: string): string {
  return `---
id: ${id}
title: { zh: ${q(title.zh)}, en: ${q(title.en)} }
summary:
  zh: "在你自己的 Kafka 集群上建一个主题，再想一想副本是怎么分布的。"
  en: "Create a topic on your own Kafka cluster, then think about where its replicas live."
environment: ready
minutes: 15
requires: []
---

<!-- Made by kafkalab labs new: replace the text, the check and the quiz with your own, keep solve.sh in step. -->

## 建一个主题 / Create a topic

::: zh
你的环境里有一个正在运行的三节点 Kafka 集群（bigdata01、bigdata02、bigdata03，每台一个 broker）。在 **bigdata01** 上建一个主题 \`${topic}\`：3 个分区，每个分区 3 个副本。
:::

::: en
Your environment runs a three-server Kafka cluster (bigdata01, bigdata02, bigdata03, one broker each). On **bigdata01**, create the topic \`${topic}\`: 3 partitions, 3 replicas of each.
:::

\`\`\`bash
kafka-topics.sh --bootstrap-server bigdata01:9092 --create --topic ${topic} --partitions 3 --replication-factor 3
kafka-topics.sh --bootstrap-server bigdata01:9092 --describe --topic ${topic}
\`\`\`

\`\`\`check
id: topic-created
title: { zh: ${q(`主题 ${topic} 有 3 个分区、3 个副本`)}, en: ${q(`Topic ${topic} has 3 partitions and 3 replicas`)} }
type: kafka.topic
topic: ${topic}
partitions: 3
replicationFactor: 3
points: 10
hints:
  - { zh: ${q(`用 kafka-topics.sh --create 建主题，带上 --partitions 3 --replication-factor 3；建错了就先 --delete 再重建。`)}, en: ${q(`Create it with kafka-topics.sh --create, giving --partitions 3 --replication-factor 3; if it came out wrong, --delete it and create it again.`)} }
\`\`\`

## 副本在哪里 / Where the replicas live

::: zh
\`--describe\` 的输出里，每个分区一行：\`Leader\` 是负责读写的 broker，\`Replicas\` 是保存这个分区副本的全部 broker。
:::

::: en
In the output of \`--describe\`, each partition has a line: \`Leader\` is the broker that serves reads and writes, \`Replicas\` lists every broker that keeps a copy of the partition.
:::

\`\`\`quiz
id: replicas-per-broker
question:
  zh: ${q(`主题 ${topic} 有 3 个分区、副本数 3，集群里有 3 个 broker。每个 broker 上有几个这个主题的分区副本？`)}
  en: ${q(`Topic ${topic} has 3 partitions with replication factor 3, on a cluster of 3 brokers. How many of the topic's partition replicas does each broker hold?`)}
choices:
  - { zh: "1 个", en: "1" }
  - { zh: "3 个", en: "3" }
  - { zh: "9 个", en: "9" }
answer: 1
explanation:
  zh: "3 个分区 × 3 个副本 = 9 个副本，一个 broker 上不会放同一分区的两个副本，所以 3 个 broker 各放 3 个：每个分区一个。"
  en: "3 partitions x 3 replicas = 9 replicas, and a broker never holds two replicas of the same partition, so each of the 3 brokers holds 3: one of every partition."
hints:
  - { zh: "副本数 3、broker 也只有 3 个：每个分区的副本要放在哪几个 broker 上？", en: "Replication factor 3 and only 3 brokers: which brokers must each partition's replicas go to?" }
\`\`\`
`;
}

function solveScript(id: string, topic: string): string {
  return `#!/bin/bash
# ${id} 实验的参考答案。在 bigdata01 上以 root 运行（bash -c，没有终端，先加载环境变量）。
# Solution of the ${id} lab. Runs on bigdata01 as root (bash -c, no terminal, not a login shell).
set -euo pipefail
source /etc/profile.d/hadoop-etc.sh
BS=bigdata01:9092

# 第 1 步：主题 ${topic}，3 个分区、3 个副本 / step 1: topic ${topic}, 3 partitions, 3 replicas
kafka-topics.sh --bootstrap-server $BS --create --if-not-exists --topic ${topic} --partitions 3 --replication-factor 3
kafka-topics.sh --bootstrap-server $BS --describe --topic ${topic}
`;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function labExists(dir: string): AppError {
  return new AppError(409, 'lab_exists', `${dir} already exists; nothing was written`);
}

/**
 * A refused request. 422, not 400: `kafkalab labs new` answers a refusal with exit code 1, and the
 * CLI maps 400 and 404 to 2 (see exitCodeFor).
 */
function refusal(reason: string, message: string): AppError {
  return new AppError(422, reason, message);
}
