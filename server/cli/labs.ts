import path from 'node:path';
import { Command } from 'commander';
import { checkTypes, environmentContext, runCheck } from '../checks/registry.ts';
import { bindNodes } from '../env/EnvironmentBackend.ts';
import { AppError } from '../errors.ts';
import { loadCourse } from '../labs/loader.ts';
import { explainFailure } from '../checks/diagnosis.ts';
import { courseLine, createLab } from '../labs/scaffold.ts';
import { formatLabTable, formatRunSummary, testLabsRepeatedly } from '../labs/tester.ts';
import { createRuntime } from '../main.ts';
import { projectPaths } from '../paths.ts';
import { resolveEnvOf } from './env.ts';
import type { CliContext } from './main.ts';

/** `kafkalab labs validate|test|check|new`: for lab authors. */
export function labsCommands(ctx: CliContext): Command {
  const labs = new Command('labs').description('Validate and test the labs (for authors)');

  labs
    .command('validate')
    .description('Report every authoring error with file:line; exit 1 if there is any')
    .argument('[dir]', 'labs folder', projectPaths.labs)
    .action((dir: string) => {
      const course = loadCourse(path.resolve(dir), checkTypes);
      for (const p of course.problems)
        ctx.out.write(`${path.relative(process.cwd(), p.file) || p.file}:${p.line}: ${p.message}\n`);
      const exercises = course.labs.reduce((n, l) => n + l.exercises.length, 0);
      if (course.problems.length > 0) {
        ctx.out.write(
          `\n${course.problems.length} problem${course.problems.length === 1 ? '' : 's'}; ${course.labs.length} lab(s) valid\n`,
        );
        process.exitCode = 1;
      } else ctx.out.write(`ok: ${course.labs.length} labs, ${exercises} exercises\n`);
    });

  labs
    .command('test')
    .description('Fresh environment: every check must fail; run solve.sh: every check must pass')
    .argument('[ids...]', 'lab ids (default: all, in course order)')
    .option('--keep', 'keep the test environments afterwards')
    .option('--as <owner>', 'owner name prefix of the test environments (run tests side by side)', 'labtest')
    .option('--repeat <n>', 'run the whole test n times in a row, each on fresh environments', '1')
    .action(async (ids: string[], opts: { keep?: boolean; as: string; repeat: string }) => {
      const times = Number(opts.repeat);
      if (!Number.isInteger(times) || times < 1 || times > 100)
        throw new AppError(
          400,
          'bad_request',
          `--repeat takes a whole number from 1 to 100, not "${opts.repeat}"`,
        );
      const course = loadCourse(projectPaths.labs, checkTypes);
      const show = (ps: typeof course.problems): string =>
        ps.map((p) => `${path.relative(process.cwd(), p.file)}:${p.line}: ${p.message}`).join('\n');
      // Testing named labs needs only those labs to be valid; testing all needs the whole course.
      const inChosen = (file: string): boolean =>
        ids.length === 0 || ids.some((id) => file.includes(`${path.sep}${id}${path.sep}`));
      const blocking = course.problems.filter(
        (p) => inChosen(p.file) && (ids.length === 0 || p.courseLevel !== true),
      );
      if (blocking.length > 0) {
        throw new AppError(400, 'labs_invalid', 'The labs do not validate; run `kafkalab labs validate`', {
          details: show(blocking),
        });
      }
      if (course.problems.length > 0)
        process.stderr.write(`warning: other labs have problems:\n${show(course.problems)}\n`);
      const unknown = ids.filter((id) => !course.labs.some((l) => l.id === id));
      if (unknown.length > 0)
        throw new AppError(
          404,
          'lab_not_found',
          `Unknown lab${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
        );
      const chosen = ids.length === 0 ? course.labs : course.labs.filter((l) => ids.includes(l.id));
      const rt = await createRuntime(ctx.config(), ctx.progress);
      const deps = {
        backend: rt.environments,
        access: rt.nodes,
        progress: ctx.progress,
        owner: opts.as,
        keep: opts.keep === true,
      };
      const runs = await testLabsRepeatedly(chosen, deps, times, (run) => {
        const failed = run.rows.filter((r) => r.problem !== undefined).length;
        ctx.out.write(
          `${times > 1 ? `\nrun ${run.run} of ${times}\n` : ''}${formatLabTable(run.rows)}\n\n${
            failed === 0
              ? `all ${run.rows.length} exercises ok`
              : `${failed} of ${run.rows.length} exercises failed`
          }\n`,
        );
      });
      if (times > 1) ctx.out.write(`\n${formatRunSummary(runs)}\n`);
      if (runs.some((r) => r.rows.some((row) => row.problem !== undefined))) process.exitCode = 1;
    });
  labs
    .command('check')
    .description("Run one exercise's check against an existing environment (for authors iterating on a lab)")
    .argument('<lab>', 'lab id')
    .argument('<exercise>', 'exercise id')
    .requiredOption('--env <name>', 'owner name or environment id (see kafkalab env ls)')
    .action(async (labId: string, exerciseId: string, opts: { env: string }) => {
      const course = loadCourse(projectPaths.labs, checkTypes);
      const lab = course.labs.find((l) => l.id === labId);
      if (!lab) throw new AppError(404, 'lab_not_found', `Unknown lab ${labId}`);
      const exercise = lab.exercises.find((e) => e.id === exerciseId);
      if (!exercise)
        throw new AppError(
          404,
          'exercise_not_found',
          `Lab ${labId} has no exercise ${exerciseId} (${lab.exercises.map((e) => e.id).join(', ')})`,
        );
      if (exercise.kind !== 'check')
        throw new AppError(400, 'bad_request', `${exerciseId} is a quiz; quizzes are graded in the browser`);
      const rt = await createRuntime(ctx.config(), ctx.progress);
      const checkCtx = environmentContext(bindNodes(rt.nodes, await resolveEnvOf(ctx, rt, opts.env)));
      const r = await explainFailure(exercise, await runCheck(exercise, checkCtx), checkCtx.cluster);
      ctx.out.write(`${r.status} (${r.durationMs} ms)\n  en: ${r.message.en}\n  zh: ${r.message.zh}\n`);
      if (r.status !== 'pass') process.exitCode = 1;
    });
  labs
    .command('new')
    .description('Create labs/<id>/ (lab.md with a check and a quiz, solve.sh); never overwrites')
    .argument('<id>', 'lab id: lowercase words joined by dashes, e.g. consumer-lag')
    .option('--dir <labs folder>', 'labs folder', projectPaths.labs)
    .option('--title <text>', 'title, "中文标题 / English title" (one text serves both languages)')
    .option('--add-to-course', 'also append the lab to course.yaml (default: print the line to add)')
    .action((id: string, opts: { dir: string; title?: string; addToCourse?: boolean }) => {
      const dir = path.resolve(opts.dir);
      const made = createLab(dir, id, { title: opts.title, addToCourse: opts.addToCourse === true });
      // Relative to the working directory when under it (the usual labs/), else absolute.
      const shown = (p: string): string => {
        const rel = path.relative(process.cwd(), p);
        return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? p : rel;
      };
      for (const file of made.written) ctx.out.write(`wrote ${shown(file)}\n`);
      const courseYaml = shown(path.join(dir, 'course.yaml'));
      if (made.course === 'already-listed') ctx.out.write(`${courseYaml} lists ${id} already\n`);
      else if (made.course === undefined)
        ctx.out.write(
          `\nAdd this line under "labs:" in ${courseYaml}, where it belongs in course order:\n${courseLine(id)}\n`,
        );
      ctx.out.write(`\nThen: kafkalab labs validate ${shown(dir)}\n`);
    });
  return labs;
}
