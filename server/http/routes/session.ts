import { Router, type Response } from 'express';
import { z } from 'zod';
import { meOf, type Accounts } from '../../auth/Accounts.ts';
import type { StudentStore, User } from '../../store/Store.ts';
import type { AuthInfo, Me } from '../apiTypes.ts';
import { currentStudent, requireStudent, SESSION_COOKIE, sessionToken } from '../auth.ts';
import { parse } from '../validate.ts';

// Strings are bounded here so a megabyte "name" is a 400 before any work; the name rules
// themselves (normalizeName) and the password rules (checkNewPassword) say what is wrong.
const name = z.string().max(1024);
const password = z.string().max(4096);
const token = z.string().min(1).max(200);
const signIn = z.object({ name, password: password.optional() }).strict();
const signUp = z.object({ joinCode: z.string().min(1).max(64), name, password }).strict();
const setup = z.object({ token, name, password }).strict();
const setPassword = z.object({ token, password }).strict();
const preferences = z.object({ lang: z.enum(['zh', 'en']) }).strict();

/** How sessions are kept: the cookie's lifetime and whether it is Secure. */
export interface SessionOptions {
  readonly ttlMs: number;
  /** Set when the public URL is https (the cookie then never travels over plain http). */
  readonly secure: boolean;
}

/**
 * Sign-in, sign-up, first-run setup and one-time set-password links. Which sign-ins are allowed
 * is the Accounts service's rule (mode `accounts` or `open`); these routes only carry it to HTTP
 * and keep the session cookie (httpOnly, SameSite=Lax, Secure behind https).
 */
export function sessionRoutes(store: StudentStore, accounts: Accounts, options: SessionOptions): Router {
  const r = Router();
  const signedIn = (res: Response, user: User): void => {
    const t = store.createSession(user.id);
    setCookie(res, t, options);
    res.json(meOf(user) satisfies Me);
  };
  r.get('/auth', (_req, res) => {
    res.json(accounts.info() satisfies AuthInfo);
  });
  r.post('/session', async (req, res) => {
    const body = parse(signIn, req.body, 'sign-in');
    signedIn(res, await accounts.signIn(body.name, body.password, req.ip ?? 'unknown'));
  });
  r.post('/signup', async (req, res) => {
    const body = parse(signUp, req.body, 'sign-up');
    signedIn(res, await accounts.signUp(body.joinCode, body.name, body.password, req.ip ?? 'unknown'));
  });
  r.post('/setup', async (req, res) => {
    const body = parse(setup, req.body, 'setup');
    signedIn(res, await accounts.setup(body.token, body.name, body.password));
  });
  r.post('/password', async (req, res) => {
    const body = parse(setPassword, req.body, 'new password');
    signedIn(res, await accounts.setPassword(body.token, body.password));
  });
  r.delete('/session', (req, res) => {
    const t = sessionToken(req);
    if (t !== undefined) store.deleteSession(t);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });
  // Sign out everywhere: every session of this user ends, this one too.
  r.delete('/sessions', requireStudent(store), (_req, res) => {
    store.revokeSessions(currentStudent(res).id);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });
  r.get('/me', requireStudent(store), (req, res) => {
    // A page load renews the cookie, so an active user's session slides on both sides.
    const t = sessionToken(req);
    if (t !== undefined) setCookie(res, t, options);
    res.json(meOf(currentStudent(res)) satisfies Me);
  });
  r.put('/me', requireStudent(store), (req, res) => {
    const { lang } = parse(preferences, req.body, 'preferences');
    const s = currentStudent(res);
    store.setLang(s.id, lang);
    res.json({ ...meOf(s), lang } satisfies Me);
  });
  return r;
}

function setCookie(res: Response, value: string, options: SessionOptions): void {
  res.cookie(SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure,
    path: '/',
    maxAge: options.ttlMs,
  });
}
