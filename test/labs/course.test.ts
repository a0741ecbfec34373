import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { checkTypes } from '../../server/checks/registry.ts';
import { loadCourse } from '../../server/labs/loader.ts';
import { createLab } from '../../server/labs/scaffold.ts';
import { formatLabTable, testLabs } from '../../server/labs/tester.ts';
import { projectRoot } from '../../server/paths.ts';
import { cleanupPrefix, dumpLogsOnFailure, testEnvironments } from '../integration/support/docker.ts';

/**
 * The labs tier: the course validates, the broken fixtures do not, and every lab's exercises
 * fail on a fresh environment and pass after its solution (labs of one mode share one
 * environment, as a student's do).
 */
const PREFIX = 'kltest-labs';

function cli(...args: string[]): { code: number; out: string } {
  const r = spawnSync(process.execPath, [path.join(projectRoot, 'bin', 'kafkalab.js'), ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

describe('kafkalab labs validate', () => {
  it('accepts the course', () => {
    const r = cli('labs', 'validate');
    expect(r.out).toMatch(/^ok: 7 labs, \d+ exercises$/m);
    expect(r.code).toBe(0);
  });

  it('rejects the broken fixtures with file:line messages and exit 1', () => {
    const r = cli('labs', 'validate', 'test/fixtures/labs-broken');
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      'test/fixtures/labs-broken/unknown-type/lab.md:22: unknown check type "kafka.nope"',
    );
    expect(r.out).toContain('test/fixtures/labs-broken/bad-yaml/lab.md:22: YAML:');
    expect(r.out).toMatch(/^13 problems; 2 lab\(s\) valid$/m);
  });
});

describe('kafkalab labs test (all labs)', () => {
  const { docker, backend, access } = testEnvironments(PREFIX);
  afterAll(() => cleanupPrefix(docker, PREFIX));

  it('every exercise fails on a fresh environment and passes after solve.sh', async () => {
    dumpLogsOnFailure(docker, PREFIX);
    const course = loadCourse(path.join(projectRoot, 'labs'), checkTypes);
    expect(course.problems).toEqual([]);
    // What `kafkalab labs new` writes is a working lab too: tested alongside, on the same
    // ready environment (its check fails fresh and passes after its solve.sh).
    const scratch = mkdtempSync(path.join(tmpdir(), 'kl-labs-new-'));
    writeFileSync(path.join(scratch, 'course.yaml'), 'title: { zh: "课程", en: "Course" }\nlabs: []\n');
    createLab(scratch, 'scaffolded', { addToCourse: true });
    const scaffolded = loadCourse(scratch, checkTypes);
    onTestFinished(() => rmSync(scratch, { recursive: true, force: true }));
    expect(scaffolded.problems).toEqual([]);
    const labs = [...course.labs, ...scaffolded.labs];
    const rows = await testLabs(labs, {
      backend,
      access,
      owner: 'labs-tier',
      progress: (e) => console.error(`[labs] ${e.message}`),
      keep: false,
    });
    console.error(formatLabTable(rows));
    expect(rows.length).toBeGreaterThanOrEqual(labs.reduce((n, l) => n + l.exercises.length, 0));
    expect(rows.some((r) => r.lab === 'scaffolded')).toBe(true);
    expect(
      rows.filter((r) => r.problem !== undefined).map((r) => `${r.lab}/${r.exercise}: ${r.problem}`),
    ).toEqual([]);
  });
});
