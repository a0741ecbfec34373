import { Router } from 'express';
import { z } from 'zod';
import { environmentContext, gradeQuiz, runCheck, type CheckResult } from '../../checks/registry.ts';
import type { EnvManager } from '../../env/EnvManager.ts';
import { AppError, notFound } from '../../errors.ts';
import type { Course } from '../../labs/loader.ts';
import type { Lab, Lang } from '../../labs/model.ts';
import { exerciseView, renderLab, summarizeLab } from '../../labs/render.ts';
import type { ProgressStore, StudentStore } from '../../store/Store.ts';
import type { CheckResponse, Outline } from '../apiTypes.ts';
import { currentStudent, requireStudent } from '../auth.ts';
import { parse } from '../validate.ts';

/** What the lab routes use. */
export interface LabRouteDeps {
  readonly store: StudentStore & ProgressStore;
  readonly course: Course;
  readonly envs: EnvManager;
}

const langQuery = z.object({ lang: z.enum(['zh', 'en']).optional() });
const position = z.object({ step: z.number().int().min(0) }).strict();
const checkBody = z.object({ answer: z.array(z.number().int().min(0)).max(20).optional() }).strict();

/** Finds a lab or answers 404. */
export function labOf(course: Course, id: string): Lab {
  const lab = course.labs.find((l) => l.id === id);
  if (!lab) throw notFound('lab', `There is no lab "${id}"`);
  return lab;
}

/** The course outline, lab pages, positions, checks and hints. */
export function labRoutes(deps: LabRouteDeps): Router {
  const { store, course } = deps;
  const r = Router();
  r.use(requireStudent(store));

  r.get('/labs', (_req, res) => {
    const s = currentStudent(res);
    const progress = store.progress(s.id);
    const positions = store.positions(s.id);
    const outline: Outline = {
      title: course.title,
      labs: course.labs.map((l) =>
        summarizeLab(
          l,
          progress.filter((p) => p.labId === l.id),
          positions.get(l.id) ?? null,
        ),
      ),
    };
    res.json(outline);
  });

  r.get('/labs/:id', (req, res) => {
    const s = currentStudent(res);
    const lab = labOf(course, req.params.id);
    const lang: Lang = parse(langQuery, req.query, 'query').lang ?? s.lang;
    res.json(renderLab(lab, lang, store.progress(s.id, lab.id), store.positions(s.id).get(lab.id) ?? null));
  });

  r.put('/labs/:id/position', (req, res) => {
    const s = currentStudent(res);
    const lab = labOf(course, req.params.id);
    const { step } = parse(position, req.body, 'position');
    if (step >= lab.steps.length)
      throw new AppError(
        400,
        'bad_request',
        `Lab ${lab.id} has ${lab.steps.length} steps (0..${lab.steps.length - 1})`,
      );
    store.setPosition(s.id, lab.id, step);
    res.status(204).end();
  });

  r.post('/labs/:id/checks/:exerciseId', async (req, res) => {
    const s = currentStudent(res);
    const lab = labOf(course, req.params.id);
    const exercise = lab.exercises.find((e) => e.id === req.params.exerciseId);
    if (!exercise) throw notFound('exercise', `Lab ${lab.id} has no exercise "${req.params.exerciseId}"`);
    const body = parse(checkBody, req.body ?? {}, 'check request');
    let result: CheckResult;
    if (exercise.kind === 'quiz') {
      if (body.answer === undefined || body.answer.length === 0)
        throw new AppError(400, 'bad_request', 'A quiz needs an answer: { "answer": [choice indexes] }');
      const outOfRange = body.answer.filter((a) => a >= exercise.choices.length);
      if (outOfRange.length > 0)
        throw new AppError(
          400,
          'bad_request',
          `Choice ${outOfRange.join(', ')} does not exist (0..${exercise.choices.length - 1})`,
        );
      if (!exercise.multiple && body.answer.length > 1)
        throw new AppError(400, 'bad_request', 'This question has one answer');
      result = gradeQuiz(exercise, body.answer);
    } else {
      const env = await deps.envs.status(s);
      if (env.phase !== 'running' || env.mode !== lab.environment) {
        result = {
          status: 'error',
          message:
            env.phase === 'running'
              ? {
                  zh: `这个实验需要 ${lab.environment} 模式的环境，你的环境是 ${env.mode} 模式`,
                  en: `This lab needs a ${lab.environment} environment; yours is in ${env.mode} mode`,
                }
              : {
                  zh: '你的环境没有在运行：请先启动它',
                  en: 'Your environment is not running: start it first',
                },
          durationMs: 0,
        };
      } else {
        result = await runCheck(exercise, environmentContext(deps.envs.nodes(s)));
      }
    }
    // `error` means it could not run: not an attempt, no hint.
    if (result.status !== 'error') {
      store.recordAttempt(s.id, {
        labId: lab.id,
        exerciseId: exercise.id,
        status: result.status,
        message: result.message,
        durationMs: result.durationMs,
        ...(body.answer ? { answer: body.answer } : {}),
      });
      if (result.status === 'fail' && exercise.hints.length > 0)
        store.revealHint(s.id, lab.id, exercise.id, exercise.hints.length);
    }
    const lang: Lang = parse(langQuery, req.query, 'query').lang ?? s.lang;
    const view = exerciseView(
      exercise,
      lang,
      store.progress(s.id, lab.id).find((p) => p.exerciseId === exercise.id),
    );
    res.json({ ...result, exercise: view } satisfies CheckResponse);
  });

  r.post('/labs/:id/checks/:exerciseId/hints', (req, res) => {
    const s = currentStudent(res);
    const lab = labOf(course, req.params.id);
    const exercise = lab.exercises.find((e) => e.id === req.params.exerciseId);
    if (!exercise) throw notFound('exercise', `Lab ${lab.id} has no exercise "${req.params.exerciseId}"`);
    if (exercise.hints.length === 0)
      throw new AppError(404, 'no_hints', `Exercise ${exercise.id} has no hints`);
    store.revealHint(s.id, lab.id, exercise.id, exercise.hints.length);
    const p = store.progress(s.id, lab.id).find((x) => x.exerciseId === exercise.id);
    const view = exerciseView(exercise, parse(langQuery, req.query, 'query').lang ?? s.lang, p);
    res.json({
      status: p?.lastStatus ?? 'fail',
      message: p?.lastMessage ?? { zh: '', en: '' },
      durationMs: 0,
      exercise: view,
    } satisfies CheckResponse);
  });
  return r;
}
