import { pino } from 'pino';
import { loadConfig } from '../../server/config.ts';
import { NODES } from '../../server/env/EnvironmentBackend.ts';
import { newEnvId } from '../../server/env/naming.ts';
import { createEnvironments } from '../../server/main.ts';
import { median, round } from '../stats.ts';
import type { Section } from '../types.ts';

const PREFIX = 'klbench-env';
const IDLE_SECONDS = 30;

/** Environment lifecycle: create -> ready, stop -> start -> ready, memory, three at once. */
export const environmentsSection: Section = {
  name: 'env',
  describe: `ready-mode environments: create, resume, RSS after ${IDLE_SECONDS} s idle, three created at once`,
  async run(ctx) {
    const config = loadConfig({ ...process.env, KAFKALAB_PREFIX: PREFIX, KAFKALAB_MAX_ENVS: '6' });
    const { backend, access } = createEnvironments(config, ctx.runtime.docker, pino({ level: 'silent' }));
    const cleanup = async (): Promise<void> => {
      for (const e of await backend.list()) await backend.remove(e);
    };
    await cleanup();
    const create: number[] = [];
    const resume: number[] = [];
    const rss: number[] = [];
    try {
      for (let i = 0; i < ctx.runs; i++) {
        const owner = `bench-${i}`;
        let t = Date.now();
        const env = await backend.create({ id: newEnvId(), owner, mode: 'ready' });
        create.push((Date.now() - t) / 1000);

        await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
        let kb = 0;
        for (const node of NODES) {
          const r = await access.exec(env, node, ['sh', '-c', 'ps -eo rss= | awk "{s+=\\$1} END {print s}"']);
          kb += Number(r.stdout.trim());
        }
        rss.push(kb / 1024);

        await backend.stop(env);
        t = Date.now();
        await backend.start(env);
        resume.push((Date.now() - t) / 1000);
        ctx.log(
          `run ${i + 1}: create ${create.at(-1)?.toFixed(1)} s, resume ${resume.at(-1)?.toFixed(1)} s, RSS ${rss.at(-1)?.toFixed(0)} MiB`,
        );
        await backend.remove(env);
      }

      const t = Date.now();
      await Promise.all(
        [0, 1, 2].map((i) => backend.create({ id: newEnvId(), owner: `bench-parallel-${i}`, mode: 'ready' })),
      );
      const parallel = (Date.now() - t) / 1000;
      ctx.log(`three at once: ${parallel.toFixed(1)} s`);
      return [
        {
          name: 'create -> ready',
          value: round(median(create)),
          unit: 's',
          runs: create,
          note: 'target <= 30 s, goal 15 s',
        },
        {
          name: 'stop -> start -> ready',
          value: round(median(resume)),
          unit: 's',
          runs: resume,
          note: 'target <= 10 s',
        },
        {
          name: `RSS per env (${IDLE_SECONDS} s idle)`,
          value: round(median(rss), 0),
          unit: 'MiB',
          runs: rss,
          note: 'sum over 3 servers; target <= 1.2 GB, goal 700 MB',
        },
        { name: 'three envs at once', value: round(parallel), unit: 's', note: 'until all three are ready' },
        { name: 'three at once / one', value: round(parallel / median(create), 2), unit: 'x' },
      ];
    } finally {
      await cleanup();
    }
  },
};
