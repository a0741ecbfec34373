import { Router } from 'express';
import { z } from 'zod';
import type { EnvManager } from '../../env/EnvManager.ts';
import type { Course } from '../../labs/loader.ts';
import type { StudentStore } from '../../store/Store.ts';
import { currentStudent, requireStudent } from '../auth.ts';
import { parse } from '../validate.ts';
import { labOf } from './labs.ts';

const startBody = z.object({ labId: z.string().min(1), reset: z.boolean().optional() }).strict();

/** The caller's environment: status, start-or-resume in a lab's mode (202), reset. */
export function envRoutes(store: StudentStore, course: () => Course, envs: EnvManager): Router {
  const r = Router();
  r.use(requireStudent(store));
  r.get('/env', async (_req, res) => {
    res.json(await envs.status(currentStudent(res)));
  });
  r.post('/env', async (req, res) => {
    const { labId, reset } = parse(startBody, req.body, 'environment request');
    const lab = labOf(course(), labId);
    res.status(202).json(await envs.start(currentStudent(res), lab.environment, reset === true));
  });
  r.delete('/env', async (_req, res) => {
    res.json(await envs.reset(currentStudent(res)));
  });
  return r;
}
