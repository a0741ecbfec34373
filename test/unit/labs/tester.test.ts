import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTypes } from '../../../server/checks/registry.ts';
import { InMemoryNodes, InstantBackend } from '../../../server/env/InMemoryEnvironments.ts';
import { loadCourse } from '../../../server/labs/loader.ts';
import { formatRunSummary, testLabsRepeatedly, type LabTestRun } from '../../../server/labs/tester.ts';

const course = loadCourse(path.resolve(import.meta.dirname, '../../fixtures/labs-mini'), checkTypes);

describe('testLabsRepeatedly', () => {
  it('runs the whole test n times, each on fresh environments it removes, reporting each run as it ends', async () => {
    const backend = new InstantBackend();
    const seen: number[] = [];
    const runs = await testLabsRepeatedly(
      course.labs,
      { backend, access: new InMemoryNodes(backend), progress: () => undefined, owner: 'unit', settleMs: 0 },
      3,
      (run) => seen.push(run.run),
    );
    expect(seen).toEqual([1, 2, 3]);
    // Two modes in the mini course: one environment per mode per run, none left behind.
    expect(backend.creates).toBe(6);
    expect(backend.envs.size).toBe(0);
    // The in-memory agent answers nothing, so the topic check fails after the solution every time;
    // the quiz passes with its key.
    for (const run of runs) {
      expect(run.rows.find((r) => r.exercise === 'what-is-a-partition')?.problem).toBeUndefined();
      expect(run.rows.find((r) => r.exercise === 'orders-topic')?.problem).toMatch(/^after solve\.sh: fail/);
    }
  });
});

describe('formatRunSummary', () => {
  const row = (exercise: string, problem?: string) => ({
    lab: 'use-cases',
    exercise,
    fresh: { status: 'fail' as const, message: { zh: '', en: '' }, durationMs: 1 },
    ...(problem === undefined ? {} : { problem }),
  });

  it('says which runs failed and on what', () => {
    const runs: LabTestRun[] = [
      { run: 1, rows: [row('a'), row('b')], durationMs: 61_400 },
      { run: 2, rows: [row('a'), row('b', 'after solve.sh: fail')], durationMs: 59_600 },
    ];
    expect(formatRunSummary(runs).split('\n')).toEqual([
      'run 1: ok in 61 s',
      'run 2: 1 failed (use-cases/b) in 60 s',
      '1 of 2 runs had failures',
    ]);
  });

  it('says all runs were ok when they were', () => {
    expect(
      formatRunSummary([{ run: 1, rows: [row('a')], durationMs: 1000 }])
        .split('\n')
        .at(-1),
    ).toBe('all 1 runs ok');
  });
});
