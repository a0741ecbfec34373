import { Router } from 'express';
import { z } from 'zod';
import type { GradingService } from '../../checks/GradingService.ts';
import { AppError, notFound } from '../../errors.ts';
import type { Course } from '../../labs/loader.ts';
import type { Exercise, Lab, Lang } from '../../labs/model.ts';
import { exerciseView, renderLab, summarizeLab } from '../../labs/render.ts';
import type { ProgressStore, StudentStore } from '../../store/Store.ts';
import type { CheckResponse, Outline } from '../apiTypes.ts';
import { currentStudent, requireStudent } from '../auth.ts';
import { parse } from '../validate.ts';

/** What the lab routes use. */
export interface LabRouteDeps {
  readonly store: StudentStore & ProgressStore;
  readonly course: () => Course;
  readonly grading: GradingService;
}

const langQuery = z.object({ lang: z.enum(['zh', 'en']).optional() });
const position = z.object({ step: z.number().int().min(0) }).strict();
const checkBody = z.object({ answer: z.array(z.number().int().min(0)).max(20).optional() }).strict();

/** Finds a lab's exercise or answers 404. */
function exerciseOf(course: Course, labId: string, exerciseId: string): { lab: Lab; exercise: Exercise } {
  const lab = labOf(course, labId);
  const exercise = lab.exercises.find((e) => e.id === exerciseId);
  if (!exercise) throw notFound('exercise', `Lab ${lab.id} has no exercise "${exerciseId}"`);
  return { lab, exercise };
}

/** Finds a lab or answers 404. */
export function labOf(course: Course, id: string): Lab {
  const lab = course.labs.find((l) => l.id === id);
  if (!lab) throw notFound('lab', `There is no lab "${id}"`);
  return lab;
}

/** The course outline, lab pages, positions, checks and hints. */
export function labRoutes(deps: LabRouteDeps): Router {
  const { store, course, grading } = deps;
  const r = Router();
  r.use(requireStudent(store));

  r.get('/labs', (_req, res) => {
    const s = currentStudent(res);
    const progress = store.progress(s.id);
    const positions = store.positions(s.id);
    const outline: Outline = {
      title: course().title,
      labs: course().labs.map((l) =>
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
    const lab = labOf(course(), req.params.id);
    const lang: Lang = parse(langQuery, req.query, 'query').lang ?? s.lang;
    res.json(renderLab(lab, lang, store.progress(s.id, lab.id), store.positions(s.id).get(lab.id) ?? null));
  });

  r.put('/labs/:id/position', (req, res) => {
    const s = currentStudent(res);
    const lab = labOf(course(), req.params.id);
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
    const { lab, exercise } = exerciseOf(course(), req.params.id, req.params.exerciseId);
    const body = parse(checkBody, req.body ?? {}, 'check request');
    const lang: Lang = parse(langQuery, req.query, 'query').lang ?? s.lang;
    const result = await grading.grade(s, lab, exercise, body.answer);
    const view = exerciseView(exercise, lang, grading.progressOn(s, lab, exercise));
    res.json({ ...result, exercise: view } satisfies CheckResponse);
  });

  r.post('/labs/:id/checks/:exerciseId/hints', (req, res) => {
    const s = currentStudent(res);
    const { lab, exercise } = exerciseOf(course(), req.params.id, req.params.exerciseId);
    const lang: Lang = parse(langQuery, req.query, 'query').lang ?? s.lang;
    const p = grading.revealHint(s, lab, exercise);
    res.json({
      status: p?.lastStatus ?? 'fail',
      message: p?.lastMessage ?? { zh: '', en: '' },
      durationMs: 0,
      exercise: exerciseView(exercise, lang, p),
    } satisfies CheckResponse);
  });
  return r;
}
