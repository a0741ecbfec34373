import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { checkTypes } from '../../server/checks/registry.ts';
import type { EnvRef, ExecOptions, ExecResult, NodeName } from '../../server/env/EnvironmentBackend.ts';
import {
  execResult,
  healthyProbe,
  InMemoryNodes,
  InstantBackend,
} from '../../server/env/InMemoryEnvironments.ts';
import { Accounts } from '../../server/auth/Accounts.ts';
import { createApp } from '../../server/http/app.ts';
import { loadCourse } from '../../server/labs/loader.ts';
import { createEnvServices } from '../../server/services.ts';
import { SqliteStore } from '../../server/store/Store.ts';
import { median, percentile, round } from '../stats.ts';
import type { Metric, Section } from '../types.ts';

const PINGS = 200;
/** What a student's file can hold (the editor's and the file check's cap): 1 MiB. */
const CONTENT_BYTES = 1024 * 1024;

/** A lab whose one check matches a catastrophic-backtracking pattern (for a backtracking engine). */
function pathologicalLab(dir: string): void {
  mkdirSync(path.join(dir, 'evil'));
  writeFileSync(path.join(dir, 'course.yaml'), 'title: { zh: "课", en: "Course" }\nlabs: [evil]\n');
  writeFileSync(
    path.join(dir, 'evil', 'lab.md'),
    [
      '---',
      'id: evil',
      'title: { zh: "坏", en: "Evil" }',
      'summary: { zh: "坏", en: "Evil" }',
      'environment: ready',
      'minutes: 1',
      '---',
      '',
      '## 一 / One',
      '',
      '::: zh',
      '一',
      ':::',
      '',
      '::: en',
      'One',
      ':::',
      '',
      '```check',
      'id: evil',
      'title: { zh: "坏", en: "Evil" }',
      'type: command',
      'run: cat /root/replay.txt',
      "stdout: '^(a+)+$'",
      'points: 1',
      '```',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'evil', 'solve.sh'), 'true\n');
}

/** Servers whose every command prints 1 MiB of `a` and a final `!` (the worst case for `^(a+)+$`). */
class FloodingNodes extends InMemoryNodes {
  override async exec(
    env: EnvRef,
    node: NodeName,
    argv: readonly string[],
    opts?: ExecOptions,
  ): Promise<ExecResult> {
    if (argv[0] === 'kafkalab-agent') return super.exec(env, node, argv, opts);
    return Promise.resolve(execResult({ stdout: `${'a'.repeat(CONTENT_BYTES)}!` }));
  }
}

async function healthzTimes(base: string): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < PINGS; i++) {
    const t = process.hrtime.bigint();
    await (await fetch(`${base}/healthz`)).text();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return ms;
}

/**
 * Issue 8's findings, measured: how long /healthz answers while pathological checks run (the
 * server's event loop must stay free), and how long validating a lab with 40k code fences takes.
 */
export const safetySection: Section = {
  name: 'safety',
  describe: '/healthz while pathological checks run; validating 40k code fences',
  async run(ctx) {
    const dir = mkdtempSync(path.join(tmpdir(), 'kl-bench-safety-'));
    const metrics: Metric[] = [];
    try {
      pathologicalLab(dir);
      const log = pino({ level: 'silent' });
      const store = new SqliteStore(':memory:');
      const backend = new InstantBackend();
      const nodes = new FloodingNodes(backend);
      const services = createEnvServices(backend, nodes, store, log);
      const pathological = loadCourse(dir, checkTypes);
      const app = createApp({
        log,
        health: healthyProbe,
        store,
        course: () => pathological,
        accounts: new Accounts(store, { mode: 'open', baseUrl: () => '' }),
        session: { ttlMs: 3600_000, secure: false },
        ...services,
      });
      await new Promise<void>((r) => app.server.listen(0, '127.0.0.1', r));
      const address = app.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const signIn = await fetch(`${base}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"bench"}',
      });
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const post = (url: string, body: unknown): Promise<Response> =>
        fetch(`${base}${url}`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      await (await post('/api/env', { labId: 'evil' })).text();

      const idle: number[] = [];
      const loaded: number[] = [];
      const checkMs: number[] = [];
      for (let run = 0; run < ctx.runs; run++) {
        idle.push(percentile(await healthzTimes(base), 99));
        // Checks back to back for as long as the pings take.
        let stop = false;
        const checks = (async () => {
          while (!stop) {
            const t = Date.now();
            const r = (await (await post('/api/labs/evil/checks/evil', {})).json()) as { status: string };
            checkMs.push(Date.now() - t);
            if (r.status === 'pass') throw new Error('the pathological check passed');
          }
        })();
        loaded.push(percentile(await healthzTimes(base), 99));
        stop = true;
        await checks;
      }
      await app.dispose();
      store.close();
      metrics.push(
        { name: '/healthz p99, idle', value: round(median(idle), 2), unit: 'ms', runs: idle },
        {
          name: '/healthz p99, pathological checks running',
          value: round(median(loaded), 2),
          unit: 'ms',
          runs: loaded,
          note: '^(a+)+$ on 1 MiB, back to back (before: the loop blocked for 10+ s per check)',
        },
        {
          name: 'pathological check, p50',
          value: round(median(checkMs), 0),
          unit: 'ms',
          note: `${checkMs.length} checks`,
        },
      );

      // Validation of a lab with 40,000 code fences (before: 6-14 s, quadratic).
      const fences = path.join(dir, 'fences');
      mkdirSync(path.join(fences, 'many'), { recursive: true });
      writeFileSync(path.join(fences, 'course.yaml'), 'title: { zh: "课", en: "Course" }\nlabs: [many]\n');
      const body = Array.from({ length: 40_000 }, (_, i) => `\`\`\`bash\necho ${i}\n\`\`\`\n`).join('');
      writeFileSync(
        path.join(fences, 'many', 'lab.md'),
        `---\nid: many\ntitle: { zh: "多", en: "Many" }\nsummary: { zh: "多", en: "Many" }\nenvironment: ready\nminutes: 1\n---\n\n## 一 / One\n\n${body}`,
      );
      const validate: number[] = [];
      for (let run = 0; run < ctx.runs; run++) {
        const t = process.hrtime.bigint();
        loadCourse(fences, checkTypes);
        validate.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      metrics.push({
        name: 'validate a lab with 40k code fences',
        value: round(median(validate), 0),
        unit: 'ms',
        runs: validate,
        note: 'stops at the 2000-block limit with a located problem',
      });
      ctx.log(`healthz p99 idle ${median(idle).toFixed(2)} ms, under load ${median(loaded).toFixed(2)} ms`);
      return metrics;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
