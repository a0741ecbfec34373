import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors.ts';
import type { Role, Student, StudentStore } from '../store/Store.ts';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'kl_session';

/**
 * The session token in a request's Cookie header, if any. The header is the client's to forge:
 * a value that does not percent-decode (`kl_session=%`) is no session rather than an error, so
 * every caller can treat it as "not signed in" (401), never as a crash.
 */
export function sessionToken(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== SESSION_COOKIE) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The signed-in student of a request (HTTP or WebSocket upgrade), or undefined. */
export function studentOf(req: IncomingMessage, store: StudentStore): Student | undefined {
  const token = sessionToken(req);
  return token === undefined ? undefined : store.sessionStudent(token);
}

/** Express middleware: 401 unless signed in; puts the student on `res.locals.student`. */
export function requireStudent(store: StudentStore) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const student = studentOf(req, store);
    if (!student) return next(new AppError(401, 'not_signed_in', 'Sign in first'));
    res.locals.student = student;
    next();
  };
}

/** The student put there by requireStudent. */
export function currentStudent(res: Response): Student {
  return res.locals.student as Student;
}

/**
 * Express middleware: 401 unless signed in, 403 unless the user has one of `roles`; puts the user
 * on `res.locals.student` like requireStudent.
 */
export function requireRole(store: StudentStore, ...roles: Role[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const user = studentOf(req, store);
    if (!user) return next(new AppError(401, 'not_signed_in', 'Sign in first'));
    if (!roles.includes(user.role))
      return next(
        new AppError(
          403,
          'forbidden',
          `This needs the role ${roles.join(' or ')}; you are ${user.role === 'student' ? 'a' : 'an'} ${user.role}`,
        ),
      );
    res.locals.student = user;
    next();
  };
}
