import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Accounts } from '../../../server/auth/Accounts.ts';
import { verifyPassword } from '../../../server/auth/passwords.ts';
import { SqliteStore } from '../../../server/store/Store.ts';

const bin = path.resolve(import.meta.dirname, '../../../bin/kafkalab.js');
const dataDir = mkdtempSync(path.join(tmpdir(), 'kl-users-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs the real CLI on this test's data directory. */
function kafkalab(args: string[], input = ''): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, KAFKALAB_DATA_DIR: dataDir, KAFKALAB_PUBLIC_URL: 'https://lab.example.edu' },
    timeout: 60_000,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function store(): SqliteStore {
  return new SqliteStore(path.join(dataDir, 'kafkalab.sqlite'));
}

describe('kafkalab users', () => {
  it('adds an admin with a password from stdin and an instructor with a one-time link', async () => {
    const admin = kafkalab(
      ['users', 'add', 'boss', '--role', 'admin', '--password-stdin'],
      'correct horse\n',
    );
    expect(admin.code, admin.err).toBe(0);
    const teacher = kafkalab([
      'users',
      'add',
      '王老师',
      '--role',
      'instructor',
      '--email',
      'wang@example.edu',
    ]);
    expect(teacher.code, teacher.err).toBe(0);
    expect(teacher.out).toMatch(/https:\/\/lab\.example\.edu\/set-password\?token=[\w-]{20,}/);
    const s = store();
    try {
      const boss = s.findStudent('boss');
      expect(boss?.role).toBe('admin');
      expect(await verifyPassword('correct horse', s.passwordHash(boss?.id ?? -1))).toBe(true);
      expect(s.findStudent('王老师')).toMatchObject({
        role: 'instructor',
        hasPassword: false,
        email: 'wang@example.edu',
      });
      expect(s.hasAdmin()).toBe(true);
    } finally {
      s.close();
    }
    const ls = kafkalab(['users', 'ls']);
    expect(ls.out).toMatch(/boss\s+admin\s+set/);
    expect(ls.out).toMatch(/王老师\s+instructor\s+not set/);
  });

  it('refuses a short password, a taken name, a bad role and an empty stdin, with messages', () => {
    const short = kafkalab(['users', 'add', 'x', '--password-stdin'], 'short\n');
    expect(short.code).toBe(2);
    expect(short.err).toMatch(/at least 8 characters/);
    const taken = kafkalab(['users', 'add', 'boss']);
    expect(taken.code).not.toBe(0);
    expect(taken.err).toMatch(/taken/);
    const role = kafkalab(['users', 'add', 'y', '--role', 'root']);
    expect(role.code).not.toBe(0);
    expect(role.err).toMatch(/student, instructor, admin/);
    const empty = kafkalab(['users', 'add', 'z', '--password-stdin'], '');
    expect(empty.err).toMatch(/No password/);
  });

  it('prints a reset link that works once and ends the sessions', async () => {
    const r = kafkalab(['users', 'reset-password', 'boss']);
    expect(r.code, r.err).toBe(0);
    const token = /token=([\w-]+)/.exec(r.out)?.[1] ?? '';
    const s = store();
    try {
      const boss = s.findStudent('boss');
      const session = s.createSession(boss?.id ?? -1);
      expect(s.sessionStudent(session)?.name).toBe('boss');
      const accounts = new Accounts(s, { mode: 'accounts', baseUrl: () => '' });
      await accounts.setPassword(token, 'battery staple');
      await expect(accounts.setPassword(token, 'battery staple 2')).rejects.toThrow(/already used/);
      expect(s.sessionStudent(session)).toBeUndefined();
      expect(await verifyPassword('battery staple', s.passwordHash(boss?.id ?? -1))).toBe(true);
    } finally {
      s.close();
    }
    expect(kafkalab(['users', 'reset-password', 'nobody']).err).toMatch(/No user is called "nobody"/);
  });

  it('removes only with confirmation', () => {
    const asked = kafkalab(['users', 'rm', '王老师']);
    expect(asked.code).toBe(2);
    expect(asked.err).toMatch(/--yes/);
    expect(kafkalab(['users', 'ls']).out).toMatch(/王老师/);
    expect(kafkalab(['users', 'rm', '王老师', '--yes']).code).toBe(0);
    expect(kafkalab(['users', 'ls']).out).not.toMatch(/王老师/);
  });
});
