import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { adoptLegacyEnvironments } from '../../../server/env/adopt.ts';
import { legacyEnvIdFor, newEnvId } from '../../../server/env/naming.ts';
import { SqliteStore, type Student } from '../../../server/store/Store.ts';
import { Accounts } from '../../../server/auth/Accounts.ts';
import { InstantBackend } from '../../../server/env/InMemoryEnvironments.ts';

describe('SqliteStore', () => {
  it('keeps students, sessions, attempts, hints and positions across reopening', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kl-store-')), 'store.sqlite');
    const a = new SqliteStore(file);
    const alice = a.studentNamed('alice');
    expect(a.studentNamed('alice').id).toBe(alice.id);
    const token = a.createSession(alice.id);
    a.recordAttempt(alice.id, {
      labId: 'l',
      exerciseId: 'e',
      status: 'fail',
      message: { zh: '错', en: 'wrong' },
      durationMs: 5,
    });
    a.recordAttempt(alice.id, {
      labId: 'l',
      exerciseId: 'e',
      status: 'pass',
      message: { zh: '对', en: 'right' },
      durationMs: 5,
    });
    // The order is the caller's: here the second hint fits the mistake best.
    expect(a.revealHint(alice.id, 'l', 'e', [1, 0])).toEqual([1]);
    expect(a.revealHint(alice.id, 'l', 'e', [0, 1])).toEqual([1, 0]);
    expect(a.revealHint(alice.id, 'l', 'e', [0, 1])).toEqual([1, 0]);
    a.setPosition(alice.id, 'l', 3);
    a.close();

    const b = new SqliteStore(file);
    expect(b.sessionStudent(token)?.name).toBe('alice');
    expect(b.sessionStudent('forged')).toBeUndefined();
    expect(b.progress(alice.id)).toMatchObject([
      {
        labId: 'l',
        exerciseId: 'e',
        attempts: 2,
        passed: true,
        hintsRevealed: 2,
        hintsShown: [1, 0],
        lastStatus: 'pass',
        lastMessage: { en: 'right' },
      },
    ]);
    expect(b.positions(alice.id).get('l')).toBe(3);
    b.deleteSession(token);
    expect(b.sessionStudent(token)).toBeUndefined();
    expect(b.ping()).toBe(true);
    b.close();
  });

  it('keeps students apart', () => {
    const s = new SqliteStore(':memory:');
    const a = s.studentNamed('a');
    const b = s.studentNamed('b');
    s.recordAttempt(a.id, {
      labId: 'l',
      exerciseId: 'e',
      status: 'pass',
      message: { zh: '', en: '' },
      durationMs: 1,
    });
    expect(s.progress(b.id)).toEqual([]);
    expect(s.progress(a.id, 'other')).toEqual([]);
  });

  it('gives every student a random environment id of their own, and one rule for names', () => {
    const s = new SqliteStore(':memory:');
    const alice = s.studentNamed('alice');
    expect(alice.envId).toMatch(/^[0-9a-f]{32}$/);
    expect(alice.envId).not.toBe(legacyEnvIdFor('alice'));
    // The same name however it was typed: the same student, the same environment.
    for (const variant of [' alice', 'alice\u00a0', 'ａｌｉｃｅ'])
      expect(s.studentNamed(variant)).toEqual(alice);
    expect(s.findStudent('alice ')).toEqual(alice);
    expect(s.findStudent('bob')).toBeUndefined();
    expect(s.studentNamed('bob').envId).not.toBe(alice.envId);
    expect(() => s.studentNamed('\u200b')).toThrow(/invisible/);
    // A new store gives the same name another id: ids are not derived from names.
    expect(new SqliteStore(':memory:').studentNamed('alice').envId).not.toBe(alice.envId);
  });

  it('migrates a store made by the first schema: students keep their progress and get environment ids', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kl-store-')), 'old.sqlite');
    const old = new Database(file);
    // The schema as the first release wrote it (no user_version).
    old.exec(`
      CREATE TABLE students (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
        lang TEXT NOT NULL DEFAULT 'zh' CHECK (lang IN ('zh', 'en')),
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
      CREATE TABLE sessions (token_hash TEXT PRIMARY KEY,
        student_id INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL DEFAULT (datetime('now')), last_seen TEXT NOT NULL DEFAULT (datetime('now')));
      CREATE TABLE attempts (id INTEGER PRIMARY KEY,
        student_id INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
        lab_id TEXT NOT NULL, exercise_id TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('pass', 'fail')),
        message TEXT NOT NULL, duration_ms INTEGER NOT NULL, answer TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
      CREATE TABLE hints (student_id INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
        lab_id TEXT NOT NULL, exercise_id TEXT NOT NULL, revealed INTEGER NOT NULL,
        PRIMARY KEY (student_id, lab_id, exercise_id));
      INSERT INTO students (name, lang) VALUES ('alice', 'en'), ('bob', 'zh');
      INSERT INTO hints (student_id, lab_id, exercise_id, revealed) VALUES (1, 'l', 'e', 2);
      INSERT INTO attempts (student_id, lab_id, exercise_id, status, message, duration_ms)
        VALUES (1, 'l', 'e', 'pass', '{"zh":"对","en":"right"}', 5);
    `);
    old.close();

    const s = new SqliteStore(file);
    const [alice, bob] = s.students();
    expect(alice).toMatchObject({ name: 'alice', lang: 'en' });
    expect(alice?.envId).toMatch(/^[0-9a-f]{32}$/);
    expect(bob?.envId).toMatch(/^[0-9a-f]{32}$/);
    expect(bob?.envId).not.toBe(alice?.envId);
    // Hints revealed before migration 3 were the first ones, in order.
    expect(s.progress(alice?.id ?? 0)).toMatchObject([
      { labId: 'l', passed: true, hintsRevealed: 2, hintsShown: [0, 1] },
    ]);
    expect(s.revealHint(alice?.id ?? 0, 'l', 'e', [2, 0, 1])).toEqual([0, 1, 2]);
    s.close();
    // Opening again migrates nothing twice and keeps the ids.
    const again = new SqliteStore(file);
    expect(again.students().map((x) => x.envId)).toEqual([alice?.envId, bob?.envId]);
    again.close();
  });

  it('migrates a store made by the open-mode schema (version 3): everyone keeps progress, environment and session, and becomes a student without a password', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kl-store-v3-'));
    const file = path.join(dir, 'kafkalab.sqlite');
    const old = new Database(file);
    // The schema exactly as versions 1-3 left it, with a class's worth of open-mode data.
    old.exec(`
      CREATE TABLE students (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
        lang TEXT NOT NULL DEFAULT 'zh' CHECK (lang IN ('zh', 'en')),
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), env_id TEXT);
      CREATE UNIQUE INDEX students_env_id ON students (env_id);
      CREATE TABLE sessions (token_hash TEXT PRIMARY KEY,
        student_id INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL DEFAULT (datetime('now')), last_seen TEXT NOT NULL DEFAULT (datetime('now')));
      CREATE TABLE attempts (id INTEGER PRIMARY KEY,
        student_id INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
        lab_id TEXT NOT NULL, exercise_id TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('pass', 'fail')),
        message TEXT NOT NULL, duration_ms INTEGER NOT NULL, answer TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
      CREATE INDEX attempts_by_student ON attempts (student_id, lab_id, exercise_id);
      CREATE TABLE hints (student_id INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
        lab_id TEXT NOT NULL, exercise_id TEXT NOT NULL, revealed INTEGER NOT NULL, shown TEXT,
        PRIMARY KEY (student_id, lab_id, exercise_id));
      CREATE TABLE positions (student_id INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
        lab_id TEXT NOT NULL, step INTEGER NOT NULL, updated_at TEXT NOT NULL DEFAULT (datetime('now')),
        PRIMARY KEY (student_id, lab_id));
      INSERT INTO students (name, lang, env_id) VALUES ('张三', 'zh', '${'a'.repeat(32)}'), ('bob', 'en', '${'b'.repeat(32)}');
      INSERT INTO attempts (student_id, lab_id, exercise_id, status, message, duration_ms)
        VALUES (1, 'install', 'three-brokers', 'fail', '{"zh":"还没有","en":"not yet"}', 900),
               (1, 'install', 'three-brokers', 'pass', '{"zh":"对","en":"right"}', 800);
      INSERT INTO hints (student_id, lab_id, exercise_id, revealed, shown) VALUES (1, 'install', 'three-brokers', 1, '[2]');
      INSERT INTO positions (student_id, lab_id, step) VALUES (1, 'install', 4);
      INSERT INTO sessions (token_hash, student_id) VALUES ('${createHash('sha256').update('open-mode-token').digest('hex')}', 1);
      PRAGMA user_version = 3;
    `);
    old.close();

    const s = new SqliteStore(file);
    try {
      const zhang = s.findStudent('张三');
      expect(zhang).toMatchObject({
        id: 1,
        envId: 'a'.repeat(32),
        role: 'student',
        hasPassword: false,
        lang: 'zh',
      });
      expect(s.findStudent('bob')).toMatchObject({ id: 2, envId: 'b'.repeat(32), role: 'student' });
      // The open-mode session still works (its last use carried over), and the progress is whole.
      expect(s.sessionStudent('open-mode-token')?.name).toBe('张三');
      expect(s.progress(1)).toMatchObject([
        { labId: 'install', exerciseId: 'three-brokers', attempts: 2, passed: true, hintsShown: [2] },
      ]);
      expect(s.positions(1).get('install')).toBe(4);
      // Switching to accounts: no admin yet, and a name alone signs nobody in.
      expect(s.hasAdmin()).toBe(false);
      const accounts = new Accounts(s, { mode: 'accounts', baseUrl: () => 'https://lab.example.edu' });
      await expect(accounts.signIn('张三', undefined, '127.0.0.1')).rejects.toMatchObject({ status: 400 });
      await expect(accounts.signIn('张三', 'anything at all', '127.0.0.1')).rejects.toMatchObject({
        status: 401,
      });
      // An instructor's set-password link gives the same account, progress and environment a password.
      const link = accounts.passwordLink(zhang as Student);
      const token = new URL(link.link).searchParams.get('token') ?? '';
      await accounts.setPassword(token, 'long enough');
      const back = await accounts.signIn('张三', 'long enough', '127.0.0.1');
      expect(back).toMatchObject({ id: 1, envId: 'a'.repeat(32), hasPassword: true });
      expect(s.progress(back.id)[0]?.passed).toBe(true);
      // Setting the password ended the open-mode session.
      expect(s.sessionStudent('open-mode-token')).toBeUndefined();
    } finally {
      s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('expires idle sessions (sliding) and revokes them', () => {
    let clock = Date.parse('2026-12-02T10:00:00Z');
    const s = new SqliteStore(':memory:', { sessionTtlMs: 3600_000, now: () => clock });
    const alice = s.studentNamed('alice');
    const a = s.createSession(alice.id);
    const b = s.createSession(alice.id);
    clock += 50 * 60_000;
    expect(s.sessionStudent(a)?.name).toBe('alice');
    // Used 50 minutes in: it lives another hour from then; b, unused, does not.
    clock += 50 * 60_000;
    expect(s.sessionStudent(a)?.name).toBe('alice');
    expect(s.sessionStudent(b)).toBeUndefined();
    expect(s.revokeSessions(alice.id)).toBe(1);
    expect(s.sessionStudent(a)).toBeUndefined();
  });

  it('adopts an earlier version’s environment only for the student whose exact name is on it', async () => {
    const s = new SqliteStore(':memory:');
    const alice = s.studentNamed('alice');
    const carol = s.studentNamed('carol');
    const backend = new InstantBackend();
    // Made by an earlier version: ids derived from names.
    await backend.create({ id: legacyEnvIdFor('alice'), owner: 'alice', mode: 'ready' });
    // A collision as an attacker would make it: the victim's derived id under another name.
    await backend.create({ id: legacyEnvIdFor('carol'), owner: 'mallory', mode: 'ready' });
    // Carol already has an environment under her store id: her old one is not adopted over it.
    await backend.create({ id: carol.envId, owner: 'carol', mode: 'ready' });
    await backend.create({ id: newEnvId(), owner: 'nobody-we-know', mode: 'ready' });

    const adopted = await adoptLegacyEnvironments(backend, s, pino({ level: 'silent' }));
    expect(adopted).toEqual([legacyEnvIdFor('alice')]);
    expect(s.findStudent('alice')?.envId).toBe(legacyEnvIdFor('alice'));
    expect(s.findStudent('alice')?.id).toBe(alice.id);
    expect(s.findStudent('carol')?.envId).toBe(carol.envId);
    // Idempotent: a second start adopts nothing more.
    expect(await adoptLegacyEnvironments(backend, s, pino({ level: 'silent' }))).toEqual([]);
  });
});
