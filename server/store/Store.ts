import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { newEnvId, normalizeName } from '../env/naming.ts';
import { AppError } from '../errors.ts';
import type { Bilingual, Lang } from '../labs/model.ts';

/** A user's role (see apiTypes' Role). */
export type Role = 'student' | 'instructor' | 'admin';

/**
 * A user: a student, an instructor or an admin (the table is still called `students`, as it was
 * when everyone was one). Every user may have an environment.
 */
export interface Student {
  readonly id: number;
  readonly name: string;
  readonly lang: Lang;
  /** Their environment's id: random, made with the row, never derived from the name. */
  readonly envId: string;
  readonly role: Role;
  readonly displayName: string | null;
  readonly email: string | null;
  /** Whether a password is set (accounts made in `open` mode or by a roster import have none yet). */
  readonly hasPassword: boolean;
  readonly createdAt: string;
}

/** Another name for a Student, where the role matters more than the lab work. */
export type User = Student;

/** What a one-time token is for. */
export type TokenPurpose = 'setup' | 'set_password';

/** A class: its instructors see its students' progress. */
export interface ClassRow {
  readonly id: number;
  readonly name: string;
  readonly joinCode: string;
  readonly open: boolean;
  readonly createdAt: string;
  /** Lab ids in order, with optional due dates (ISO). */
  readonly labs: readonly { labId: string; due: string | null }[];
}

/** One graded attempt as stored, for an instructor's view of a student. */
export interface AttemptRow extends Attempt {
  readonly at: string;
}

/** One graded attempt (checks that could not run are not attempts and are not stored). */
export interface Attempt {
  readonly labId: string;
  readonly exerciseId: string;
  readonly status: 'pass' | 'fail';
  readonly message: Bilingual;
  readonly durationMs: number;
  /** The chosen answers, for quizzes. */
  readonly answer?: readonly number[];
}

/** Where a student stands on one exercise. */
export interface ExerciseProgress {
  readonly labId: string;
  readonly exerciseId: string;
  readonly attempts: number;
  readonly passed: boolean;
  readonly hintsRevealed: number;
  /** Which hints were revealed, by index, in the order the student saw them. */
  readonly hintsShown: readonly number[];
  readonly lastStatus: 'pass' | 'fail' | null;
  readonly lastMessage: Bilingual | null;
  /** When the student first attempted it and when they first passed it (ISO), for the time spent. */
  readonly firstAttemptAt: string | null;
  readonly passedAt: string | null;
}

/** Why an environment is not as its student left it (see `StudentStore.envNotice`). */
export type EnvNoticeReason = 'idle_stopped' | 'expired' | 'missing';

/** When an environment was last used and when it was stopped (ms since the epoch; null: unknown). */
export interface EnvTimes {
  readonly activeMs: number | null;
  readonly stoppedMs: number | null;
}

/** What the idle culler keeps per environment (by environment id, on its student's row). */
export interface EnvTimesStore {
  /** The times of the student whose environment this is; undefined when no student has it. */
  envTimes(envId: string): EnvTimes | undefined;
  /** When the student named `name` last used their environment `envId` (no row: nothing). */
  setEnvActiveMs(name: string, envId: string, ms: number): void;
  /** When it was stopped; null once it runs again (or is gone). */
  setEnvStoppedMs(envId: string, ms: number | null): void;
}

/** Students and their sign-in sessions. */
export interface StudentStore {
  /** Finds or creates the student with this name (normalised first: `normalizeName`). */
  studentNamed(name: string): Student;
  /** The student with this name, without creating one. */
  findStudent(name: string): Student | undefined;
  /** Every student's environment id, by id (for adopting environments on start). */
  students(): Student[];
  /** Points a student at an existing environment id (adoption of an earlier version's environment). */
  setEnvId(studentId: number, envId: string): void;
  setLang(studentId: number, lang: Lang): void;
  /**
   * Why the student's environment is not what they left (stopped while idle, expired, gone), to
   * tell them on their next visit; null once they started it again.
   */
  envNotice(envId: string): EnvNoticeReason | null;
  /**
   * Moves the student named `name` from environment `from` to `to` (a warm-pool environment they
   * take), only if their row still has `from`; whether it did. The old notice goes with the old id.
   */
  moveEnvId(name: string, from: string, to: string): boolean;
  setEnvNotice(envId: string, reason: EnvNoticeReason | null): void;
  /** A new session token for the student (only its hash is stored). */
  createSession(studentId: number): string;
  /**
   * The student a session token belongs to, or undefined: unknown, revoked, or idle for longer
   * than the session lifetime (sliding: every use extends it).
   */
  sessionStudent(token: string): Student | undefined;
  deleteSession(token: string): void;
  /** Ends every session of a user (password reset, removal, "sign out everywhere"). */
  revokeSessions(userId: number): number;
}

/** Accounts, one-time tokens and classes. */
export interface ClassroomStore {
  userById(id: number): User | undefined;
  /** The user whose environment this is. */
  userByEnvId(envId: string): User | undefined;
  users(): User[];
  /** Creates a user; a 409 when the (normalised) name is taken. */
  createUser(
    name: string,
    role: Role,
    extra?: { passwordHash?: string; displayName?: string | null; email?: string | null },
  ): User;
  /** The stored password hash of a user, or null when none is set. */
  passwordHash(userId: number): string | null;
  setPassword(userId: number, passwordHash: string): void;
  setRole(userId: number, role: Role): void;
  deleteUser(userId: number): void;
  /** Whether an admin with a password exists (else the server offers a setup link). */
  hasAdmin(): boolean;
  /** A new one-time token (only its hash is stored). */
  createToken(
    purpose: TokenPurpose,
    userId: number | null,
    ttlMs: number,
  ): { token: string; expiresAt: string };
  /**
   * Runs `use` with the token's user (null for setup) and marks the token used, in one
   * transaction: when `use` throws, the token stays usable. Throws a 400/410 for a token that is
   * unknown, of another purpose, expired or already used.
   */
  redeemToken<T>(token: string, purpose: TokenPurpose, use: (userId: number | null) => T): T;
  createClass(
    name: string,
    instructorId: number,
    labs: readonly { labId: string; due: string | null }[],
  ): ClassRow;
  classById(id: number): ClassRow | undefined;
  classByJoinCode(code: string): ClassRow | undefined;
  /** Classes a user teaches (admins: every class). */
  classesOf(user: User): ClassRow[];
  updateClass(
    id: number,
    change: {
      name?: string;
      open?: boolean;
      joinCode?: string;
      labs?: readonly { labId: string; due: string | null }[];
    },
  ): ClassRow;
  addMember(classId: number, userId: number, role: 'student' | 'instructor'): boolean;
  /** The class's members of a role, by id. */
  members(classId: number, role: 'student' | 'instructor'): User[];
  isMember(classId: number, userId: number, role: 'student' | 'instructor'): boolean;
  /** Classes a student is in (for live gradebook updates). */
  classIdsOfStudent(userId: number): number[];
  /** Progress of every student of a class, by student id, in one query. */
  classProgress(classId: number): Map<number, ExerciseProgress[]>;
  /** A student's attempts, newest first. */
  attempts(studentId: number, limit: number): AttemptRow[];
  /** A new join code nobody uses. */
  newJoinCode(): string;
  /** Runs `fn` in one transaction: all of its writes, or none. */
  transaction<T>(fn: () => T): T;
}

/** Attempts, hints and positions in labs. */
export interface ProgressStore {
  recordAttempt(studentId: number, attempt: Attempt): void;
  /**
   * Reveals the first hint of `order` (hint indexes, most fitting first) not shown yet; returns
   * the indexes shown now, in the order they were revealed (unchanged when all are shown).
   */
  revealHint(studentId: number, labId: string, exerciseId: string, order: readonly number[]): number[];
  /** Progress on every exercise the student has touched (optionally in one lab). */
  progress(studentId: number, labId?: string): ExerciseProgress[];
  setPosition(studentId: number, labId: string, step: number): void;
  /** The last step the student had open in each lab. */
  positions(studentId: number): Map<string, number>;
  /** Whether the store answers (for /healthz). */
  ping(): boolean;
}

/** Options of the store. */
export interface StoreOptions {
  /** How long a session lives without being used (sliding), in ms; default 14 days. */
  readonly sessionTtlMs?: number;
  /** The clock (ms since the epoch), injectable for tests of expiry. */
  readonly now?: () => number;
}

/**
 * How often a session's last use is written (a write per request would be wasteful): at most
 * every minute, and at least four times per lifetime, so that a session used more often than its
 * lifetime never expires (with a lifetime of a minute, a write a minute would let it lapse).
 */
const SEEN_WRITE_MS = 60_000;

/** The SQLite store (WAL) in the data directory. */
export class SqliteStore implements StudentStore, ProgressStore, ClassroomStore, EnvTimesStore {
  private readonly db: Database.Database;
  private readonly sessionTtlMs: number;
  private readonly seenWriteMs: number;
  private readonly now: () => number;

  /** Opens (and migrates) the database at `file`; `:memory:` for tests. */
  constructor(file: string, options: StoreOptions = {}) {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    this.sessionTtlMs = options.sessionTtlMs ?? 14 * 24 * 3600_000;
    this.seenWriteMs = Math.min(SEEN_WRITE_MS, Math.floor(this.sessionTtlMs / 4));
    this.now = options.now ?? Date.now;
  }

  close(): void {
    this.db.close();
  }

  ping(): boolean {
    try {
      return this.db.prepare('SELECT 1 AS one').get() !== undefined;
    } catch {
      return false;
    }
  }

  studentNamed(raw: string): Student {
    const name = normalizeName(raw);
    this.db
      .prepare('INSERT INTO students (name, env_id) VALUES (?, ?) ON CONFLICT(name) DO NOTHING')
      .run(name, newEnvId());
    return userOf(this.db.prepare(`SELECT ${STUDENT} FROM students WHERE name = ?`).get(name));
  }

  findStudent(raw: string): Student | undefined {
    const name = normalizeName(raw);
    const row = this.db.prepare(`SELECT ${STUDENT} FROM students WHERE name = ?`).get(name);
    return row === undefined ? undefined : userOf(row);
  }

  students(): Student[] {
    return this.db.prepare(`SELECT ${STUDENT} FROM students ORDER BY id`).all().map(userOf);
  }

  userById(id: number): User | undefined {
    const row = this.db.prepare(`SELECT ${STUDENT} FROM students WHERE id = ?`).get(id);
    return row === undefined ? undefined : userOf(row);
  }

  userByEnvId(envId: string): User | undefined {
    const row = this.db.prepare(`SELECT ${STUDENT} FROM students WHERE env_id = ?`).get(envId);
    return row === undefined ? undefined : userOf(row);
  }

  users(): User[] {
    return this.students();
  }

  createUser(
    raw: string,
    role: Role,
    extra: { passwordHash?: string; displayName?: string | null; email?: string | null } = {},
  ): User {
    const name = normalizeName(raw);
    const r = this.db
      .prepare(
        `INSERT INTO students (name, env_id, role, password_hash, display_name, email) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(name) DO NOTHING`,
      )
      .run(
        name,
        newEnvId(),
        role,
        extra.passwordHash ?? null,
        extra.displayName ?? null,
        extra.email ?? null,
      );
    if (r.changes === 0) throw new AppError(409, 'name_taken', `The name "${name}" is taken`);
    return this.userById(Number(r.lastInsertRowid)) as User;
  }

  passwordHash(userId: number): string | null {
    const row = this.db.prepare('SELECT password_hash AS h FROM students WHERE id = ?').get(userId) as
      { h: string | null } | undefined;
    return row?.h ?? null;
  }

  setPassword(userId: number, passwordHash: string): void {
    this.db.prepare('UPDATE students SET password_hash = ? WHERE id = ?').run(passwordHash, userId);
  }

  setRole(userId: number, role: Role): void {
    this.db.prepare('UPDATE students SET role = ? WHERE id = ?').run(role, userId);
  }

  deleteUser(userId: number): void {
    this.db.prepare('DELETE FROM students WHERE id = ?').run(userId);
  }

  hasAdmin(): boolean {
    return (
      this.db
        .prepare("SELECT 1 FROM students WHERE role = 'admin' AND password_hash IS NOT NULL LIMIT 1")
        .get() !== undefined
    );
  }

  createToken(
    purpose: TokenPurpose,
    userId: number | null,
    ttlMs: number,
  ): { token: string; expiresAt: string } {
    const token = randomBytes(32).toString('base64url');
    const expires = this.now() + ttlMs;
    this.db
      .prepare('INSERT INTO tokens (token_hash, purpose, user_id, expires_ms) VALUES (?, ?, ?, ?)')
      .run(hash(token), purpose, userId, expires);
    return { token, expiresAt: new Date(expires).toISOString() };
  }

  redeemToken<T>(token: string, purpose: TokenPurpose, use: (userId: number | null) => T): T {
    return this.db.transaction(() => {
      const row = this.db
        .prepare(
          'SELECT purpose, user_id AS userId, expires_ms AS expires, used_ms AS used FROM tokens WHERE token_hash = ?',
        )
        .get(hash(token)) as
        { purpose: TokenPurpose; userId: number | null; expires: number; used: number | null } | undefined;
      if (row?.purpose !== purpose)
        throw new AppError(400, 'bad_token', 'This link is not valid: ask for a new one');
      if (row.used !== null)
        throw new AppError(410, 'token_used', 'This link was already used: ask for a new one');
      if (row.expires < this.now())
        throw new AppError(410, 'token_expired', 'This link has expired: ask for a new one');
      const result = use(row.userId);
      this.db.prepare('UPDATE tokens SET used_ms = ? WHERE token_hash = ?').run(this.now(), hash(token));
      return result;
    })();
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  newJoinCode(): string {
    for (;;) {
      const code = joinCode();
      if (this.classByJoinCode(code) === undefined) return code;
    }
  }

  createClass(
    name: string,
    instructorId: number,
    labs: readonly { labId: string; due: string | null }[],
  ): ClassRow {
    return this.db.transaction(() => {
      const r = this.db
        .prepare('INSERT INTO classes (name, join_code) VALUES (?, ?)')
        .run(name, this.newJoinCode());
      const id = Number(r.lastInsertRowid);
      this.addMember(id, instructorId, 'instructor');
      this.setClassLabs(id, labs);
      return this.classById(id) as ClassRow;
    })();
  }

  private setClassLabs(classId: number, labs: readonly { labId: string; due: string | null }[]): void {
    this.db.prepare('DELETE FROM class_labs WHERE class_id = ?').run(classId);
    const insert = this.db.prepare(
      'INSERT INTO class_labs (class_id, lab_id, position, due_at) VALUES (?, ?, ?, ?)',
    );
    labs.forEach((l, i) => insert.run(classId, l.labId, i, l.due));
  }

  classById(id: number): ClassRow | undefined {
    const row = this.db.prepare(`SELECT ${CLASS} FROM classes WHERE id = ?`).get(id) as
      ClassDbRow | undefined;
    return row === undefined ? undefined : this.classOf(row);
  }

  classByJoinCode(code: string): ClassRow | undefined {
    const row = this.db
      .prepare(`SELECT ${CLASS} FROM classes WHERE join_code = ?`)
      .get(normalizeJoinCode(code)) as ClassDbRow | undefined;
    return row === undefined ? undefined : this.classOf(row);
  }

  classesOf(user: User): ClassRow[] {
    const rows = (
      user.role === 'admin'
        ? this.db.prepare(`SELECT ${CLASS} FROM classes ORDER BY id`).all()
        : this.db
            .prepare(
              `SELECT ${CLASS} FROM classes WHERE id IN
               (SELECT class_id FROM class_members WHERE user_id = ? AND role = 'instructor') ORDER BY id`,
            )
            .all(user.id)
    ) as ClassDbRow[];
    return rows.map((r) => this.classOf(r));
  }

  private classOf(row: ClassDbRow): ClassRow {
    const labs = this.db
      .prepare('SELECT lab_id AS labId, due_at AS due FROM class_labs WHERE class_id = ? ORDER BY position')
      .all(row.id) as { labId: string; due: string | null }[];
    return {
      id: row.id,
      name: row.name,
      joinCode: row.joinCode,
      open: row.open === 1,
      createdAt: row.createdAt,
      labs,
    };
  }

  updateClass(
    id: number,
    change: {
      name?: string;
      open?: boolean;
      joinCode?: string;
      labs?: readonly { labId: string; due: string | null }[];
    },
  ): ClassRow {
    return this.db.transaction(() => {
      if (change.name !== undefined)
        this.db.prepare('UPDATE classes SET name = ? WHERE id = ?').run(change.name, id);
      if (change.open !== undefined)
        this.db.prepare('UPDATE classes SET open = ? WHERE id = ?').run(change.open ? 1 : 0, id);
      if (change.joinCode !== undefined)
        this.db.prepare('UPDATE classes SET join_code = ? WHERE id = ?').run(change.joinCode, id);
      if (change.labs !== undefined) this.setClassLabs(id, change.labs);
      return this.classById(id) as ClassRow;
    })();
  }

  addMember(classId: number, userId: number, role: 'student' | 'instructor'): boolean {
    const r = this.db
      .prepare('INSERT INTO class_members (class_id, user_id, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
      .run(classId, userId, role);
    return r.changes > 0;
  }

  members(classId: number, role: 'student' | 'instructor'): User[] {
    return this.db
      .prepare(
        `SELECT ${STUDENT} FROM students WHERE id IN
         (SELECT user_id FROM class_members WHERE class_id = ? AND role = ?) ORDER BY name`,
      )
      .all(classId, role)
      .map(userOf);
  }

  isMember(classId: number, userId: number, role: 'student' | 'instructor'): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM class_members WHERE class_id = ? AND user_id = ? AND role = ?')
        .get(classId, userId, role) !== undefined
    );
  }

  classIdsOfStudent(userId: number): number[] {
    return (
      this.db
        .prepare("SELECT class_id AS id FROM class_members WHERE user_id = ? AND role = 'student'")
        .all(userId) as { id: number }[]
    ).map((r) => r.id);
  }

  classProgress(classId: number): Map<number, ExerciseProgress[]> {
    // Two scans (attempts grouped, hints) merged here: joining the groups back to their last
    // attempt took four times as long for a class of 200, and the gradebook needs neither the
    // last status nor the last message (both null here).
    const attempts = this.db
      .prepare(
        `SELECT student_id AS studentId, lab_id AS labId, exercise_id AS exerciseId, count(*) AS attempts,
           min(created_at) AS firstAttemptAt,
           min(CASE WHEN status = 'pass' THEN created_at END) AS passedAt
         FROM attempts
         WHERE student_id IN (SELECT user_id FROM class_members WHERE class_id = ? AND role = 'student')
         GROUP BY student_id, lab_id, exercise_id`,
      )
      .all(classId) as {
      studentId: number;
      labId: string;
      exerciseId: string;
      attempts: number;
      firstAttemptAt: string;
      passedAt: string | null;
    }[];
    const hints = this.db
      .prepare(
        `SELECT student_id AS studentId, lab_id AS labId, exercise_id AS exerciseId, revealed, shown
         FROM hints WHERE student_id IN (SELECT user_id FROM class_members WHERE class_id = ? AND role = 'student')`,
      )
      .all(classId) as {
      studentId: number;
      labId: string;
      exerciseId: string;
      revealed: number;
      shown: string | null;
    }[];
    const byKey = new Map<
      string,
      { -readonly [K in keyof ProgressDbRow]: ProgressDbRow[K] } & { studentId: number }
    >();
    const key = (r: { studentId: number; labId: string; exerciseId: string }): string =>
      `${r.studentId}\0${r.labId}\0${r.exerciseId}`;
    for (const a of attempts)
      byKey.set(key(a), { ...a, lastStatus: null, lastMessage: null, hintsRevealed: 0, hintsShown: null });
    for (const h of hints) {
      const row = byKey.get(key(h));
      if (row !== undefined) {
        row.hintsRevealed = h.revealed;
        row.hintsShown = h.shown;
      } else
        byKey.set(key(h), {
          studentId: h.studentId,
          labId: h.labId,
          exerciseId: h.exerciseId,
          attempts: 0,
          firstAttemptAt: null,
          passedAt: null,
          lastStatus: null,
          lastMessage: null,
          hintsRevealed: h.revealed,
          hintsShown: h.shown,
        });
    }
    const out = new Map<number, ExerciseProgress[]>();
    for (const r of byKey.values()) {
      const { studentId, ...rest } = r;
      const list = out.get(studentId) ?? [];
      list.push(progressOf(rest));
      out.set(studentId, list);
    }
    return out;
  }

  attempts(studentId: number, limit: number): AttemptRow[] {
    const rows = this.db
      .prepare(
        `SELECT lab_id AS labId, exercise_id AS exerciseId, status, message, duration_ms AS durationMs,
           answer, created_at AS at
         FROM attempts WHERE student_id = ? ORDER BY id DESC LIMIT ?`,
      )
      .all(studentId, limit) as {
      labId: string;
      exerciseId: string;
      status: 'pass' | 'fail';
      message: string;
      durationMs: number;
      answer: string | null;
      at: string;
    }[];
    return rows.map((r) => ({
      labId: r.labId,
      exerciseId: r.exerciseId,
      status: r.status,
      message: JSON.parse(r.message) as Bilingual,
      durationMs: r.durationMs,
      at: r.at,
      ...(r.answer === null ? {} : { answer: JSON.parse(r.answer) as number[] }),
    }));
  }

  setEnvId(studentId: number, envId: string): void {
    this.db.prepare('UPDATE students SET env_id = ? WHERE id = ?').run(envId, studentId);
  }

  setLang(studentId: number, lang: Lang): void {
    this.db.prepare('UPDATE students SET lang = ? WHERE id = ?').run(lang, studentId);
  }

  envNotice(envId: string): EnvNoticeReason | null {
    const row = this.db.prepare('SELECT env_notice AS n FROM students WHERE env_id = ?').get(envId) as
      { n: EnvNoticeReason | null } | undefined;
    return row?.n ?? null;
  }

  moveEnvId(name: string, from: string, to: string): boolean {
    return (
      this.db
        .prepare('UPDATE students SET env_id = ?, env_notice = NULL WHERE name = ? AND env_id = ?')
        .run(to, name, from).changes === 1
    );
  }

  setEnvNotice(envId: string, reason: EnvNoticeReason | null): void {
    this.db.prepare('UPDATE students SET env_notice = ? WHERE env_id = ?').run(reason, envId);
  }

  envTimes(envId: string): EnvTimes | undefined {
    return this.db
      .prepare('SELECT env_active_ms AS activeMs, env_stopped_ms AS stoppedMs FROM students WHERE env_id = ?')
      .get(envId) as EnvTimes | undefined;
  }

  setEnvActiveMs(name: string, envId: string, ms: number): void {
    this.db
      .prepare('UPDATE students SET env_active_ms = ? WHERE env_id = ? AND name = ?')
      .run(ms, envId, name);
  }

  setEnvStoppedMs(envId: string, ms: number | null): void {
    this.db.prepare('UPDATE students SET env_stopped_ms = ? WHERE env_id = ?').run(ms, envId);
  }

  createSession(studentId: number): string {
    const token = randomBytes(32).toString('base64url');
    this.db
      .prepare('INSERT INTO sessions (token_hash, student_id, seen_ms) VALUES (?, ?, ?)')
      .run(hash(token), studentId, this.now());
    return token;
  }

  sessionStudent(token: string): Student | undefined {
    const key = hash(token);
    const row = this.db
      .prepare(
        `SELECT ${STUDENT_S}, x.seen_ms AS seenMs FROM sessions x JOIN students s ON s.id = x.student_id WHERE x.token_hash = ?`,
      )
      .get(key) as (UserDbRow & { seenMs: number }) | undefined;
    if (row === undefined) return undefined;
    const now = this.now();
    if (now - row.seenMs > this.sessionTtlMs) {
      this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(key);
      return undefined;
    }
    if (now - row.seenMs > this.seenWriteMs)
      this.db
        .prepare("UPDATE sessions SET seen_ms = ?, last_seen = datetime('now') WHERE token_hash = ?")
        .run(now, key);
    return userOf(row);
  }

  deleteSession(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(hash(token));
  }

  revokeSessions(userId: number): number {
    return this.db.prepare('DELETE FROM sessions WHERE student_id = ?').run(userId).changes;
  }

  recordAttempt(studentId: number, a: Attempt): void {
    this.db
      .prepare(
        `INSERT INTO attempts (student_id, lab_id, exercise_id, status, message, duration_ms, answer)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        studentId,
        a.labId,
        a.exerciseId,
        a.status,
        JSON.stringify(a.message),
        a.durationMs,
        a.answer ? JSON.stringify(a.answer) : null,
      );
  }

  revealHint(studentId: number, labId: string, exerciseId: string, order: readonly number[]): number[] {
    return this.db.transaction(() => {
      const shown = this.hintsShown(studentId, labId, exerciseId);
      const next = order.find((i) => !shown.includes(i));
      if (next === undefined) return shown;
      const now = [...shown, next];
      this.db
        .prepare(
          `INSERT INTO hints (student_id, lab_id, exercise_id, revealed, shown) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(student_id, lab_id, exercise_id) DO UPDATE SET revealed = excluded.revealed, shown = excluded.shown`,
        )
        .run(studentId, labId, exerciseId, now.length, JSON.stringify(now));
      return now;
    })();
  }

  private hintsShown(studentId: number, labId: string, exerciseId: string): number[] {
    const row = this.db
      .prepare('SELECT revealed, shown FROM hints WHERE student_id = ? AND lab_id = ? AND exercise_id = ?')
      .get(studentId, labId, exerciseId) as { revealed: number; shown: string | null } | undefined;
    return row === undefined ? [] : shownOf(row.revealed, row.shown);
  }

  progress(studentId: number, labId?: string): ExerciseProgress[] {
    const rows = this.db
      .prepare(
        `WITH keys AS (
           SELECT lab_id, exercise_id FROM attempts WHERE student_id = @s
           UNION SELECT lab_id, exercise_id FROM hints WHERE student_id = @s
         )
         SELECT k.lab_id AS labId, k.exercise_id AS exerciseId,
           (SELECT count(*) FROM attempts a WHERE a.student_id = @s AND a.lab_id = k.lab_id AND a.exercise_id = k.exercise_id) AS attempts,
           (SELECT min(created_at) FROM attempts a WHERE a.student_id = @s AND a.lab_id = k.lab_id AND a.exercise_id = k.exercise_id) AS firstAttemptAt,
           (SELECT min(created_at) FROM attempts a WHERE a.student_id = @s AND a.lab_id = k.lab_id AND a.exercise_id = k.exercise_id AND a.status = 'pass') AS passedAt,
           (SELECT status FROM attempts a WHERE a.student_id = @s AND a.lab_id = k.lab_id AND a.exercise_id = k.exercise_id ORDER BY a.id DESC LIMIT 1) AS lastStatus,
           (SELECT message FROM attempts a WHERE a.student_id = @s AND a.lab_id = k.lab_id AND a.exercise_id = k.exercise_id ORDER BY a.id DESC LIMIT 1) AS lastMessage,
           coalesce((SELECT revealed FROM hints h WHERE h.student_id = @s AND h.lab_id = k.lab_id AND h.exercise_id = k.exercise_id), 0) AS hintsRevealed,
           (SELECT shown FROM hints h WHERE h.student_id = @s AND h.lab_id = k.lab_id AND h.exercise_id = k.exercise_id) AS hintsShown
         FROM keys k
         WHERE @lab IS NULL OR k.lab_id = @lab`,
      )
      .all({ s: studentId, lab: labId ?? null }) as ProgressDbRow[];
    return rows.map(progressOf);
  }

  setPosition(studentId: number, labId: string, step: number): void {
    this.db
      .prepare(
        `INSERT INTO positions (student_id, lab_id, step) VALUES (?, ?, ?)
         ON CONFLICT(student_id, lab_id) DO UPDATE SET step = excluded.step, updated_at = datetime('now')`,
      )
      .run(studentId, labId, step);
  }

  positions(studentId: number): Map<string, number> {
    const rows = this.db
      .prepare('SELECT lab_id AS labId, step FROM positions WHERE student_id = ?')
      .all(studentId) as { labId: string; step: number }[];
    return new Map(rows.map((r) => [r.labId, r.step]));
  }
}

/** A progress row as SQL returns it. */
type ProgressDbRow = Omit<ExerciseProgress, 'passed' | 'lastMessage' | 'hintsShown'> & {
  passedAt: string | null;
  lastMessage: string | null;
  hintsShown: string | null;
};

function progressOf(r: ProgressDbRow): ExerciseProgress {
  return {
    ...r,
    hintsShown: shownOf(r.hintsRevealed, r.hintsShown),
    passed: r.passedAt !== null,
    lastMessage: r.lastMessage === null ? null : (JSON.parse(r.lastMessage) as Bilingual),
  };
}

/** Hints shown, by index; rows from before migration 3 showed the first `revealed` in order. */
function shownOf(revealed: number, shown: string | null): number[] {
  if (shown !== null) {
    try {
      const parsed = JSON.parse(shown) as unknown;
      if (Array.isArray(parsed) && parsed.every((i) => Number.isInteger(i))) return parsed as number[];
    } catch {
      // fall back to the count
    }
  }
  return Array.from({ length: revealed }, (_, i) => i);
}

/** The columns of a Student. */
const STUDENT =
  'id, name, lang, env_id AS envId, role, display_name AS displayName, email, password_hash IS NOT NULL AS hasPassword, created_at AS createdAt';
/** The same, from `students s` in a join. */
const STUDENT_S =
  's.id, s.name, s.lang, s.env_id AS envId, s.role, s.display_name AS displayName, s.email, s.password_hash IS NOT NULL AS hasPassword, s.created_at AS createdAt';

type UserDbRow = Omit<Student, 'hasPassword'> & { hasPassword: number };

function userOf(row: unknown): Student {
  const r = row as UserDbRow;
  return {
    id: r.id,
    name: r.name,
    lang: r.lang,
    envId: r.envId,
    role: r.role,
    displayName: r.displayName,
    email: r.email,
    hasPassword: r.hasPassword === 1,
    createdAt: r.createdAt,
  };
}

/** The columns of a class. */
const CLASS = 'id, name, join_code AS joinCode, open, created_at AS createdAt';
type ClassDbRow = { id: number; name: string; joinCode: string; open: number; createdAt: string };

/** Join codes: 8 characters without look-alikes (no 0/O, 1/I/L), shown as XXXX-XXXX. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

function joinCode(): string {
  // 31 symbols; rejection sampling keeps them uniform.
  let out = '';
  while (out.length < 8) {
    for (const b of randomBytes(16)) {
      if (b < 248 && out.length < 8) out += CODE_ALPHABET[b % 31];
    }
  }
  return out;
}

/** A join code as typed (any case, with or without the dash or spaces) in its stored form. */
export function normalizeJoinCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '');
}

/**
 * Versioned migrations (SQLite's user_version): each runs once, in order, in a transaction, so a
 * store made by any earlier version opens and keeps its students, sessions and progress.
 */
const MIGRATIONS: readonly string[] = [
  // 1: the first schema (version 0 stores were made by it without a version number).
  `
CREATE TABLE IF NOT EXISTS students (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  lang TEXT NOT NULL DEFAULT 'zh' CHECK (lang IN ('zh', 'en')),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY,
  student_id INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  last_seen TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS attempts (
  id INTEGER PRIMARY KEY,
  student_id INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
  lab_id TEXT NOT NULL,
  exercise_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pass', 'fail')),
  message TEXT NOT NULL,
  duration_ms INTEGER NOT NULL,
  answer TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX IF NOT EXISTS attempts_by_student ON attempts (student_id, lab_id, exercise_id);
CREATE TABLE IF NOT EXISTS hints (
  student_id INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
  lab_id TEXT NOT NULL,
  exercise_id TEXT NOT NULL,
  revealed INTEGER NOT NULL,
  PRIMARY KEY (student_id, lab_id, exercise_id)
);
CREATE TABLE IF NOT EXISTS positions (
  student_id INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
  lab_id TEXT NOT NULL,
  step INTEGER NOT NULL,
  updated_at TEXT NOT NULL DEFAULT (datetime('now')),
  PRIMARY KEY (student_id, lab_id)
);`,
  // 2: environment ids from the store, random per student, instead of derived from the name.
  `
ALTER TABLE students ADD COLUMN env_id TEXT;
UPDATE students SET env_id = lower(hex(randomblob(16))) WHERE env_id IS NULL;
CREATE UNIQUE INDEX students_env_id ON students (env_id);`,
  // 3: which hints were shown, in order (hints tied to a diagnosed cause come first).
  `
ALTER TABLE hints ADD COLUMN shown TEXT;`,
  // 4: the classroom. Users keep their rows (and so their progress and environments): those from
  // open mode are students without a password until one is set through a one-time link.
  `
ALTER TABLE students ADD COLUMN role TEXT NOT NULL DEFAULT 'student' CHECK (role IN ('student', 'instructor', 'admin'));
ALTER TABLE students ADD COLUMN password_hash TEXT;
ALTER TABLE students ADD COLUMN display_name TEXT;
ALTER TABLE students ADD COLUMN email TEXT;
ALTER TABLE sessions ADD COLUMN seen_ms INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET seen_ms = CAST(strftime('%s', last_seen) AS INTEGER) * 1000;
CREATE INDEX sessions_by_student ON sessions (student_id);
CREATE TABLE tokens (
  token_hash TEXT PRIMARY KEY,
  purpose TEXT NOT NULL CHECK (purpose IN ('setup', 'set_password')),
  user_id INTEGER REFERENCES students(id) ON DELETE CASCADE,
  expires_ms INTEGER NOT NULL,
  used_ms INTEGER
);
CREATE TABLE classes (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  join_code TEXT NOT NULL UNIQUE,
  open INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE class_members (
  class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('student', 'instructor')),
  PRIMARY KEY (class_id, user_id)
);
CREATE INDEX class_members_by_user ON class_members (user_id);
CREATE TABLE class_labs (
  class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
  lab_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  due_at TEXT,
  PRIMARY KEY (class_id, lab_id)
);`,
  // 5: why a student's environment changed while they were away (told on their next visit).
  `
ALTER TABLE students ADD COLUMN env_notice TEXT CHECK (env_notice IN ('idle_stopped', 'expired', 'missing'));`,
  // 6: when a student's environment was last used and when it was stopped (ms since the epoch),
  // so the idle culler and `kafkalab env ls` agree across restarts.
  `
ALTER TABLE students ADD COLUMN env_active_ms INTEGER;
ALTER TABLE students ADD COLUMN env_stopped_ms INTEGER;`,
];

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const [i, sql] of MIGRATIONS.entries()) {
    const version = i + 1;
    if (version <= current) continue;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
  }
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
