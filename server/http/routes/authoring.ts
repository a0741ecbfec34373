import path from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import type { GradingService } from '../../checks/GradingService.ts';
import type { Disposable } from '../../env/EnvManager.ts';
import { notFound } from '../../errors.ts';
import type { Course } from '../../labs/loader.ts';
import type { Lab, LabProblem } from '../../labs/model.ts';
import { renderLab } from '../../labs/render.ts';
import type { StudentStore } from '../../store/Store.ts';
import type { AuthoringPreview, AuthoringRunResult, AuthoringStatus } from '../apiTypes.ts';
import { currentStudent, requireRole } from '../auth.ts';
import { parse } from '../validate.ts';

/** The labs as authors see them: the newest load (even a broken one) and its problems. */
export interface AuthoringSource {
  /** The folder the problems' files are in (shown relative to it). */
  readonly dir: string;
  latest(): { course: Course; problems: readonly LabProblem[]; loadedAt: string; version: number };
  /** What students get now (a lab broken in `latest` keeps its last good version here). */
  current(): Course;
  onChange(listener: (snapshot: { version: number; problems: readonly LabProblem[] }) => void): Disposable;
}

/** A course that never changes (tests, and servers without a labs folder to watch). */
export function staticAuthoring(course: () => Course, dir = ''): AuthoringSource {
  const loadedAt = new Date().toISOString();
  return {
    dir,
    latest: () => ({ course: course(), problems: course().problems, loadedAt, version: 1 }),
    current: course,
    onChange: () => ({ dispose: () => undefined }),
  };
}

const langQuery = z.object({ lang: z.enum(['zh', 'en']).optional() });

/**
 * Authoring in the browser, for instructors: each lab's validation status, a preview of a lab as
 * students see it plus answer keys, check parameters and every hint, and a check run against the
 * author's own environment (nothing recorded). The preview shows the newest version of the files;
 * students keep the last good one (LiveCourse).
 */
export function authoringRoutes(deps: {
  readonly store: StudentStore;
  readonly authoring: AuthoringSource;
  readonly grading: GradingService;
}): Router {
  const { authoring } = deps;
  const r = Router();
  r.use('/authoring', requireRole(deps.store, 'instructor', 'admin'));
  const problems = (list: readonly LabProblem[]) =>
    list.map((p) => ({
      file: authoring.dir === '' ? p.file : path.relative(authoring.dir, p.file) || p.file,
      line: p.line,
      message: p.message,
    }));
  // The newest version of a lab, or, when the newest files have problems, the version students
  // still get (`held`), so the preview shows something next to the problems.
  const labOf = (id: string): { lab: Lab; held: boolean } => {
    const newest = authoring.latest().course.labs.find((l) => l.id === id);
    if (newest !== undefined) return { lab: newest, held: false };
    const served = authoring.current().labs.find((l) => l.id === id);
    if (served !== undefined) return { lab: served, held: true };
    throw notFound(
      'lab',
      `There is no lab "${id.slice(0, 100)}" (a lab that never loaded: see the problems list)`,
    );
  };
  const problemsOf = (lab: Lab, list: readonly LabProblem[]): LabProblem[] =>
    list.filter((p) => p.file.startsWith(lab.dir + path.sep) || p.file === lab.file);
  /** The newest labs, and after them the ones held at their last good version. */
  const allLabs = (): { lab: Lab; held: boolean }[] => {
    const newest = authoring.latest().course.labs;
    const held = authoring.current().labs.filter((l) => !newest.some((n) => n.id === l.id));
    return [...newest.map((lab) => ({ lab, held: false })), ...held.map((lab) => ({ lab, held: true }))];
  };

  r.get('/authoring/labs', (_req, res) => {
    const latest = authoring.latest();
    res.json({
      version: latest.version,
      loadedAt: latest.loadedAt,
      labs: allLabs().map(({ lab, held }) => ({
        id: lab.id,
        title: lab.title,
        exercises: lab.exercises.length,
        problems: problemsOf(lab, latest.problems).length,
        held,
      })),
      problems: problems(latest.problems),
    } satisfies AuthoringStatus);
  });
  r.get('/authoring/labs/:id', (req, res) => {
    const { lang } = parse(langQuery, req.query, 'query');
    const latest = authoring.latest();
    const { lab, held } = labOf(req.params.id);
    const l = lang ?? currentStudent(res).lang;
    res.json({
      version: latest.version,
      held,
      lab: renderLab(lab, l, [], null),
      keys: lab.exercises.map((e) =>
        e.kind === 'check'
          ? {
              exerciseId: e.id,
              kind: 'check',
              type: e.type,
              params: e.params,
              answer: null,
              hints: e.hints.map((h) => h[l]),
            }
          : {
              exerciseId: e.id,
              kind: 'quiz',
              type: null,
              params: null,
              answer: [...e.answer],
              hints: e.hints.map((h) => h[l]),
            },
      ),
      problems: problems(problemsOf(lab, latest.problems)),
    } satisfies AuthoringPreview);
  });
  r.post('/authoring/labs/:id/exercises/:exerciseId/run', async (req, res) => {
    const { lab } = labOf(req.params.id);
    const exercise = lab.exercises.find((e) => e.id === req.params.exerciseId);
    if (exercise === undefined)
      throw notFound('exercise', `Lab ${lab.id} has no exercise "${req.params.exerciseId.slice(0, 100)}"`);
    const result = await deps.grading.tryCheck(currentStudent(res), lab, exercise);
    res.json({
      status: result.status,
      message: result.message,
      durationMs: result.durationMs,
    } satisfies AuthoringRunResult);
  });
  return r;
}
