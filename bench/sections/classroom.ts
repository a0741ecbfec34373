import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import WebSocket from 'ws';
import { Accounts } from '../../server/auth/Accounts.ts';
import { hashPassword, SCRYPT_PARAMS } from '../../server/auth/passwords.ts';
import { checkTypes } from '../../server/checks/registry.ts';
import { healthyProbe, InMemoryNodes, InstantBackend } from '../../server/env/InMemoryEnvironments.ts';
import type { ClassMessage } from '../../server/http/apiTypes.ts';
import { createApp } from '../../server/http/app.ts';
import { loadCourse } from '../../server/labs/loader.ts';
import { projectPaths } from '../../server/paths.ts';
import { createEnvServices } from '../../server/services.ts';
import { SqliteStore } from '../../server/store/Store.ts';
import { median, percentile, round } from '../stats.ts';
import type { Metric, Section } from '../types.ts';

const STUDENTS = 200;
const SIGN_INS = 40;
const UPDATES = 20;

/**
 * The classroom's costs on the real app (accounts mode, the real course, in-memory environments:
 * nothing here waits on Docker): sign-in latency (the password hash dominates), the gradebook of
 * a big class as JSON and CSV, and how soon a student's result reaches the instructor's grid.
 */
export const classroomSection: Section = {
  name: 'classroom',
  describe: 'sign-in p95, gradebook JSON/CSV for 200 students, dashboard update latency',
  async run(ctx) {
    const log = pino({ level: 'silent' });
    const store = new SqliteStore(':memory:');
    const course = loadCourse(projectPaths.labs, checkTypes);
    const backend = new InstantBackend();
    const services = createEnvServices(backend, new InMemoryNodes(backend), store, log);
    let base = '';
    // Generous limits: the bench signs in one account many times on purpose.
    const accounts = new Accounts(store, {
      mode: 'accounts',
      baseUrl: () => base,
      perAccount: { max: 1e6, windowMs: 60_000 },
      perAddress: { max: 1e6, windowMs: 60_000 },
    });
    const app = createApp({
      log,
      health: healthyProbe,
      store,
      course: () => course,
      accounts,
      session: { ttlMs: 3600_000, secure: false },
      ...services,
    });
    await new Promise<void>((r) => app.server.listen(0, '127.0.0.1', r));
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const metrics: Metric[] = [];
    try {
      // The class: an instructor, 200 students, every exercise of the course tried by everyone.
      const hash = await hashPassword('bench password');
      const teacher = store.createUser('teacher', 'instructor', { passwordHash: hash });
      const cls = store.createClass(
        'bench',
        teacher.id,
        course.labs.map((l) => ({ labId: l.id, due: '2026-12-01T00:00:00.000Z' })),
      );
      const exercises = course.labs.flatMap((l) => l.exercises.map((e) => ({ lab: l, e })));
      store.transaction(() => {
        for (let i = 0; i < STUDENTS; i++) {
          const s = store.createUser(`student-${i}`, 'student', { passwordHash: hash });
          store.addMember(cls.id, s.id, 'student');
          for (const [j, { lab, e }] of exercises.entries()) {
            const message = {
              zh: '还没有：主题 orders 不存在。',
              en: 'Not yet: topic orders does not exist.',
            };
            store.recordAttempt(s.id, {
              labId: lab.id,
              exerciseId: e.id,
              status: 'fail',
              message,
              durationMs: 300,
            });
            if ((i + j) % 3 !== 0)
              store.recordAttempt(s.id, {
                labId: lab.id,
                exerciseId: e.id,
                status: 'pass',
                message,
                durationMs: 250,
              });
          }
        }
      });

      const signIn = async (name: string): Promise<string> => {
        const r = await fetch(`${base}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name, password: 'bench password' }),
        });
        if (r.status !== 200) throw new Error(`sign-in answered ${r.status}`);
        return (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      };

      // Sign-in, one at a time and eight at once (a class arriving: scrypt runs on libuv's pool).
      const serial: number[] = [];
      for (let i = 0; i < SIGN_INS; i++) {
        const t = performance.now();
        await signIn(`student-${i}`);
        serial.push(performance.now() - t);
      }
      const burst: number[] = [];
      for (let round8 = 0; round8 < SIGN_INS / 8; round8++) {
        await Promise.all(
          Array.from({ length: 8 }, async (_, k) => {
            const t = performance.now();
            await signIn(`student-${round8 * 8 + k}`);
            burst.push(performance.now() - t);
          }),
        );
      }
      const params = `scrypt N=2^${Math.log2(SCRYPT_PARAMS.N)} r=${SCRYPT_PARAMS.r} p=${SCRYPT_PARAMS.p}`;
      metrics.push(
        { name: 'sign-in p50', value: round(percentile(serial, 50)), unit: 'ms', note: params },
        {
          name: 'sign-in p95',
          value: round(percentile(serial, 95)),
          unit: 'ms',
          runs: serial.map((v) => round(v)),
        },
        {
          name: 'sign-in p95, 8 at once',
          value: round(percentile(burst, 95)),
          unit: 'ms',
          note: 'libuv pool: 4 threads',
        },
      );

      const teacherCookie = await signIn('teacher');
      const timed = async (url: string): Promise<{ ms: number; bytes: number }> => {
        const t = performance.now();
        const r = await fetch(`${base}${url}`, { headers: { cookie: teacherCookie } });
        const body = await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`${url} answered ${r.status}`);
        return { ms: performance.now() - t, bytes: body.byteLength };
      };
      const json: number[] = [];
      const csv: number[] = [];
      let jsonBytes = 0;
      let csvBytes = 0;
      for (let run = 0; run < ctx.runs; run++) {
        const j = await timed(`/api/classes/${cls.id}/gradebook`);
        const c = await timed(`/api/classes/${cls.id}/gradebook.csv`);
        json.push(j.ms);
        csv.push(c.ms);
        jsonBytes = j.bytes;
        csvBytes = c.bytes;
      }
      const size = `${STUDENTS} students x ${exercises.length} exercises`;
      metrics.push(
        {
          name: 'gradebook JSON',
          value: round(median(json)),
          unit: 'ms',
          runs: json.map((v) => round(v)),
          note: size,
        },
        { name: 'gradebook JSON size', value: round(jsonBytes / 1024), unit: 'KiB' },
        {
          name: 'gradebook CSV',
          value: round(median(csv)),
          unit: 'ms',
          runs: csv.map((v) => round(v)),
          note: size,
        },
        { name: 'gradebook CSV size', value: round(csvBytes / 1024), unit: 'KiB' },
      );

      // Dashboard latency: a student's quiz answer -> the 'row' message on the instructor's socket.
      const quiz = exercises.find((x) => x.e.kind === 'quiz');
      if (quiz === undefined || quiz.e.kind !== 'quiz') throw new Error('the course has no quiz');
      const studentCookie = await signIn('student-1');
      const ws = new WebSocket(`${base.replace('http', 'ws')}/ws/class/${cls.id}`, {
        headers: { cookie: teacherCookie },
      });
      const rows: ((m: ClassMessage) => void)[] = [];
      ws.on('message', (data: Buffer) => {
        const m = JSON.parse(data.toString('utf8')) as ClassMessage;
        if (m.type === 'row') rows.shift()?.(m);
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('message', () => resolve());
        ws.once('error', reject);
      });
      const latency: number[] = [];
      for (let i = 0; i < UPDATES; i++) {
        const seen = new Promise<void>((resolve) => rows.push(() => resolve()));
        const t = performance.now();
        const r = await fetch(`${base}/api/labs/${quiz.lab.id}/checks/${quiz.e.id}`, {
          method: 'POST',
          headers: { cookie: studentCookie, 'content-type': 'application/json' },
          body: JSON.stringify({ answer: [...quiz.e.answer] }),
        });
        await r.arrayBuffer();
        await seen;
        latency.push(performance.now() - t);
      }
      ws.close();
      metrics.push({
        name: 'dashboard update',
        value: round(percentile(latency, 50)),
        unit: 'ms',
        runs: latency.map((v) => round(v)),
        note: `p95 ${round(percentile(latency, 95))} ms, answer posted -> row on /ws/class (class of ${STUDENTS})`,
      });
      ctx.log(
        `sign-in p95 ${round(percentile(serial, 95))} ms (${params}); gradebook JSON ${round(median(json))} ms`,
      );
      return metrics;
    } finally {
      await app.dispose();
      store.close();
    }
  },
};
