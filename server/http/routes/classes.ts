import express, { Router, type Response } from 'express';
import { z } from 'zod';
import type { Accounts } from '../../auth/Accounts.ts';
import { optionalText } from '../../auth/Accounts.ts';
import type { ClassHub } from '../../classroom/ClassHub.ts';
import { classStudent, type ClassView } from '../../classroom/ClassView.ts';
import { gradebookCsv } from '../../classroom/gradebook.ts';
import { linksCsv, parseRoster } from '../../classroom/roster.ts';
import type { EnvManager } from '../../env/EnvManager.ts';
import { AppError, badRequest } from '../../errors.ts';
import type { Course } from '../../labs/loader.ts';
import type { ClassRow, ClassroomStore, ProgressStore, StudentStore, User } from '../../store/Store.ts';
import type {
  ClassDetail,
  ClassSummary,
  CreatedClass,
  EnvStatus,
  GradebookJson,
  GradebookRow,
  RosterImportResult,
  StudentDetail,
} from '../apiTypes.ts';
import { currentStudent, requireRole } from '../auth.ts';
import { parse } from '../validate.ts';

/** What the class routes use. */
export interface ClassRouteDeps {
  readonly store: StudentStore & ProgressStore & ClassroomStore;
  readonly course: () => Course;
  readonly envs: EnvManager;
  readonly accounts: Accounts;
  readonly view: ClassView;
  readonly hub: ClassHub;
}

const className = z.string().max(1000);
const isoInstant = z.iso.datetime({ offset: true });
const labList = z.array(z.string().min(1).max(100)).max(200);
const dueMap = z.record(z.string().max(100), isoInstant.nullable());
const createBody = z.object({ name: className, labs: labList.optional(), due: dueMap.optional() }).strict();
const updateBody = z
  .object({
    name: className.optional(),
    labs: labList.optional(),
    due: dueMap.optional(),
    open: z.boolean().optional(),
    newJoinCode: z.literal(true).optional(),
    addInstructor: z.string().max(1024).optional(),
  })
  .strict();
const envBody = z.object({ action: z.enum(['stop', 'reset']) }).strict();

/** Most attempts a student's page lists. */
const ATTEMPTS_SHOWN = 500;

/**
 * Classes, for instructors and admins. Every route finds the class through `classFor`, which
 * answers 404 for a class the caller does not teach (admins teach all), and a student through
 * `studentIn`, 404 unless they are in that class: an id from another class reaches nothing.
 */
export function classRoutes(deps: ClassRouteDeps): Router {
  const { store, view } = deps;
  const r = Router();
  r.use('/classes', requireRole(store, 'instructor', 'admin'));

  const classFor = (res: Response, rawId: string): ClassRow => {
    const user = currentStudent(res);
    const id = /^[1-9][0-9]{0,15}$/.test(rawId) ? Number(rawId) : NaN;
    const cls = Number.isSafeInteger(id) ? store.classById(id) : undefined;
    if (cls === undefined || (user.role !== 'admin' && !store.isMember(cls.id, user.id, 'instructor')))
      throw new AppError(404, 'class_not_found', `You have no class ${JSON.stringify(rawId.slice(0, 40))}`);
    return cls;
  };
  const studentIn = (cls: ClassRow, rawId: string): User => {
    const id = /^[1-9][0-9]{0,15}$/.test(rawId) ? Number(rawId) : NaN;
    const user = Number.isSafeInteger(id) ? store.userById(id) : undefined;
    if (user === undefined || !store.isMember(cls.id, user.id, 'student'))
      throw new AppError(
        404,
        'student_not_found',
        `Class ${cls.name} has no student ${JSON.stringify(rawId.slice(0, 40))}`,
      );
    return user;
  };
  /**
   * The class's labs with their due dates. `due` names only labs of the class (null clears one);
   * a lab it leaves out keeps its date in `earlier` (a change of labs or of one lab's date keeps
   * the other dates).
   */
  const labsOf = (
    labs: readonly string[] | undefined,
    due: Record<string, string | null> | undefined,
    earlier: ClassRow['labs'] = [],
  ) => {
    const course = deps.course();
    const ids = labs ?? course.labs.map((l) => l.id);
    const unknown = ids.filter((id) => !course.labs.some((l) => l.id === id));
    if (unknown.length > 0)
      throw badRequest(`No such lab: ${unknown.map((u) => JSON.stringify(u)).join(', ')}`);
    if (new Set(ids).size !== ids.length) throw badRequest('A lab is listed twice');
    const stray = Object.keys(due ?? {}).filter((id) => !ids.includes(id));
    if (stray.length > 0)
      throw badRequest(`A due date for a lab the class does not use: ${stray.join(', ')}`);
    const dates = new Map<string, string | null>(earlier.map((l) => [l.labId, l.due]));
    for (const [labId, date] of Object.entries(due ?? {})) dates.set(labId, date);
    return ids.map((labId) => ({ labId, due: normalizeInstant(dates.get(labId) ?? null) }));
  };

  r.post('/classes', (req, res) => {
    const body = parse(createBody, req.body, 'class');
    const name = requiredText(body.name, 'class name', 100);
    const cls = store.createClass(name, currentStudent(res).id, labsOf(body.labs, body.due));
    res.status(201).json({ id: cls.id, joinCode: view.summary(cls).joinCode } satisfies CreatedClass);
  });
  r.get('/classes', (_req, res) => {
    res.json(store.classesOf(currentStudent(res)).map((c) => view.summary(c)) satisfies ClassSummary[]);
  });
  r.get('/classes/:id', async (req, res) => {
    res.json((await view.detail(classFor(res, req.params.id))) satisfies ClassDetail);
  });
  r.patch('/classes/:id', async (req, res) => {
    const cls = classFor(res, req.params.id);
    const body = parse(updateBody, req.body, 'class change');
    const co = body.addInstructor === undefined ? undefined : store.findStudent(body.addInstructor);
    if (body.addInstructor !== undefined && (co === undefined || co.role === 'student'))
      throw badRequest(`No instructor is called ${JSON.stringify(body.addInstructor.slice(0, 100))}`);
    const labs =
      body.labs !== undefined || body.due !== undefined
        ? labsOf(body.labs ?? cls.labs.map((l) => l.labId), body.due, cls.labs)
        : undefined;
    const updated = store.transaction(() => {
      if (co !== undefined) store.addMember(cls.id, co.id, 'instructor');
      return store.updateClass(cls.id, {
        ...(body.name === undefined ? {} : { name: requiredText(body.name, 'class name', 100) }),
        ...(body.open === undefined ? {} : { open: body.open }),
        ...(body.newJoinCode ? { joinCode: store.newJoinCode() } : {}),
        ...(labs === undefined ? {} : { labs }),
      });
    });
    deps.hub.classChanged(updated.id);
    res.json((await view.detail(updated)) satisfies ClassDetail);
  });

  r.post(
    '/classes/:id/roster',
    express.text({ type: ['text/csv', 'text/plain', 'application/csv'], limit: '1mb' }),
    (req, res) => {
      const cls = classFor(res, req.params.id);
      if (typeof req.body !== 'string')
        throw new AppError(
          415,
          'unsupported_media_type',
          'Send the roster as text/csv: name, display name, email',
        );
      const entries = parseRoster(req.body);
      const result = store.transaction(() => {
        const out: RosterImportResult = { created: [], added: [], unchanged: [], csv: '' };
        for (const e of entries) {
          const existing = store.findStudent(e.name);
          if (existing !== undefined && existing.role !== 'student')
            throw badRequest(
              `line ${e.line}: "${e.name}" is an ${existing.role}, not a student; nothing was imported`,
            );
          if (existing === undefined) {
            const { user, link } = deps.accounts.createUser(e.name, 'student', {
              displayName: e.displayName,
              email: e.email,
            });
            store.addMember(cls.id, user.id, 'student');
            out.created.push({
              name: user.name,
              displayName: e.displayName,
              email: e.email,
              link: link.link,
            });
          } else if (store.addMember(cls.id, existing.id, 'student')) out.added.push(existing.name);
          else out.unchanged.push(existing.name);
        }
        return out;
      });
      result.csv = linksCsv(result.created);
      deps.hub.classChanged(cls.id);
      res.status(201).json(result satisfies RosterImportResult);
    },
  );

  r.get('/classes/:id/gradebook', (req, res) => {
    res.json(view.gradebook(classFor(res, req.params.id)) satisfies GradebookJson);
  });
  r.get('/classes/:id/gradebook.csv', (req, res) => {
    const cls = classFor(res, req.params.id);
    const file = `${cls.name.replace(/[^\p{L}\p{N}_-]+/gu, '-').slice(0, 60) || 'class'}-gradebook.csv`;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="gradebook.csv"; filename*=UTF-8''${encodeURIComponent(file)}`,
    );
    res.send(gradebookCsv(view.gradebook(cls)));
  });
  r.get('/classes/:id/students/:studentId', async (req, res) => {
    const cls = classFor(res, req.params.id);
    const student = studentIn(cls, req.params.studentId);
    const env = await deps.envs.status(student);
    // This student's row and the columns: the class's whole gradebook is not needed here.
    const { rows, exercises } = view.studentGradebook(cls, student);
    const row = rows[0] as GradebookRow;
    res.json({
      student: classStudent(student, env.phase),
      attempts: store.attempts(student.id, ATTEMPTS_SHOWN).map((a) => ({
        labId: a.labId,
        exerciseId: a.exerciseId,
        status: a.status,
        message: a.message,
        durationMs: a.durationMs,
        at: a.at,
      })),
      row,
      exercises,
      env,
    } satisfies StudentDetail);
  });
  r.post('/classes/:id/students/:studentId/env', async (req, res) => {
    const cls = classFor(res, req.params.id);
    const student = studentIn(cls, req.params.studentId);
    const { action } = parse(envBody, req.body, 'environment action');
    const status = action === 'stop' ? await deps.envs.stop(student) : await deps.envs.reset(student);
    res.json(status satisfies EnvStatus);
  });
  return r;
}

/** A required one-line text: trimmed, bounded, no control characters. */
export function requiredText(raw: string, what: string, max: number): string {
  const text = optionalText(raw, what, max);
  if (text === null) throw badRequest(`The ${what} is empty`);
  return text;
}

function normalizeInstant(iso: string | null): string | null {
  return iso === null ? null : new Date(iso).toISOString();
}
