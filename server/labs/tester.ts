import { readFileSync } from 'node:fs';
import { environmentContext, gradeQuiz, runCheck, type CheckResult } from '../checks/registry.ts';
import {
  bindNodes,
  type EnvironmentBackend,
  type EnvMode,
  type NodeAccess,
} from '../env/EnvironmentBackend.ts';
import { newEnvId } from '../env/naming.ts';
import { runScript } from '../env/readiness.ts';
import { messageOf } from '../errors.ts';
import type { Progress } from '../progress.ts';
import type { Exercise, Lab } from './model.ts';

/** One exercise's verdicts: on the fresh environment, and after the solution. */
export interface LabTestRow {
  readonly lab: string;
  readonly exercise: string;
  readonly fresh: CheckResult;
  readonly solved?: CheckResult;
  /** Why the row fails, or undefined when it is fine. */
  readonly problem?: string;
}

/** Dependencies of the lab tester. */
export interface LabTesterDeps {
  readonly backend: EnvironmentBackend;
  readonly access: NodeAccess;
  readonly progress: Progress;
  /** Owner-name prefix of the environments it creates (one per mode). */
  readonly owner: string;
  /** Keep the environments afterwards (to look around after a failure). */
  readonly keep?: boolean;
  /** How long a check failing after solve.sh is retried (default SETTLE_MS). */
  readonly settleMs?: number;
}

const SOLVE_TIMEOUT_MS = 10 * 60_000;
/**
 * After solve.sh, a failing check is retried for this long: some effects of a solution are
 * asynchronous (a consumer joining its group, a topic's leaders being elected). The fresh-
 * environment run is never retried.
 */
const SETTLE_MS = 30_000;

/**
 * Tests labs the way students meet them: labs of one mode share one environment, as a student's
 * does. First every exercise of every lab is graded on the fresh environment and must fail
 * (a check that passes before the student did anything is an authoring error). Then, in course
 * order, each lab's solve.sh runs and that lab's exercises must pass.
 */
export async function testLabs(labs: readonly Lab[], deps: LabTesterDeps): Promise<LabTestRow[]> {
  const rows: LabTestRow[] = [];
  for (const mode of ['install', 'ready'] as const satisfies readonly EnvMode[]) {
    const group = labs.filter((l) => l.environment === mode);
    if (group.length === 0) continue;
    rows.push(...(await testGroup(group, mode, deps)));
  }
  return rows;
}

async function testGroup(labs: readonly Lab[], mode: EnvMode, deps: LabTesterDeps): Promise<LabTestRow[]> {
  const owner = `${deps.owner}-${mode}`;
  for (const old of (await deps.backend.list()).filter((e) => e.owner === owner))
    await deps.backend.remove(old);
  deps.progress({
    phase: 'labs',
    message: `fresh ${mode} environment for ${labs.map((l) => l.id).join(', ')}`,
  });
  const env = await deps.backend.create({ id: newEnvId(), owner, mode }, deps.progress);
  const ctx = environmentContext(bindNodes(deps.access, env));
  const grade = (e: Exercise, solved: boolean): Promise<CheckResult> =>
    e.kind === 'quiz' ? Promise.resolve(gradeQuiz(e, solved ? e.answer : [])) : runCheck(e, ctx);
  try {
    const fresh = new Map<string, CheckResult>();
    for (const lab of labs) {
      deps.progress({
        phase: 'labs',
        message: `${lab.id}: every exercise must fail on the fresh environment`,
      });
      for (const e of lab.exercises) fresh.set(`${lab.id}/${e.id}`, await grade(e, false));
    }
    const rows: LabTestRow[] = [];
    for (const lab of labs) {
      deps.progress({ phase: 'labs', message: `${lab.id}: running solve.sh` });
      let solveError: string | undefined;
      try {
        const r = await runScript(
          deps.access,
          env,
          'bigdata01',
          readFileSync(lab.solve, 'utf8'),
          SOLVE_TIMEOUT_MS,
        );
        if (r.exitCode !== 0) {
          solveError = `solve.sh exited with ${r.exitCode}${r.timedOut ? ' (timed out)' : ''}`;
          deps.progress({
            phase: 'labs',
            message: `${lab.id}: ${solveError}; its last output:\n${tail(r.stdout, r.stderr)}`,
          });
        }
      } catch (err) {
        solveError = `solve.sh could not run: ${messageOf(err)}`;
      }
      for (const e of lab.exercises) {
        const before = fresh.get(`${lab.id}/${e.id}`) as CheckResult;
        const after =
          solveError === undefined
            ? await settle(() => grade(e, true), deps.settleMs ?? SETTLE_MS)
            : undefined;
        rows.push({
          lab: lab.id,
          exercise: e.id,
          fresh: before,
          ...(after ? { solved: after } : {}),
          ...problemOf(before, after, solveError),
        });
      }
    }
    return rows;
  } finally {
    if (!deps.keep) await deps.backend.remove(env);
  }
}

function tail(stdout: string, stderr: string): string {
  const lines = (text: string): string[] =>
    text
      .trimEnd()
      .split('\n')
      .filter((l) => l !== '');
  return [
    ...lines(stdout).slice(-6),
    ...lines(stderr)
      .slice(-6)
      .map((l) => `stderr: ${l}`),
  ]
    .map((l) => `    ${l}`)
    .join('\n');
}

async function settle(grade: () => Promise<CheckResult>, settleMs: number): Promise<CheckResult> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const r = await grade();
    if (r.status === 'pass' || Date.now() > deadline) return r;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function problemOf(
  fresh: CheckResult,
  solved: CheckResult | undefined,
  solveError: string | undefined,
): { problem?: string } {
  if (fresh.status === 'pass')
    return { problem: `passes on a fresh environment (authoring error): ${fresh.message.en}` };
  if (fresh.status === 'error')
    return { problem: `could not run on the fresh environment: ${fresh.message.en}` };
  if (solveError !== undefined) return { problem: solveError };
  if (solved?.status !== 'pass')
    return { problem: `after solve.sh: ${solved?.status}: ${solved?.message.en}` };
  return {};
}

/** One run of `testLabs` in a series. */
export interface LabTestRun {
  /** 1-based. */
  readonly run: number;
  readonly rows: readonly LabTestRow[];
  readonly durationMs: number;
}

/**
 * Runs `testLabs` `times` times in a row, each on fresh environments: a lab whose solution
 * passes only sometimes is as broken for a student as one that never does. `onRun` sees each
 * run as it finishes (to print its table while the next one boots).
 */
export async function testLabsRepeatedly(
  labs: readonly Lab[],
  deps: LabTesterDeps,
  times: number,
  onRun: (run: LabTestRun) => void = () => undefined,
): Promise<LabTestRun[]> {
  const runs: LabTestRun[] = [];
  for (let run = 1; run <= times; run++) {
    deps.progress({ phase: 'labs', message: `run ${run} of ${times}` });
    const started = Date.now();
    const rows = await testLabs(labs, deps);
    const done: LabTestRun = { run, rows, durationMs: Date.now() - started };
    runs.push(done);
    onRun(done);
  }
  return runs;
}

/** One line per run and the exercises that failed in any, for the end of a repeated test. */
export function formatRunSummary(runs: readonly LabTestRun[]): string {
  const lines = runs.map((r) => {
    const failed = r.rows.filter((row) => row.problem !== undefined);
    const seconds = Math.round(r.durationMs / 1000);
    return `run ${r.run}: ${failed.length === 0 ? 'ok' : `${failed.length} failed (${failed.map((f) => `${f.lab}/${f.exercise}`).join(', ')})`} in ${seconds} s`;
  });
  const bad = runs.filter((r) => r.rows.some((row) => row.problem !== undefined)).length;
  lines.push(bad === 0 ? `all ${runs.length} runs ok` : `${bad} of ${runs.length} runs had failures`);
  return lines.join('\n');
}

/** The rows as a table for the console. */
export function formatLabTable(rows: readonly LabTestRow[]): string {
  const head = ['LAB', 'EXERCISE', 'FRESH', 'SOLVED', 'RESULT'];
  const body = rows.map((r) => [
    r.lab,
    r.exercise,
    r.fresh.status,
    r.solved?.status ?? '-',
    r.problem === undefined ? 'ok' : `FAIL: ${r.problem}`,
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...body.map((b) => (i === 4 ? 0 : (b[i] ?? '').length))),
  );
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 4 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}
