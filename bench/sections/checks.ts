import { readFileSync } from 'node:fs';
import path from 'node:path';
import { explainFailure } from '../../server/checks/diagnosis.ts';
import { checkTypes, environmentContext, runCheck } from '../../server/checks/registry.ts';
import { bindNodes } from '../../server/env/EnvironmentBackend.ts';
import { newEnvId } from '../../server/env/naming.ts';
import { runScript } from '../../server/env/readiness.ts';
import { loadCourse } from '../../server/labs/loader.ts';
import type { CheckExercise } from '../../server/labs/model.ts';
import { projectRoot } from '../../server/paths.ts';
import { cleanupPrefix, testEnvironments } from '../../test/integration/support/docker.ts';
import { median, percentile, round } from '../stats.ts';
import type { Metric, Section } from '../types.ts';

const PREFIX = 'klbench-checks';

/**
 * Check latency as a student meets it, per check type, over every check of the ready labs: once
 * on the fresh environment (failing, so cluster checks also run the diagnosis) and `runs` times
 * after the labs' solutions (passing). Measured as the grading service does it: the check, then
 * the diagnosis when a cluster check fails.
 */
export const checksSection: Section = {
  name: 'checks',
  describe: 'check latency per check type over the ready labs: fresh (failing, with diagnosis) and solved',
  async run(ctx) {
    const { docker, backend, access } = testEnvironments(PREFIX);
    await cleanupPrefix(docker, PREFIX);
    const course = loadCourse(path.join(projectRoot, 'labs'), checkTypes);
    const labs = course.labs.filter((l) => l.environment === 'ready');
    const checks = labs.flatMap((l) =>
      l.exercises.filter((e): e is CheckExercise => e.kind === 'check').map((e) => ({ lab: l.id, e })),
    );
    ctx.log(`${checks.length} checks in ${labs.map((l) => l.id).join(', ')}`);
    const env = await backend.create({ id: newEnvId(), owner: 'bench-checks', mode: 'ready' }, () => {});
    const grading = environmentContext(bindNodes(access, env));
    const byType = new Map<string, number[]>();
    const slowest: { name: string; ms: number }[] = [];
    const time = async (lab: string, e: CheckExercise): Promise<void> => {
      const t = process.hrtime.bigint();
      await explainFailure(e, await runCheck(e, grading), grading.cluster);
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      byType.set(e.type, [...(byType.get(e.type) ?? []), ms]);
      slowest.push({ name: `${lab}/${e.id}`, ms });
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
    const all = [...byType.values()].flat();
    const worst = slowest.sort((a, b) => b.ms - a.ms).slice(0, 3);
    return [
      ...[...byType.entries()]
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
      {
        name: 'all checks p95',
        value: round(percentile(all, 95), 0),
        unit: 'ms',
        note: `slowest: ${worst.map((w) => `${w.name} ${round(w.ms, 0)} ms`).join(', ')}`,
      },
    ];
  },
};
