import { Router } from 'express';
import { z } from 'zod';
import { optionalEmail, optionalText, type Accounts } from '../../auth/Accounts.ts';
import { AppError } from '../../errors.ts';
import type { ClassroomStore, StudentStore, User } from '../../store/Store.ts';
import type { EnvManager } from '../../env/EnvManager.ts';
import type { CapacityView, OneTimeLink, UserSummary } from '../apiTypes.ts';
import { requireRole } from '../auth.ts';
import { parse } from '../validate.ts';

const role = z.enum(['student', 'instructor', 'admin']);
const createBody = z
  .object({
    name: z.string().max(1024),
    role,
    displayName: z.string().max(1000).optional(),
    email: z.string().max(1000).optional(),
  })
  .strict();

/**
 * For admins: everyone with an account (list, create with a set-password link, reset), and how
 * full the host is.
 */
export function userRoutes(
  store: StudentStore & ClassroomStore,
  accounts: Accounts,
  envs: EnvManager,
): Router {
  const r = Router();
  r.use('/users', requireRole(store, 'admin'));
  r.use('/admin', requireRole(store, 'admin'));
  r.get('/admin/capacity', (_req, res) => {
    res.json(envs.capacity() satisfies CapacityView);
  });
  r.get('/users', (_req, res) => {
    res.json(store.users().map(userSummary) satisfies UserSummary[]);
  });
  r.post('/users', (req, res) => {
    const body = parse(createBody, req.body, 'user');
    const { link } = accounts.createUser(body.name, body.role, {
      displayName: optionalText(body.displayName, 'display name', 100),
      email: optionalEmail(body.email),
    });
    res.status(201).json(link satisfies OneTimeLink);
  });
  r.post('/users/:id/password-link', (req, res) => {
    const id = /^[1-9][0-9]{0,15}$/.test(req.params.id) ? Number(req.params.id) : NaN;
    const user = Number.isSafeInteger(id) ? store.userById(id) : undefined;
    if (user === undefined) throw new AppError(404, 'user_not_found', 'There is no such user');
    res.status(201).json(accounts.passwordLink(user) satisfies OneTimeLink);
  });
  return r;
}

function userSummary(u: User): UserSummary {
  return {
    id: u.id,
    name: u.name,
    displayName: u.displayName,
    role: u.role,
    activated: u.hasPassword,
    createdAt: u.createdAt,
  };
}
