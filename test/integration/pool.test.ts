import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admission } from '../../server/env/Admission.ts';
import { EnvManager, type EnvOwner } from '../../server/env/EnvManager.ts';
import { POOL_OWNER, type EnvRef } from '../../server/env/EnvironmentBackend.ts';
import { newEnvId } from '../../server/env/naming.ts';
import { WarmPool } from '../../server/env/WarmPool.ts';
import { isAppError } from '../../server/errors.ts';
import { cleanupPrefix, dumpLogsOnFailure, eventually, testEnvironments } from './support/docker.ts';

/**
 * Issue 12's warm-pool acceptance on the real engine: a student who arrives while the pool holds
 * a ready environment of their mode gets it at once (no boot), with a working terminal and
 * keys of its own, and the pool boots a fresh one behind them.
 */
const PREFIX = 'kltest-pool';
/** The store's part: students' environment ids by name (a pooled id names whoever moved to it). */
const envOf = new Map<string, string>();
const claimedBy = (envId: string): string | undefined => [...envOf].find(([, id]) => id === envId)?.[0];
const { docker, backend, access } = testEnvironments(PREFIX, { claimedBy });
const log = pino({ level: 'silent' });
const admission = new Admission({ capacity: 4, bootConcurrency: 2 });
const pool = new WarmPool({ backend, admission, log, targets: { ready: 0, install: 1 } });
const envs = new EnvManager(backend, access, log, {
  admission,
  claims: {
    pool,
    move: (owner, from, to) => {
      if (envOf.get(owner) !== from) return false;
      envOf.set(owner, to);
      return true;
    },
  },
});

/** Reads a command's output from a real login shell on bigdata01 of `env`. */
async function inTerminal(env: EnvRef, command: string, expect: RegExp): Promise<string> {
  const term = await access.openTerminal(env, 'bigdata01', { cols: 100, rows: 30 });
  let seen = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${String(expect)} in: ${seen}`)), 30_000);
      term.stream.on('data', (d: Buffer) => {
        seen += d.toString('utf8');
        if (expect.test(seen)) {
          clearTimeout(timer);
          resolve();
        }
      });
      term.stream.write(`${command}\n`);
    });
  } finally {
    await term.close();
  }
  return seen;
}

const publicKey = async (env: EnvRef): Promise<string> =>
  (await access.exec(env, 'bigdata01', ['cat', '/root/.ssh/id_ecdsa.pub'])).stdout.trim();

beforeAll(async () => {
  await cleanupPrefix(docker, PREFIX);
});

afterAll(async () => {
  pool.dispose();
  envs.dispose();
  await cleanupPrefix(docker, PREFIX);
});

describe('the warm pool on the real engine', () => {
  it('hands an arriving student a ready environment with a working terminal, then refills', async () => {
    dumpLogsOnFailure(docker, PREFIX);
    await pool.start();
    expect(await eventually(() => Promise.resolve(pool.size().install === 1), 240_000, 250)).toBe(true);
    const [member] = await backend.list();
    expect(member).toMatchObject({ owner: POOL_OWNER, pooled: true, mode: 'install', state: 'running' });

    const student: EnvOwner = { name: 'itest-pool-student', envId: newEnvId() };
    envOf.set(student.name, student.envId);
    // No boot: the answer is already running, and says where it came from.
    const status = await envs.start(student, 'install', false);
    expect(status).toMatchObject({ phase: 'running', mode: 'install', error: null });
    expect(status.events.map((e) => e.phase)).toEqual(['pool']);
    const mine: EnvRef = { id: member?.id ?? '', owner: student.name };
    expect(envOf.get(student.name)).toBe(mine.id);

    // A usable terminal on the student's servers, and their own key reaches bigdata02.
    expect(await inTerminal(mine, 'ssh bigdata02 hostname', /^bigdata02\r?$/m)).toContain('bigdata02');
    expect((await backend.list()).find((e) => e.id === mine.id)?.owner).toBe(student.name);
    // Nobody else can address it, also not as the pool.
    for (const owner of ['itest-pool-other', POOL_OWNER]) {
      const err = await backend.status({ id: mine.id, owner }).catch((e: unknown) => e);
      expect(isAppError(err) && err.reason).toBe('not_your_environment');
    }

    // The pool boots a fresh member behind the student, with keys of its own.
    expect(await eventually(() => Promise.resolve(pool.size().install === 1), 240_000, 250)).toBe(true);
    const fresh = (await backend.list()).find((e) => e.owner === POOL_OWNER);
    expect(fresh?.id).toBeDefined();
    expect(fresh?.id).not.toBe(mine.id);
    const freshRef = { id: fresh?.id ?? '', owner: POOL_OWNER };
    expect(await publicKey(freshRef)).not.toBe(await publicKey(mine));
  });
});
