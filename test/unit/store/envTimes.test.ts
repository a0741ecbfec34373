import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../../server/store/Store.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'kl-envtimes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('environment times in the store (migration 6)', () => {
  it('keeps when an environment was last used and stopped across reopening, on its owner’s row only', () => {
    const file = path.join(dir, 'times.sqlite');
    const a = new SqliteStore(file);
    const alice = a.studentNamed('alice');
    const bob = a.studentNamed('bob');
    expect(a.envTimes(alice.envId)).toEqual({ activeMs: null, stoppedMs: null });
    expect(a.envTimes('no-such-env')).toBeUndefined();
    a.setEnvActiveMs('alice', alice.envId, 1000);
    a.setEnvStoppedMs(alice.envId, 2000);
    // Another name with Alice's environment id writes nothing.
    a.setEnvActiveMs('bob', alice.envId, 9999);
    a.close();

    const b = new SqliteStore(file);
    expect(b.envTimes(alice.envId)).toEqual({ activeMs: 1000, stoppedMs: 2000 });
    expect(b.envTimes(bob.envId)).toEqual({ activeMs: null, stoppedMs: null });
    b.setEnvStoppedMs(alice.envId, null);
    expect(b.envTimes(alice.envId)).toEqual({ activeMs: 1000, stoppedMs: null });
    b.close();
  });

  it('migrates a store of version 5: students, sessions and notices kept, times unknown', () => {
    const file = path.join(dir, 'v5.sqlite');
    const made = new SqliteStore(file);
    const alice = made.studentNamed('alice');
    const token = made.createSession(alice.id);
    made.setEnvNotice(alice.envId, 'idle_stopped');
    made.close();
    // Back to how version 5 left it.
    const db = new Database(file);
    db.exec(
      'ALTER TABLE students DROP COLUMN env_active_ms; ALTER TABLE students DROP COLUMN env_stopped_ms;',
    );
    db.pragma('user_version = 5');
    db.close();

    const store = new SqliteStore(file);
    expect(store.sessionStudent(token)?.envId).toBe(alice.envId);
    expect(store.envNotice(alice.envId)).toBe('idle_stopped');
    expect(store.envTimes(alice.envId)).toEqual({ activeMs: null, stoppedMs: null });
    store.close();
    const check = new Database(file);
    expect(check.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(6);
    check.close();
  });
});
