// A fake backend implementing server/http/apiTypes.ts with canned data, for developing and
// screenshotting the web app without Docker. Run: npx tsx web/dev/fakeServer.ts [port]
// Knobs (env vars): FAKE_ENGINE_DOWN=1 (healthz 503), FAKE_BOOT_FAIL=1 (boot fails at ZooKeeper),
// FAKE_BOOT_MS (boot duration, default 3000), FAKE_MODE=install|ready (pre-existing env mode).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Request, type Response } from 'express';
import { WebSocketServer, type WebSocket } from 'ws';
import type {
  ApiError,
  Bilingual,
  Block,
  CheckResponse,
  ClusterSnapshot,
  EnvMessage,
  EnvStatus,
  ExerciseView,
  LabSummary,
  LabView,
  Lang,
  Me,
  TerminalEvent,
} from '../../server/http/apiTypes.ts';
import { parseLab, renderMarkdown, type FakeExercise, type FakeLab } from './fakeLab.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const dist = join(here, '..', '..', 'dist', 'web');
const port = Number(process.argv[2] ?? process.env.PORT ?? 5174);
const BOOT_MS = Number(process.env.FAKE_BOOT_MS ?? 3000);
const NODES = ['bigdata01', 'bigdata02', 'bigdata03'];

function str(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function bufferOf(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

// ---------- labs ----------
const COURSE_TITLE: Bilingual = { zh: '消息队列与 Kafka 动手实验', en: 'Message queues and Kafka, hands-on' };
const PLACEHOLDERS: [string, Bilingual, 'install' | 'ready'][] = [
  ['mq-basics', { zh: '消息队列基础', en: 'Message queue basics' }, 'ready'],
  ['use-cases', { zh: '消息队列的应用场景', en: 'What message queues are for' }, 'ready'],
  ['mq-systems', { zh: '常见的消息队列', en: 'Common message queue systems' }, 'ready'],
  ['kafka-intro', { zh: '认识 Kafka', en: 'Meet Kafka' }, 'ready'],
  ['core-concepts', { zh: 'Kafka 核心概念', en: 'Kafka core concepts' }, 'ready'],
];

function placeholderLab(id: string, title: Bilingual, environment: 'install' | 'ready', i: number): FakeLab {
  const source = `---
id: ${id}
title: { zh: "${title.zh}", en: "${title.en}" }
summary: { zh: "第 ${i + 1} 章的演示内容：主题、分区与消费者组。", en: "Demo content for chapter ${i + 1}: topics, partitions and consumer groups." }
environment: ${environment}
minutes: ${15 + i * 5}
requires: [${i === 0 ? '' : PLACEHOLDERS[i - 1]?.[0]}]
---

## 创建主题 / Create a topic

::: zh
在 **bigdata01** 上创建一个有 3 个分区、3 个副本的主题 \`orders\`：
:::

::: en
On **bigdata01**, create a topic \`orders\` with 3 partitions and 3 replicas:
:::

\`\`\`bash
kafka-topics.sh --bootstrap-server bigdata01:9092 --create --topic orders --partitions 3 --replication-factor 3
kafka-topics.sh --bootstrap-server bigdata01:9092 --describe --topic orders
\`\`\`

\`\`\`check
id: ${id}-orders-topic
title: { zh: "主题 orders 有 3 个分区、3 个副本", en: "Topic orders has 3 partitions, 3 replicas" }
type: kafka.topic
points: 10
hints:
  - { zh: "用 kafka-topics.sh --create ...", en: "Use kafka-topics.sh --create ..." }
  - { zh: "别忘了 --replication-factor 3", en: "Don't forget --replication-factor 3" }
\`\`\`

## 分区与副本 / Partitions and replicas

::: zh
每个分区有一个 **leader**，其余副本是 follower；与 leader 保持同步的副本集合叫 **ISR**。
:::

::: en
Each partition has one **leader**; the other replicas follow it. The replicas in sync with the leader form the **ISR**.
:::

\`\`\`quiz
id: ${id}-isr
question: { zh: "下面哪些说法是对的？", en: "Which statements are true?" }
choices:
  - { zh: "每个分区有且只有一个 leader", en: "Each partition has exactly one leader" }
  - { zh: "ISR 总是包含所有副本", en: "The ISR always contains every replica" }
  - { zh: "生产者把消息写到分区的 leader", en: "Producers write to the partition's leader" }
answer: [0, 2]
hints:
  - { zh: "想想 broker 宕机时 ISR 会怎样。", en: "Think about what happens to the ISR when a broker goes down." }
\`\`\`
`;
  return parseLab(source);
}

const LABS: FakeLab[] = [
  ...PLACEHOLDERS.map(([id, title, env], i) => placeholderLab(id, title, env, i)),
  parseLab(readFileSync(join(repo, 'labs', 'install', 'lab.md'), 'utf8')),
];

// ---------- per-user state ----------
interface ExerciseState {
  status: 'todo' | 'passed' | 'failed';
  attempts: number;
  hints: number;
  lastMessage: Bilingual | null;
}

interface Shell {
  node: string;
  output: Buffer[];
  outputBytes: number;
  line: string;
  cols: number;
  rows: number;
  socket: WebSocket | null;
  paused: boolean;
  queued: Buffer[];
}

interface User {
  name: string;
  lang: Lang;
  positions: Map<string, number>;
  exercises: Map<string, ExerciseState>;
  env: EnvStatus;
  envSockets: Set<WebSocket>;
  shells: Map<string, Shell>;
  fs: Map<string, FakeFs>;
  topics: ClusterSnapshot['topics'];
  brokersUp: boolean;
}

const users = new Map<string, User>();
const sessions = new Map<string, string>();

function newEnv(): EnvStatus {
  const mode = process.env.FAKE_MODE;
  if (mode === 'install' || mode === 'ready') {
    return { phase: 'stopped', mode, events: [], error: null, nodes: NODES };
  }
  return { phase: 'none', mode: null, events: [], error: null, nodes: NODES };
}

function userFor(name: string): User {
  let u = users.get(name);
  if (u === undefined) {
    u = {
      name,
      lang: 'zh',
      positions: new Map(),
      exercises: new Map(),
      env: newEnv(),
      envSockets: new Set(),
      shells: new Map(),
      fs: new Map(NODES.map((n) => [n, makeFs(n)])),
      topics: defaultTopics(),
      brokersUp: true,
    };
    users.set(name, u);
  }
  return u;
}

function cookieSession(req: IncomingMessage): User | null {
  const cookie = req.headers.cookie ?? '';
  const m = /(?:^|;\s*)kl_session=([^;]+)/.exec(cookie);
  const name = m?.[1] === undefined ? undefined : sessions.get(m[1]);
  return name === undefined ? null : userFor(name);
}

function fail(res: Response, status: number, error: string, message: string, details?: string): void {
  const body: ApiError = { error, message, ...(details === undefined ? {} : { details }) };
  res.status(status).json(body);
}

function auth(req: Request, res: Response): User | null {
  const user = cookieSession(req);
  if (user === null) fail(res, 401, 'unauthorized', 'Sign in first');
  return user;
}

// ---------- fake file system ----------
type FakeFs = Map<
  string,
  { kind: 'dir' } | { kind: 'file'; content: string; mtime: string } | { kind: 'binary'; size: number }
>;

function makeFs(node: string): FakeFs {
  const now = new Date().toISOString();
  const fs: FakeFs = new Map();
  const dir = (p: string): void => void fs.set(p, { kind: 'dir' });
  const file = (p: string, content: string): void => void fs.set(p, { kind: 'file', content, mtime: now });
  [
    '/',
    '/root',
    '/etc',
    '/etc/profile.d',
    '/opt',
    '/opt/soft',
    '/opt/apps',
    '/opt/apps/kafka',
    '/opt/apps/kafka/config',
    '/opt/apps/kafka/bin',
    '/opt/data',
    '/proc',
  ].forEach(dir);
  const id = NODES.indexOf(node) + 1;
  file(
    '/opt/apps/kafka/config/server.properties',
    `# Kafka broker configuration (fake ${node})\n# 每台服务器的 broker.id 必须不同\nbroker.id=${id}\n\n# 日志（消息数据）目录\nlog.dirs=/opt/data/kafka\n\nnum.partitions=1\nzookeeper.connect=bigdata01:2181,bigdata02:2181,bigdata03:2181/kafka\nzookeeper.connection.timeout.ms=18000\n`,
  );
  file('/opt/apps/kafka/bin/kafka-server-start.sh', '#!/bin/bash\nexec java kafka.Kafka "$@"\n');
  file(
    '/opt/apps/kafka/config/producer.json',
    '{\n  "bootstrap": "bigdata01:9092",\n  "acks": "all",\n  "retries": 3\n}\n',
  );
  file(
    '/etc/profile.d/hadoop-etc.sh',
    '# environment for the big-data tools\nexport JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64\n',
  );
  file('/root/.bashrc', '# ~/.bashrc\nalias ll="ls -l"\n');
  file(
    '/root/producer.js',
    "const { Kafka } = require('kafkajs');\n\nconst kafka = new Kafka({ brokers: ['bigdata01:9092'] });\n",
  );
  file('/root/notes.md', '# My notes\n\n- ISR = in-sync replicas\n');
  file('/root/huge.log', 'x');
  fs.set('/opt/soft/kafka_2.13-3.9.2.tgz', { kind: 'binary', size: 120_000_000 });
  return fs;
}

function listDir(
  fs: FakeFs,
  path: string,
): { name: string; type: 'file' | 'dir' | 'link' | 'other'; size: number; mtime: string }[] {
  const prefix = path === '/' ? '/' : `${path}/`;
  const out: { name: string; type: 'file' | 'dir' | 'link' | 'other'; size: number; mtime: string }[] = [];
  for (const [p, entry] of fs) {
    if (p === path || !p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    if (rest.includes('/')) continue;
    out.push({
      name: rest,
      type: entry.kind === 'dir' ? 'dir' : 'file',
      size:
        entry.kind === 'file'
          ? Buffer.byteLength(entry.content)
          : entry.kind === 'binary'
            ? entry.size
            : 4096,
      mtime: new Date().toISOString(),
    });
  }
  return out;
}

// ---------- cluster ----------
function defaultTopics(): ClusterSnapshot['topics'] {
  const parts = (n: number, rf: number): ClusterSnapshot['topics'][number]['partitions'] =>
    Array.from({ length: n }, (_, p) => {
      const replicas = Array.from({ length: rf }, (_, r) => ((p + r) % 3) + 1);
      return { partition: p, leader: replicas[0] ?? 1, replicas, isr: [...replicas], offline: [] };
    });
  const orders = parts(3, 3);
  const p2 = orders[2];
  if (p2 !== undefined) p2.isr = p2.isr.slice(0, 2); // one under-replicated partition to look at
  return [
    { name: '__consumer_offsets', internal: true, partitions: parts(10, 3) },
    { name: 'orders', internal: false, partitions: orders },
    { name: 'kafkalab-ready', internal: false, partitions: parts(1, 3) },
  ];
}

function snapshot(user: User): ClusterSnapshot {
  const up = user.brokersUp && !(user.env.mode === 'install');
  return {
    at: new Date().toISOString(),
    brokers: up ? [1, 2, 3].map((id) => ({ id, host: `bigdata0${id}`, port: 9092, up: true })) : [],
    controller: up ? 1 : null,
    topics: up ? user.topics : [],
    groups: up
      ? [
          {
            groupId: 'order-service',
            state: 'Stable',
            members: [
              {
                memberId: 'c-1',
                clientId: 'consumer-1',
                host: '/172.18.0.2',
                assignments: [{ topic: 'orders', partitions: [0, 1, 2] }],
              },
            ],
            offsets: [0, 1, 2].map((p) => ({
              topic: 'orders',
              partition: p,
              committed: 40 + p,
              end: 42 + p * 3,
              lag: 2 + p * 2,
            })),
            totalLag: 12,
          },
          { groupId: 'audit', state: 'Empty', members: [], offsets: [], totalLag: 0 },
        ]
      : [],
    errors: up ? [] : ['Connection refused: bigdata01:9092, bigdata02:9092, bigdata03:9092'],
  };
}

function pushEnv(user: User, message: EnvMessage): void {
  const text = JSON.stringify(message);
  for (const ws of user.envSockets) if (ws.readyState === ws.OPEN) ws.send(text);
}

function setEnv(user: User, change: Partial<EnvStatus>): void {
  user.env = { ...user.env, ...change };
  pushEnv(user, { type: 'status', status: user.env });
}

function boot(user: User, mode: 'install' | 'ready', resume: boolean): void {
  const started = Date.now();
  const steps: { phase: string; message: string; done?: number; total?: number }[] = resume
    ? [{ phase: 'servers', message: 'starting bigdata01..03' }]
    : [
        { phase: 'network', message: 'creating network kafkalab-env-demo' },
        { phase: 'servers', message: 'creating bigdata01..03' },
        { phase: 'servers', message: 'starting bigdata01..03' },
      ];
  for (let i = 0; i <= 3; i++)
    steps.push({ phase: 'zookeeper', message: `ZooKeeper ${i}/3 in the quorum`, done: i, total: 3 });
  if (mode === 'ready') {
    if (!resume)
      steps.push({
        phase: 'install',
        message: 'installing Kafka on bigdata01..03 (the install lab’s solution)',
      });
    for (let i = 0; i <= 3; i++)
      steps.push({ phase: 'brokers', message: `brokers ${i}/3 registered`, done: i, total: 3 });
    steps.push({ phase: 'controller', message: 'controller elected: broker 1' });
    steps.push({ phase: 'roundtrip', message: 'produce/consume round trip ok (182 ms)' });
  }
  steps.push({ phase: 'ready', message: 'environment ready' });
  setEnv(user, { phase: 'booting', mode, events: [], error: null });
  const failAt =
    process.env.FAKE_BOOT_FAIL === '1' ? steps.findIndex((s) => s.phase === 'zookeeper' && s.done === 2) : -1;
  steps.forEach((step, i) => {
    setTimeout(
      () => {
        if (user.env.phase !== 'booting') return;
        if (i === failAt) {
          setEnv(user, {
            phase: 'failed',
            error: {
              error: 'zookeeper_not_ready',
              message: 'The ZooKeeper quorum did not form: no answer from bigdata03',
              details:
                '--- bigdata03: zookeeper.log ---\n2026-01-01 10:00:00 ERROR Unable to resolve address: bigdata01:3888\njava.net.UnknownHostException: bigdata01',
            },
          });
          return;
        }
        const events = [...user.env.events, { ...step, at: Date.now() - started }];
        setEnv(user, step.phase === 'ready' ? { phase: 'running', events } : { events });
        if (step.phase === 'ready') pushEnv(user, { type: 'snapshot', snapshot: snapshot(user) });
      },
      ((i + 1) * BOOT_MS) / steps.length,
    );
  });
}

// ---------- exercises ----------
function findExercise(lab: FakeLab, id: string): FakeExercise | undefined {
  for (const step of lab.steps) {
    for (const piece of step.pieces)
      if (piece.kind === 'exercise' && piece.exercise.id === id) return piece.exercise;
  }
  return undefined;
}

function exState(user: User, id: string): ExerciseState {
  let s = user.exercises.get(id);
  if (s === undefined) {
    s = { status: 'todo', attempts: 0, hints: 0, lastMessage: null };
    user.exercises.set(id, s);
  }
  return s;
}

function exView(user: User, ex: FakeExercise, lang: Lang): ExerciseView {
  const s = exState(user, ex.id);
  const base = {
    id: ex.id,
    points: ex.points,
    status: s.status,
    attempts: s.attempts,
    hints: ex.hints.slice(0, s.hints).map((h) => h[lang]),
    hintCount: ex.hints.length,
    lastMessage: s.lastMessage,
  };
  if (ex.kind === 'quiz') {
    return {
      ...base,
      kind: 'quiz',
      question: ex.title[lang],
      choices: ex.choices.map((c) => c[lang]),
      multiple: ex.answer.length > 1,
    };
  }
  return { ...base, kind: 'check', title: ex.title[lang], type: ex.type };
}

function runFakeCheck(
  user: User,
  ex: FakeExercise,
  answer: number[] | undefined,
): { status: 'pass' | 'fail' | 'error'; message: Bilingual } {
  if (ex.kind === 'quiz') {
    const right =
      answer !== undefined &&
      answer.length === ex.answer.length &&
      answer.every((a) => ex.answer.includes(a));
    return right
      ? { status: 'pass', message: ex.explanation ?? { zh: '回答正确。', en: 'Correct.' } }
      : { status: 'fail', message: { zh: '还不对，再想想。', en: 'Not quite; think again.' } };
  }
  if (user.env.phase !== 'running') {
    return {
      status: 'error',
      message: {
        zh: '无法运行检查：环境没有在运行。',
        en: 'The check could not run: the environment is not running.',
      },
    };
  }
  if (ex.type === 'file') {
    const node = str(ex.params.node, 'bigdata01');
    const path = str(ex.params.path, '/');
    const found = user.fs.get(node)?.has(path) === true;
    return found
      ? { status: 'pass', message: { zh: `${node} 上找到了 ${path}`, en: `Found ${path} on ${node}` } }
      : {
          status: 'fail',
          message: { zh: `${node} 上没有 ${path}`, en: `${path} does not exist on ${node}` },
        };
  }
  // Other types pass on the third try, so both outcomes can be seen.
  const s = exState(user, ex.id);
  return s.attempts >= 2
    ? {
        status: 'pass',
        message: { zh: '找到了：3 个分区，副本数 3。', en: 'Found it: 3 partitions, replication factor 3.' },
      }
    : { status: 'fail', message: { zh: '找到 1 个分区，期望 3 个。', en: 'Found 1 partition; expected 3.' } };
}

function labView(user: User, lab: FakeLab, lang: Lang): LabView {
  const blocks = (pieces: FakeLab['steps'][number]['pieces']): Block[] =>
    pieces.map((p) =>
      p.kind === 'markdown'
        ? { kind: 'html', html: renderMarkdown(p[lang]) }
        : { kind: 'exercise', exercise: exView(user, p.exercise, lang) },
    );
  return {
    id: lab.id,
    lang,
    title: lab.title[lang],
    summary: lab.summary[lang],
    environment: lab.environment,
    minutes: lab.minutes,
    intro: [],
    steps: lab.steps.map((s, index) => ({ index, title: s.title[lang], blocks: blocks(s.pieces) })),
    position: user.positions.get(lab.id) ?? null,
  };
}

function summary(user: User, lab: FakeLab): LabSummary {
  const exercises = lab.steps.flatMap((s) =>
    s.pieces.flatMap((p) => (p.kind === 'exercise' ? [p.exercise] : [])),
  );
  const passed = exercises.filter((e) => exState(user, e.id).status === 'passed');
  return {
    id: lab.id,
    title: lab.title,
    summary: lab.summary,
    environment: lab.environment,
    minutes: lab.minutes,
    requires: lab.requires,
    exercises: exercises.length,
    passed: passed.length,
    points: exercises.reduce((s, e) => s + e.points, 0),
    earned: passed.reduce((s, e) => s + e.points, 0),
    position: user.positions.get(lab.id) ?? null,
  };
}

// ---------- HTTP ----------
const app = express();
app.use(express.json());
app.use(express.text({ type: 'text/plain', limit: '2mb' }));

app.get('/healthz', (_req, res) => {
  if (process.env.FAKE_ENGINE_DOWN === '1') {
    res.status(503).json({
      ok: false,
      engine: { ok: false, error: 'connect ENOENT /var/run/docker.sock' },
      images: { ok: false, image: 'kafkalab/node:latest', error: 'engine unreachable' },
    });
  } else
    res.json({
      ok: true,
      engine: { ok: true, version: '26.1.5' },
      images: { ok: true, image: 'kafkalab/node:latest' },
    });
});

app.post('/api/session', (req, res) => {
  const name =
    typeof (req.body as { name?: unknown }).name === 'string'
      ? (req.body as { name: string }).name.trim()
      : '';
  if (name === '' || name.length > 64)
    return fail(res, 400, 'bad_name', 'A name of 1 to 64 characters, please');
  const id = randomUUID();
  sessions.set(id, name);
  const user = userFor(name);
  res.setHeader('Set-Cookie', `kl_session=${id}; Path=/; HttpOnly; SameSite=Lax`);
  const me: Me = { name: user.name, lang: user.lang };
  res.json(me);
});
app.delete('/api/session', (_req, res) => {
  res.setHeader('Set-Cookie', 'kl_session=; Path=/; Max-Age=0');
  res.status(204).end();
});
app.get('/api/me', (req, res) => {
  const user = auth(req, res);
  if (user !== null) res.json({ name: user.name, lang: user.lang } satisfies Me);
});
app.put('/api/me', (req, res) => {
  const user = auth(req, res);
  if (user === null) return;
  const lang = (req.body as { lang?: unknown }).lang;
  if (lang !== 'zh' && lang !== 'en') return fail(res, 400, 'bad_lang', 'lang must be zh or en');
  user.lang = lang;
  res.json({ name: user.name, lang } satisfies Me);
});
app.get('/api/labs', (req, res) => {
  const user = auth(req, res);
  if (user !== null) res.json({ title: COURSE_TITLE, labs: LABS.map((l) => summary(user, l)) });
});
app.get('/api/labs/:id', (req, res) => {
  const user = auth(req, res);
  if (user === null) return;
  const lab = LABS.find((l) => l.id === req.params.id);
  if (lab === undefined) return fail(res, 404, 'not_found', `No lab ${req.params.id}`);
  const lang: Lang = req.query.lang === 'en' ? 'en' : req.query.lang === 'zh' ? 'zh' : user.lang;
  res.json(labView(user, lab, lang));
});
app.put('/api/labs/:id/position', (req, res) => {
  const user = auth(req, res);
  if (user === null) return;
  user.positions.set(req.params.id, Number((req.body as { step?: unknown }).step ?? 0));
  res.status(204).end();
});
app.post('/api/labs/:id/checks/:exerciseId', (req, res) => {
  const user = auth(req, res);
  if (user === null) return;
  const lab = LABS.find((l) => l.id === req.params.id);
  const ex = lab === undefined ? undefined : findExercise(lab, req.params.exerciseId);
  if (ex === undefined) return fail(res, 404, 'not_found', 'No such exercise');
  const lang: Lang = req.query.lang === 'en' ? 'en' : 'zh';
  const started = Date.now();
  const answer = (req.body as { answer?: number[] }).answer;
  setTimeout(
    () => {
      const result = runFakeCheck(user, ex, answer);
      const s = exState(user, ex.id);
      if (result.status !== 'error') {
        s.attempts += 1;
        s.lastMessage = result.message;
        if (s.status !== 'passed') s.status = result.status === 'pass' ? 'passed' : 'failed';
      }
      const body: CheckResponse = {
        ...result,
        durationMs: Date.now() - started,
        exercise: exView(user, ex, lang),
      };
      res.json(body);
    },
    ex.kind === 'quiz' ? 80 : 700,
  );
});
app.post('/api/labs/:id/checks/:exerciseId/hints', (req, res) => {
  const user = auth(req, res);
  if (user === null) return;
  const lab = LABS.find((l) => l.id === req.params.id);
  const ex = lab === undefined ? undefined : findExercise(lab, req.params.exerciseId);
  if (ex === undefined) return fail(res, 404, 'not_found', 'No such exercise');
  const lang: Lang = req.query.lang === 'en' ? 'en' : 'zh';
  const s = exState(user, ex.id);
  s.hints = Math.min(ex.hints.length, s.hints + 1);
  const body: CheckResponse = {
    status: s.status === 'passed' ? 'pass' : 'fail',
    message: s.lastMessage ?? { zh: '', en: '' },
    durationMs: 0,
    exercise: exView(user, ex, lang),
  };
  res.json(body);
});

app.get('/api/env', (req, res) => {
  const user = auth(req, res);
  if (user !== null) res.json(user.env);
});
app.post('/api/env', (req, res) => {
  const user = auth(req, res);
  if (user === null) return;
  const body = req.body as { labId?: string; reset?: boolean };
  const lab = LABS.find((l) => l.id === body.labId);
  if (lab === undefined) return fail(res, 404, 'not_found', 'No such lab');
  const env = user.env;
  if (env.mode !== null && env.mode !== lab.environment && body.reset !== true && env.phase !== 'none') {
    return fail(
      res,
      409,
      'mode_mismatch',
      `Your environment runs in ${env.mode} mode; this lab needs ${lab.environment}`,
    );
  }
  if (body.reset === true) {
    user.fs = new Map(NODES.map((n) => [n, makeFs(n)]));
    user.shells.clear();
    boot(user, lab.environment, false);
  } else if (env.phase === 'stopped') boot(user, lab.environment, true);
  else if (env.phase === 'none' || env.phase === 'failed' || env.phase === 'broken')
    boot(user, lab.environment, false);
  res.status(202).json(user.env);
});

app.get('/api/files', (req, res) => {
  const user = auth(req, res);
  if (user === null) return;
  const node = str(req.query.node, '');
  const path = posix.normalize(str(req.query.path, '/'));
  const fs = user.fs.get(node);
  if (fs === undefined) return fail(res, 400, 'bad_node', `No server ${node}`);
  if (user.env.phase !== 'running')
    return fail(res, 409, 'env_not_running', 'The environment is not running');
  if (path.startsWith('/proc'))
    return fail(res, 403, 'path_not_allowed', `${path} is outside the editable folders`);
  if (path === '/root/huge.log') return fail(res, 413, 'too_large', 'Files over 1 MB cannot be edited here');
  const entry = fs.get(path);
  if (entry === undefined) return fail(res, 404, 'not_found', `${path} does not exist on ${node}`);
  if (entry.kind === 'binary') return fail(res, 415, 'binary', `${path} is a binary file`);
  if (entry.kind === 'dir') return res.json({ kind: 'dir', path, entries: listDir(fs, path) });
  res.json({ kind: 'file', path, content: entry.content, mtime: entry.mtime });
});
app.put('/api/files', (req, res) => {
  const user = auth(req, res);
  if (user === null) return;
  const node = str(req.query.node, '');
  const path = posix.normalize(str(req.query.path, '/'));
  const fs = user.fs.get(node);
  if (fs === undefined) return fail(res, 400, 'bad_node', `No server ${node}`);
  if (path.startsWith('/proc'))
    return fail(res, 403, 'path_not_allowed', `${path} is outside the editable folders`);
  if (typeof req.body !== 'string') return fail(res, 400, 'bad_body', 'Send the content as text/plain');
  if (fs.get(path)?.kind === 'dir') return fail(res, 409, 'is_dir', `${path} is a folder`);
  fs.set(path, { kind: 'file', content: req.body, mtime: new Date().toISOString() });
  res.json({ path, bytes: Buffer.byteLength(req.body) });
});

app.use('/api', (_req, res) => fail(res, 404, 'not_found', 'No such API'));
app.use(express.static(dist, { index: false }));
app.use((_req, res) => res.sendFile(join(dist, 'index.html')));

// ---------- WebSockets ----------
const server = createServer(app);
const wss = new WebSocketServer({ noServer: true });

server.on('upgrade', (req, socket, head) => {
  const user = cookieSession(req);
  const url = new URL(req.url ?? '/', 'http://x');
  if (user === null || (url.pathname !== '/ws/env' && url.pathname !== '/ws/terminal')) {
    socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
    socket.destroy();
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    if (url.pathname === '/ws/env') onEnvSocket(user, ws);
    else onTerminal(user, ws, url);
  });
});

function onEnvSocket(user: User, ws: WebSocket): void {
  user.envSockets.add(ws);
  ws.send(JSON.stringify({ type: 'status', status: user.env } satisfies EnvMessage));
  const timer = setInterval(() => {
    if (user.env.phase === 'running')
      ws.send(JSON.stringify({ type: 'snapshot', snapshot: snapshot(user) } satisfies EnvMessage));
  }, 2000);
  if (user.env.phase === 'running')
    ws.send(JSON.stringify({ type: 'snapshot', snapshot: snapshot(user) } satisfies EnvMessage));
  ws.on('close', () => {
    clearInterval(timer);
    user.envSockets.delete(ws);
  });
}

/** Most recent output kept per shell for replay on reattach. */
const REPLAY_BYTES = 64 * 1024;

function shellWrite(shell: Shell, text: string): void {
  const data = Buffer.from(text, 'utf8');
  shell.output.push(data);
  shell.outputBytes += data.length;
  while (shell.outputBytes > REPLAY_BYTES && shell.output.length > 1)
    shell.outputBytes -= shell.output.shift()?.length ?? 0;
  if (shell.socket === null) return;
  if (shell.paused) shell.queued.push(data);
  else shell.socket.send(data);
}

function prompt(shell: Shell): string {
  return `\x1b[1;32m[root@${shell.node} ~]#\x1b[0m `;
}

function runCommand(user: User, shell: Shell, line: string, ws: WebSocket): void {
  const cmd = line.trim();
  if (cmd === 'exit') {
    shellWrite(shell, 'logout\r\n');
    user.shells.delete(shell.node);
    ws.send(JSON.stringify({ type: 'exit' } satisfies TerminalEvent));
    ws.close(1000);
    return;
  }
  let out = '';
  if (cmd === 'stty size') out = `${shell.rows} ${shell.cols}\r\n`;
  else if (cmd === 'hostname') out = `${shell.node}\r\n`;
  else if (cmd === 'jps') out = '1234 QuorumPeerMain\r\n2345 Kafka\r\n3456 Jps\r\n';
  else if (cmd.startsWith('ls'))
    out = '\x1b[1;34mapps\x1b[0m  \x1b[1;34mdata\x1b[0m  \x1b[1;34msoft\x1b[0m  notes.md  producer.js\r\n';
  else if (cmd.startsWith('echo ')) out = `${cmd.slice(5)}\r\n`;
  else if (/^seq \d+$/.test(cmd)) {
    const n = Math.min(Number(cmd.slice(4)), 200_000);
    for (let i = 1; i <= n; i++) out += `${i}\r\n`;
  } else if (cmd === 'kafka-topics.sh --list') out = 'orders\r\nkafkalab-ready\r\n';
  else if (cmd !== '') out = `fake shell: ran \x1b[33m${cmd}\x1b[0m\r\n`;
  shellWrite(shell, out + prompt(shell));
}

function onTerminal(user: User, ws: WebSocket, url: URL): void {
  const node = url.searchParams.get('node') ?? '';
  if (!NODES.includes(node) || user.env.phase !== 'running') {
    ws.send(
      JSON.stringify({
        type: 'error',
        error: 'env_not_running',
        message: 'The environment is not running',
      } satisfies TerminalEvent),
    );
    ws.close(1011);
    return;
  }
  let shell = user.shells.get(node);
  const fresh = shell === undefined;
  if (shell === undefined) {
    shell = {
      node,
      output: [],
      outputBytes: 0,
      line: '',
      cols: 80,
      rows: 24,
      socket: null,
      paused: false,
      queued: [],
    };
    user.shells.set(node, shell);
  }
  shell.socket?.close(4000, 'replaced');
  shell.socket = ws;
  shell.paused = false;
  shell.queued = [];
  shell.cols = Number(url.searchParams.get('cols') ?? 80);
  shell.rows = Number(url.searchParams.get('rows') ?? 24);
  const replay = Buffer.concat(shell.output);
  ws.send(JSON.stringify({ type: 'attached', node, fresh, replayed: replay.length } satisfies TerminalEvent));
  if (replay.length > 0) ws.send(replay);
  if (fresh)
    shellWrite(
      shell,
      `Welcome to ${node} (fake shell: echo, ls, jps, hostname, stty size, seq N, exit)\r\n${prompt(shell)}`,
    );
  const sh = shell;
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      const msg = JSON.parse(bufferOf(data).toString('utf8')) as {
        type: string;
        cols?: number;
        rows?: number;
      };
      if (msg.type === 'resize') {
        sh.cols = msg.cols ?? sh.cols;
        sh.rows = msg.rows ?? sh.rows;
      } else if (msg.type === 'pause') sh.paused = true;
      else if (msg.type === 'resume') {
        sh.paused = false;
        for (const chunk of sh.queued.splice(0)) ws.send(chunk);
      }
      return;
    }
    const text = bufferOf(data).toString('utf8');
    for (const ch of text) {
      if (ch === '\r') {
        shellWrite(sh, '\r\n');
        const line = sh.line;
        sh.line = '';
        runCommand(user, sh, line, ws);
      } else if (ch === '\x7f') {
        if (sh.line.length > 0) {
          sh.line = sh.line.slice(0, -1);
          shellWrite(sh, '\b \b');
        }
      } else if (ch === '\x03') {
        sh.line = '';
        shellWrite(sh, `^C\r\n${prompt(sh)}`);
      } else if (ch >= ' ') {
        sh.line += ch;
        shellWrite(sh, ch);
      }
    }
  });
  ws.on('close', () => {
    if (sh.socket === ws) sh.socket = null;
  });
}

server.listen(port, '127.0.0.1', () => {
  console.error(`fake Kafka Lab server on http://127.0.0.1:${port}/ (serving ${dist})`);
});
