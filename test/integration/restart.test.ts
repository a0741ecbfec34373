import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { hashPassword } from '../../server/auth/passwords.ts';
import { createEnvironments } from '../../server/main.ts';
import { loadConfig } from '../../server/config.ts';
import type { DockerBackend } from '../../server/env/DockerBackend.ts';
import { LABELS } from '../../server/env/labels.ts';
import type { EnvMessage, EnvStatus, LabView } from '../../server/http/apiTypes.ts';
import { projectRoot } from '../../server/paths.ts';
import { SqliteStore } from '../../server/store/Store.ts';
import { cleanupPrefix, dumpLogsOnFailure, testDocker } from './support/docker.ts';

/**
 * Issue 12 item 4: the real server process (`kafkalab serve`) is killed with SIGKILL in the middle
 * of an operation on a student's environment, started again on the same data directory, and must
 * leave nothing behind: no object with its prefix that is not a student's, no half-created
 * environment, the student's environment adopted or cleanly made again, and their progress kept.
 * Each scenario says how to get the environment ready for it and when to kill; adding one is
 * adding an entry to SCENARIOS.
 */
const PREFIX = 'kltest-kill';
/** The install lab: its environment (ZooKeeper only) is the cheapest real one to boot. */
const LAB = 'install';
/** A quiz of that lab: answering it records an attempt without needing the environment. */
const QUIZ = 'why-zookeeper';
const STUDENT = 'kill-student';
const TEACHER = 'kill-teacher';
const TEACHER_PASSWORD = 'kill-teacher-password';
/** Boots are slow while other work shares this engine's two cores. */
const BOOT_MS = 6 * 60_000;
const SERVER_START_MS = 6 * 60_000;

const docker = testDocker();
let dataDir: string;
let classId: number;
let studentId: number;
/** The server of the scenario under way (stopped at the end of each). */
let server: ServerProcess | undefined;

/** What a scenario works with: the running server, signed in as the student and the teacher. */
interface Session {
  readonly server: ServerProcess;
  readonly student: string;
  readonly teacher: string;
}

/** One way of killing the server mid-operation. */
interface KillScenario {
  readonly name: string;
  /** Where the student's environment must be before (brought about through the server). */
  readonly before: 'none' | 'running' | 'stopped';
  /** Starts the operation; resolves at the moment to kill (mid-way, as events tell). */
  readonly during: (s: Session) => Promise<void>;
  /** What the student's environment may be after the restart, before anything else is asked. */
  readonly after: readonly EnvStatus['phase'][];
  /** Whether the environment is the same one as before (adopted, not made again). */
  readonly adopted: boolean;
  /** More environment for both runs of the server (a warm pool's size, say). */
  readonly env?: Readonly<Record<string, string>>;
  /** More environment for the run after the kill only (overrides `env`). */
  readonly restartEnv?: Readonly<Record<string, string>>;
}

const SCENARIOS: readonly KillScenario[] = [
  {
    name: 'during a create, once its servers exist and before provisioning finished',
    before: 'none',
    during: async (s) => {
      const midway = statusWhere(s.server, s.student, (st) => bootedTo(st, 'zookeeper'));
      await api(s.server, s.student, 'POST', '/api/env', { labId: LAB });
      await midway;
    },
    after: ['none'],
    adopted: false,
  },
  {
    name: 'during a stop, once the engine is stopping its servers',
    before: 'running',
    during: async (s) => {
      const stopping = engineEvent('kill');
      await stopping.listening;
      // Never answered: the server dies while it stops.
      void api(s.server, s.teacher, 'POST', `/api/classes/${classId}/students/${studentId}/env`, {
        action: 'stop',
      }).catch(() => undefined);
      await stopping.happened;
    },
    // The engine finishes the stops it was asked for; any it was not asked for leave a mix.
    after: ['stopped', 'running', 'broken'],
    adopted: true,
  },
  {
    name: 'during a start (resume), once its servers were started and before ZooKeeper is back',
    before: 'stopped',
    during: async (s) => {
      const midway = statusWhere(s.server, s.student, (st) => bootedTo(st, 'zookeeper'));
      await api(s.server, s.student, 'POST', '/api/env', { labId: LAB });
      await midway;
    },
    after: ['running'],
    adopted: true,
  },
  {
    name: 'during a claim from the warm pool, as the student arrives',
    before: 'none',
    env: { KAFKALAB_POOL_INSTALL: '1' },
    // Without a pool after the restart, so that nothing boots while the remains are judged; the
    // pool still removes the member an earlier run left untaken, before the server listens.
    restartEnv: { KAFKALAB_POOL_INSTALL: '0' },
    during: async (s) => {
      await poolReady(s.server);
      // Answered "running" at once; the kill then lands while the pool boots the replacement.
      const taken = await api<EnvStatus>(s.server, s.student, 'POST', '/api/env', { labId: LAB });
      expect(taken.events.map((e) => e.phase)).toEqual(['pool']);
    },
    // The student keeps the environment they took; the half-made replacement is gone.
    after: ['running'],
    adopted: false,
  },
];

beforeAll(async () => {
  await cleanupPrefix(docker, PREFIX);
  dataDir = mkdtempSync(path.join(tmpdir(), 'kltest-kill-'));
  // The accounts the scenarios use: a student (open mode signs them in by name) in a class
  // whose teacher (with a password) can stop their environment.
  const store = openStore();
  try {
    const teacher = store.createUser(TEACHER, 'instructor', {
      passwordHash: await hashPassword(TEACHER_PASSWORD),
    });
    const student = store.studentNamed(STUDENT);
    const cls = store.createClass('kill class', teacher.id, [{ labId: LAB, due: null }]);
    store.addMember(cls.id, student.id, 'student');
    classId = cls.id;
    studentId = student.id;
  } finally {
    store.close();
  }
});

afterAll(async () => {
  await server?.stop();
  await cleanupPrefix(docker, PREFIX);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('killing the server (SIGKILL) mid-operation and starting it again', () => {
  for (const scenario of SCENARIOS) {
    it(
      scenario.name,
      async () => {
        dumpLogsOnFailure(docker, PREFIX, () => Promise.resolve(server?.output() ?? ''));
        await server?.stop(); // left running by a scenario that failed
        server = await ServerProcess.start(dataDir, scenario.env);
        let session = await signIn(server);
        await bringTo(session, scenario.before);
        const containersBefore = await containerIds();
        const recorded = await recordProgress(session);

        const settled = engineSettled();
        await settled.listening;
        await scenario.during(session);
        await server.kill();

        server = await ServerProcess.start(dataDir, { ...scenario.env, ...scenario.restartEnv });
        session = await signIn(server);
        // A stop the engine was asked for before the kill still ends; judge after it has.
        await settled.done();

        await expectNothingLeftOver();
        const phase = (await api<EnvStatus>(server, session.student, 'GET', '/api/env')).phase;
        expect(scenario.after).toContain(phase);
        if (scenario.adopted && phase !== 'broken') expect(await containerIds()).toEqual(containersBefore);

        // Whatever it is now, a start brings it up (resumed, or made again).
        await bringTo(session, 'running');
        await expectNothingLeftOver();
        expect(await progressOf(session)).toEqual(recorded);
        await server.stop();
        server = undefined;
      },
      3 * BOOT_MS + 3 * SERVER_START_MS,
    );
  }
});

/** The server as a child process: `node bin/kafkalab.js serve` on a port of its choosing. */
class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    /** Its console and log lines so far (the last 2000). */
    private readonly lines: string[],
  ) {}

  /** Starts it and resolves with its URL once it prints it (it has reconciled and listens then). */
  static start(dir: string, env: Readonly<Record<string, string>> = {}): Promise<ServerProcess> {
    const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'kafkalab.js'), 'serve'], {
      cwd: projectRoot,
      env: {
        ...process.env,
        KAFKALAB_PREFIX: PREFIX,
        KAFKALAB_DATA_DIR: dir,
        PORT: '0',
        KAFKALAB_HOST: '127.0.0.1',
        KAFKALAB_AUTH: 'open',
        // No warm pool unless a scenario asks: it would boot environments of its own meanwhile.
        KAFKALAB_POOL_READY: '0',
        KAFKALAB_POOL_INSTALL: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the server did not print its URL in time:\n${lines.slice(-50).join('\n')}`));
      }, SERVER_START_MS);
      const take = (chunk: Buffer): void => {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line === '') continue;
          lines.push(line);
          if (lines.length > 2000) lines.shift();
          const url = /Kafka Lab is running at (http:\/\/\S+)/.exec(line)?.[1];
          if (url !== undefined) {
            clearTimeout(timer);
            resolve(new ServerProcess(child, url.replace(/\/$/, ''), lines));
          }
        }
      };
      child.stdout?.on('data', take);
      child.stderr?.on('data', take);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(
            `the server exited (${code ?? signal}) before listening:\n${lines.slice(-50).join('\n')}`,
          ),
        );
      });
    });
  }

  /** Its console and log so far (the last lines), for a failure's report. */
  output(): string {
    return `----- server output (last lines) -----\n${this.lines.slice(-200).join('\n')}`;
  }

  /** SIGKILL, by its pid: no shutdown code runs, as in a crash or an OOM kill. */
  kill(): Promise<void> {
    return this.end('SIGKILL');
  }

  /** SIGTERM: the server's own shutdown (SIGKILL if that hangs, so a test never does). */
  async stop(): Promise<void> {
    const hung = setTimeout(() => void this.kill(), 60_000);
    await this.end('SIGTERM');
    clearTimeout(hung);
  }

  private end(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    if (this.child.pid !== undefined) process.kill(this.child.pid, signal);
    return exited;
  }
}

/** Sends an API request as the holder of `cookie`; the JSON answer, or an error with it. */
async function api<T = unknown>(
  s: ServerProcess,
  cookie: string,
  method: string,
  route: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${s.url}${route}`, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Signs in (the student by name, the teacher with the password) and returns the session cookies. */
async function signIn(s: ServerProcess): Promise<Session> {
  const cookieOf = async (body: unknown): Promise<string> => {
    const res = await fetch(`${s.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`sign-in: ${res.status} ${await res.text()}`);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('kl_session='));
    if (cookie === undefined) throw new Error('sign-in set no session cookie');
    return cookie.split(';')[0] ?? '';
  };
  return {
    server: s,
    student: await cookieOf({ name: STUDENT }),
    teacher: await cookieOf({ name: TEACHER, password: TEACHER_PASSWORD }),
  };
}

/** Resolves with the first status /ws/env pushes that satisfies `ok` (the current one counts). */
function statusWhere(s: ServerProcess, cookie: string, ok: (st: EnvStatus) => boolean): Promise<EnvStatus> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${s.url.replace(/^http/, 'ws')}/ws/env`, { headers: { cookie } });
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error('no such status in time'));
    }, BOOT_MS);
    ws.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString('utf8')) as EnvMessage;
      if (msg.type !== 'status') return;
      if (msg.status.phase === 'failed') {
        clearTimeout(timer);
        ws.close();
        reject(new Error(`the boot failed: ${JSON.stringify(msg.status.error)}`));
      } else if (ok(msg.status)) {
        clearTimeout(timer);
        ws.close();
        resolve(msg.status);
      }
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Whether a boot under way has reached `phase` (its servers exist from `zookeeper` on). */
function bootedTo(st: EnvStatus, phase: string): boolean {
  return st.phase === 'booting' && st.events.some((e) => e.phase === phase);
}

/** Brings the student's environment to `state` through the server, as a student and teacher would. */
async function bringTo(s: Session, state: KillScenario['before']): Promise<void> {
  const now = (await api<EnvStatus>(s.server, s.student, 'GET', '/api/env')).phase;
  if (state === 'none') {
    if (now !== 'none') await api(s.server, s.student, 'DELETE', '/api/env');
    return;
  }
  if (now !== 'running') {
    const up = statusWhere(s.server, s.student, (st) => st.phase === 'running');
    await api(s.server, s.student, 'POST', '/api/env', { labId: LAB });
    await up;
  }
  if (state === 'stopped')
    await api(s.server, s.teacher, 'POST', `/api/classes/${classId}/students/${studentId}/env`, {
      action: 'stop',
    });
}

/** Resolves once the server's warm pool has a ready install-mode environment (its /metrics say so). */
async function poolReady(s: ServerProcess): Promise<void> {
  const deadline = Date.now() + BOOT_MS;
  for (;;) {
    const text = await (await fetch(`${s.url}/metrics`)).text();
    if (/^kafkalab_pool_size\{mode="install"\} 1$/m.test(text)) return;
    if (Date.now() > deadline) throw new Error('the warm pool never filled');
    // Polling /metrics is the only view of the pool from outside the process.
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Records an attempt (a wrong answer to the quiz) and a hint; returns where the quiz stands. */
async function recordProgress(s: Session): Promise<{ attempts: number; hints: number }> {
  await api(s.server, s.student, 'POST', `/api/labs/${LAB}/checks/${QUIZ}`, { answer: [0] });
  await api(s.server, s.student, 'POST', `/api/labs/${LAB}/checks/${QUIZ}/hints`);
  return progressOf(s);
}

/** Attempts and revealed hints on the quiz, as the lab page shows them. */
async function progressOf(s: Session): Promise<{ attempts: number; hints: number }> {
  const lab = await api<LabView>(s.server, s.student, 'GET', `/api/labs/${LAB}`);
  for (const step of lab.steps)
    for (const block of step.blocks)
      if (block.kind === 'exercise' && block.exercise.id === QUIZ)
        return { attempts: block.exercise.attempts, hints: block.exercise.hints.length };
  throw new Error(`no exercise ${QUIZ} in lab ${LAB}`);
}

/** Ids of the containers with this prefix, sorted. */
async function containerIds(): Promise<string[]> {
  const filters = JSON.stringify({ label: [`${LABELS.prefix}=${PREFIX}`] });
  return (await docker.listContainers({ all: true, filters })).map((c) => c.Id).sort();
}

/** A backend over the prefix that knows nothing in memory: its survey is what the engine has. */
function freshBackend(): DockerBackend {
  const config = loadConfig({ ...process.env, KAFKALAB_PREFIX: PREFIX });
  return createEnvironments(config, docker, pino({ level: 'silent' })).backend;
}

/** The store as the server keeps it (another connection; SQLite's WAL allows that). */
function openStore(): SqliteStore {
  return new SqliteStore(path.join(dataDir, 'kafkalab.sqlite'));
}

/** No object with the prefix but a student's environment, and none of those half-made. */
async function expectNothingLeftOver(): Promise<void> {
  const store = openStore();
  let students: Set<string>;
  try {
    students = new Set(store.students().map((s) => s.envId));
  } finally {
    store.close();
  }
  const remains = await freshBackend().survey();
  expect(remains.filter((r) => !students.has(r.id))).toEqual([]);
  expect(remains.filter((r) => r.stage !== 'complete')).toEqual([]);
}

/**
 * Engine events of containers with the prefix: `listening` once subscribed, `happened` at the
 * first one with this action.
 */
function engineEvent(action: string): { listening: Promise<unknown>; happened: Promise<void> } {
  let happen!: () => void;
  const happened = new Promise<void>((r) => (happen = r));
  const listening = watchEngine((e) => {
    if (e.Action === action) happen();
  });
  void Promise.all([listening, happened]).then(([watch]) => watch.close());
  return { listening, happened };
}

/**
 * Watches the engine from now on: `done()` resolves once every container that was sent a signal
 * (a stop under way) has exited, so that what the engine was asked before a kill has finished.
 */
function engineSettled(): { listening: Promise<unknown>; done: () => Promise<void> } {
  const signalled = new Set<string>();
  const ended = new Set<string>();
  let check = (): void => undefined;
  const listening = watchEngine((e) => {
    if (e.Action === 'kill') signalled.add(e.Actor.ID);
    if (e.Action === 'die' || e.Action === 'destroy') ended.add(e.Actor.ID);
    check();
  });
  return {
    listening,
    done: async () => {
      const watch = await listening;
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('signalled containers did not exit')), BOOT_MS);
          check = () => {
            if ([...signalled].every((id) => ended.has(id))) {
              clearTimeout(timer);
              resolve();
            }
          };
          check();
        });
      } finally {
        watch.close();
      }
    },
  };
}

/** One engine event of a container (the fields used here). */
interface EngineEvent {
  readonly Action: string;
  readonly Actor: { readonly ID: string };
}

/** Calls `on` with each container event of the prefix until closed; resolves once subscribed. */
async function watchEngine(on: (e: EngineEvent) => void): Promise<{ close(): void }> {
  const filters = JSON.stringify({ type: ['container'], label: [`${LABELS.prefix}=${PREFIX}`] });
  const stream = (await docker.getEvents({ filters })) as NodeJS.ReadableStream & { destroy(): void };
  let rest = '';
  stream.on('data', (chunk: Buffer) => {
    rest += chunk.toString('utf8');
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') on(JSON.parse(line) as EngineEvent);
  });
  // Closing it ends the request: not a failure.
  stream.on('error', () => undefined);
  return { close: () => stream.destroy() };
}
