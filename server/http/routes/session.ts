import { Router } from 'express';
import { z } from 'zod';
import type { StudentStore } from '../../store/Store.ts';
import type { Me } from '../apiTypes.ts';
import { currentStudent, requireStudent, SESSION_COOKIE, sessionToken } from '../auth.ts';
import { parse } from '../validate.ts';

const signIn = z.object({ name: z.string() }).strict();
const preferences = z.object({ lang: z.enum(['zh', 'en']) }).strict();

/**
 * Sign-in by name only: the "open classroom" mode. Anyone who types a name is that student;
 * fine for a classroom on a trusted network, not for the open internet.
 */
export function sessionRoutes(store: StudentStore): Router {
  const r = Router();
  r.post('/session', (req, res) => {
    const { name } = parse(signIn, req.body, 'sign-in');
    const student = store.studentNamed(name);
    const token = store.createSession(student.id);
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      maxAge: 30 * 24 * 3600 * 1000,
    });
    res.json({ name: student.name, lang: student.lang } satisfies Me);
  });
  r.delete('/session', (req, res) => {
    const token = sessionToken(req);
    if (token !== undefined) store.deleteSession(token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });
  r.get('/me', requireStudent(store), (_req, res) => {
    const s = currentStudent(res);
    res.json({ name: s.name, lang: s.lang } satisfies Me);
  });
  r.put('/me', requireStudent(store), (req, res) => {
    const { lang } = parse(preferences, req.body, 'preferences');
    const s = currentStudent(res);
    store.setLang(s.id, lang);
    res.json({ name: s.name, lang } satisfies Me);
  });
  return r;
}
