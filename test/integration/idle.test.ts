import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvManager, type EnvOwner } from '../../server/env/EnvManager.ts';
import { checkIdleConfig, IdleCuller } from '../../server/env/IdleCuller.ts';
import type { EnvMessage, EnvStatus } from '../../server/http/apiTypes.ts';
import { SqliteStore } from '../../server/store/Store.ts';
import { cleanupPrefix, dumpLogsOnFailure, testEnvironments } from './support/docker.ts';

/**
 * Issue 12's idle acceptance on the real engine: with an idle time of a minute and a warning of
 * 20 s, an environment nobody touches is warned, then stopped (docker stop: files kept), then
 * resumed by the next start with a file written before the stop still there. The culler runs on
 * its own timer and the real clock, as in the server; the test only waits for what it pushes.
 */
const PREFIX = 'kltest-idle';
const { docker, backend, access } = testEnvironments(PREFIX);
const log = pino({ level: 'silent' });
const store = new SqliteStore(':memory:');
const envs = new EnvManager(backend, access, log, { notices: store });
const policy = checkIdleConfig({ idleStopSec: 60, idleWarnSec: 20, expireSec: 0 });
const culler = new IdleCuller({ envs, environments: backend, store, log, policy });
const culling = culler.start();

/** Everything pushed to the student's pages, with a way to wait for what comes next. */
class Feed {
  readonly seen: EnvMessage[] = [];
  private readonly waiters: (() => void)[] = [];
  private readonly sub: { dispose(): void };

  constructor(student: EnvOwner) {
    this.sub = envs.subscribe(student, (m) => {
      this.seen.push(m);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** The index and message of the first message from `from` on that satisfies `ok`. */
  async first(ok: (m: EnvMessage) => boolean, from = 0): Promise<{ at: number; message: EnvMessage }> {
    for (;;) {
      const at = this.seen.findIndex((m, i) => i >= from && ok(m));
      const message = this.seen[at];
      if (message !== undefined) return { at, message };
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  dispose(): void {
    this.sub.dispose();
  }
}

const statusWhere =
  (ok: (s: EnvStatus) => boolean) =>
  (m: EnvMessage): boolean =>
    m.type === 'status' && ok(m.status);
const settled = statusWhere((s) => s.phase === 'running' || s.phase === 'failed');

beforeAll(async () => {
  await cleanupPrefix(docker, PREFIX);
});

afterAll(async () => {
  culling.dispose();
  envs.dispose();
  await cleanupPrefix(docker, PREFIX);
  store.close();
});

describe('idle stop and resume on the real engine', () => {
  it('warns an untouched environment, stops it with the notice, and resumes it with its files', async () => {
    dumpLogsOnFailure(docker, PREFIX);
    const row = store.studentNamed('itest-idle');
    const student: EnvOwner = { name: row.name, envId: row.envId };
    const ref = { id: student.envId, owner: student.name };
    const feed = new Feed(student);

    expect((await envs.start(student, 'install', false)).phase).toBe('booting');
    const up = await feed.first(settled);
    expect(up.message).toMatchObject({ status: { phase: 'running', error: null } });
    await envs.nodes(student).writeFile('bigdata01', '/root/idle-kept.txt', Buffer.from('kept\n'));

    // Nothing is recorded as activity from here on: no page, no terminal, no API call.
    const warning = await feed.first((m) => m.type === 'idle-warning', up.at);
    expect(warning.message).toMatchObject({ type: 'idle-warning' });
    const stopsIn = (warning.message as { stopsInSeconds: number }).stopsInSeconds;
    expect(stopsIn).toBeGreaterThan(0);
    expect(stopsIn).toBeLessThanOrEqual(20);
    const stopped = await feed.first(
      statusWhere((s) => s.phase === 'stopped' && s.notice?.reason === 'idle_stopped'),
      warning.at,
    );
    expect(feed.seen.slice(up.at, stopped.at).filter((m) => m.type === 'idle-cleared')).toEqual([]);
    expect((await backend.status(ref))?.state).toBe('stopped');
    expect(store.envTimes(student.envId)?.stoppedMs).toEqual(expect.any(Number));

    // The next visit: the same start resumes it, with progress, and the notice is answered.
    const resuming = await envs.start(student, 'install', false);
    expect(resuming.phase).toBe('booting');
    expect(resuming.notice).toBeUndefined();
    const again = await feed.first(settled, stopped.at + 1);
    expect(again.message).toMatchObject({ status: { phase: 'running', error: null } });
    const events = (again.message as { status: EnvStatus }).status.events.map((e) => e.phase);
    expect(events).toContain('servers');
    expect(events).not.toContain('network');
    const file = await envs.nodes(student).readFile('bigdata01', '/root/idle-kept.txt');
    expect(file.content.toString()).toBe('kept\n');
    expect(store.envTimes(student.envId)?.stoppedMs).toBeNull();
    feed.dispose();
  }, 600_000);
});
