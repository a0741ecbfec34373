import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { newEnvId, normalizeName } from '../env/naming.ts';
import type { Bilingual, Lang } from '../labs/model.ts';

/** A signed-in student. */
export interface Student {
  readonly id: number;
  readonly name: string;
  readonly lang: Lang;
  /** Their environment's id: random, made with the row, never derived from the name. */
  readonly envId: string;
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
  /** A new session token for the student (only its hash is stored). */
  createSession(studentId: number): string;
  /** The student a session token belongs to, or undefined. */
  sessionStudent(token: string): Student | undefined;
  deleteSession(token: string): void;
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

/** The SQLite store (WAL) in the data directory. */
export class SqliteStore implements StudentStore, ProgressStore {
  private readonly db: Database.Database;

  /** Opens (and migrates) the database at `file`; `:memory:` for tests. */
  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
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
    return this.db.prepare(`SELECT ${STUDENT} FROM students WHERE name = ?`).get(name) as Student;
  }

  findStudent(raw: string): Student | undefined {
    const name = normalizeName(raw);
    return this.db.prepare(`SELECT ${STUDENT} FROM students WHERE name = ?`).get(name) as Student | undefined;
  }

  students(): Student[] {
    return this.db.prepare(`SELECT ${STUDENT} FROM students ORDER BY id`).all() as Student[];
  }

  setEnvId(studentId: number, envId: string): void {
    this.db.prepare('UPDATE students SET env_id = ? WHERE id = ?').run(envId, studentId);
  }

  setLang(studentId: number, lang: Lang): void {
    this.db.prepare('UPDATE students SET lang = ? WHERE id = ?').run(lang, studentId);
  }

  createSession(studentId: number): string {
    const token = randomBytes(32).toString('base64url');
    this.db
      .prepare('INSERT INTO sessions (token_hash, student_id) VALUES (?, ?)')
      .run(hash(token), studentId);
    return token;
  }

  sessionStudent(token: string): Student | undefined {
    const row = this.db
      .prepare(
        'SELECT s.id, s.name, s.lang, s.env_id AS envId FROM sessions x JOIN students s ON s.id = x.student_id WHERE x.token_hash = ?',
      )
      .get(hash(token)) as Student | undefined;
    if (row)
      this.db
        .prepare("UPDATE sessions SET last_seen = datetime('now') WHERE token_hash = ?")
        .run(hash(token));
    return row;
  }

  deleteSession(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(hash(token));
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
      .all({ s: studentId, lab: labId ?? null }) as (Omit<
      ExerciseProgress,
      'passed' | 'lastMessage' | 'hintsShown'
    > & {
      passedAt: string | null;
      lastMessage: string | null;
      hintsShown: string | null;
    })[];
    return rows.map((r) => ({
      ...r,
      hintsShown: shownOf(r.hintsRevealed, r.hintsShown),
      passed: r.passedAt !== null,
      lastMessage: r.lastMessage === null ? null : (JSON.parse(r.lastMessage) as Bilingual),
    }));
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
const STUDENT = 'id, name, lang, env_id AS envId';

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
