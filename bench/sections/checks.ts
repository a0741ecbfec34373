import { readFileSync } from 'node:fs';
import path from 'node:path';
import { explainFailure } from '../../server/checks/diagnosis.ts';
import { checkTypes, environmentContext, runCheck } from '../../server/checks/registry.ts';
import { bindNodes } from '../../server/env/EnvironmentBackend.ts';
import { newEnvId } from '../../server/env/naming.ts';
import { runScript } from '../../server/env/readiness.ts';
import { loadCourse } from '../../server/labs/loader.ts';
import type { CheckExercise, Lab } from '../../server/labs/model.ts';
import { projectRoot } from '../../server/paths.ts';
import { cleanupPrefix, testEnvironments } from '../../test/integration/support/docker.ts';
import { median, percentile, round } from '../stats.ts';
import type { Metric, Section } from '../types.ts';

const PREFIX = 'klbench-checks';

/**
 * Labs measured on an environment of their own: `kraft` retires ZooKeeper, which the other labs'
 * checks read, so after its solution they would measure a cluster no student of theirs has.
 */
const OWN_ENVIRONMENT = new Set(['kraft']);

interface Timings {
  readonly byType: Map<string, number[]>;
  readonly each: { name: string; ms: number }[];
}

/**
 * Check latency as a student meets it, per check type, over every check of the ready labs: once
 * on the fresh environment (failing, so cluster checks also run the diagnosis) and `runs` times
 * after the labs' solutions (passing). Measured as the grading service does it: the check, then
 * the diagnosis when a cluster check fails.
 */
export const checksSection: Section = {
  name: 'checks',
  describe:
    'check latency per check type over the ready labs (kraft on an environment of its own): fresh (failing, with diagnosis) and solved',
  async run(ctx) {
    const { docker, backend, access } = testEnvironments(PREFIX);
    await cleanupPrefix(docker, PREFIX);
    const course = loadCourse(path.join(projectRoot, 'labs'), checkTypes);
    const ready = course.labs.filter((l) => l.environment === 'ready');

    const measure = async (labs: readonly Lab[]): Promise<Timings> => {
      const checks = labs.flatMap((l) =>
        l.exercises.filter((e): e is CheckExercise => e.kind === 'check').map((e) => ({ lab: l.id, e })),
      );
      ctx.log(`${checks.length} checks in ${labs.map((l) => l.id).join(', ')}`);
      const env = await backend.create({ id: newEnvId(), owner: 'bench-checks', mode: 'ready' }, () => {});
      const grading = environmentContext(bindNodes(access, env));
      const timings: Timings = { byType: new Map(), each: [] };
      const time = async (lab: string, e: CheckExercise): Promise<void> => {
        const t = process.hrtime.bigint();
        await explainFailure(e, await runCheck(e, grading), grading.cluster);
        const ms = Number(process.hrtime.bigint() - t) / 1e6;
        timings.byType.set(e.type, [...(timings.byType.get(e.type) ?? []), ms]);
        timings.each.push({ name: `${lab}/${e.id}`, ms });
      };
      try {
        for (const { lab, e } of checks) await time(lab, e);
        for (const lab of labs) {
          ctx.log(`${lab.id}: solve.sh`);
          const r = await runScript(access, env, 'bigdata01', readFileSync(lab.solve, 'utf8'), 600_000);
          if (r.exitCode !== 0) throw new Error(`${lab.id}/solve.sh exited with ${r.exitCode}`);
        }
        for (let run = 0; run < ctx.runs; run++) for (const { lab, e } of checks) await time(lab, e);
      } finally {
        await backend.remove(env);
      }
      return timings;
    };
    const slowest = (t: Timings): string =>
      `slowest: ${[...t.each]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 3)
        .map((w) => `${w.name} ${round(w.ms, 0)} ms`)
        .join(', ')}`;

    const shared = await measure(ready.filter((l) => !OWN_ENVIRONMENT.has(l.id)));
    const all = shared.each.map((c) => c.ms);
    const metrics: Metric[] = [
      ...[...shared.byType.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .flatMap(([type, ms]): Metric[] => [
          { name: `${type} p50`, value: round(median(ms), 0), unit: 'ms', runs: ms.map((m) => round(m, 0)) },
          {
            name: `${type} p95`,
            value: round(percentile(ms, 95), 0),
            unit: 'ms',
            note: `${ms.length} checks`,
          },
        ]),
      { name: 'all checks p50', value: round(median(all), 0), unit: 'ms' },
      { name: 'all checks p95', value: round(percentile(all, 95), 0), unit: 'ms', note: slowest(shared) },
    ];
    for (const lab of ready.filter((l) => OWN_ENVIRONMENT.has(l.id))) {
      const own = await measure([lab]);
      const ms = own.each.map((c) => c.ms);
      metrics.push(
        {
          name: `${lab.id} lab checks p50`,
          value: round(median(ms), 0),
          unit: 'ms',
          runs: ms.map((m) => round(m, 0)),
        },
        {
          name: `${lab.id} lab checks p95`,
          value: round(percentile(ms, 95), 0),
          unit: 'ms',
          note: slowest(own),
        },
      );
    }
    return metrics;
  },
};
