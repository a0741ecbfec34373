import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../../server/store/Store.ts';

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
    expect(a.revealHint(alice.id, 'l', 'e', 2)).toBe(1);
    expect(a.revealHint(alice.id, 'l', 'e', 2)).toBe(2);
    expect(a.revealHint(alice.id, 'l', 'e', 2)).toBe(2);
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
});
