import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Disposable, EnvOwner } from '../../../server/env/EnvManager.ts';
import { EnvManager } from '../../../server/env/EnvManager.ts';
import type { EnvInfo, EnvRef } from '../../../server/env/EnvironmentBackend.ts';
import {
  checkIdleConfig,
  IdleCuller,
  passInterval,
  type IdlePolicy,
} from '../../../server/env/IdleCuller.ts';
import { InMemoryNodes, InstantBackend } from '../../../server/env/InMemoryEnvironments.ts';
import { AppError } from '../../../server/errors.ts';
import type { EnvMessage, EnvStatus } from '../../../server/http/apiTypes.ts';
import { SqliteStore } from '../../../server/store/Store.ts';

const log = pino({ level: 'silent' });
const MINUTE = 60_000;
const policy: IdlePolicy = { stopMs: 10 * MINUTE, warnMs: 2 * MINUTE, expireMs: 24 * 60 * MINUTE };

/** A stop that waits until the test lets it finish, counting how many run at once. */
class HeldStopBackend extends InstantBackend {
  inFlight = 0;
  maxInFlight = 0;
  private readonly gates: (() => void)[] = [];
  private readonly waiters: (() => void)[] = [];

  override async stop(ref: EnvRef): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    for (const w of this.waiters.splice(0)) w();
    await new Promise<void>((r) => this.gates.push(r));
    this.inFlight--;
    await super.stop(ref);
  }

  /** Resolves once `n` stops are waiting to be let through. */
  async held(n: number): Promise<void> {
    while (this.gates.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** Lets every waiting stop finish. */
  release(): void {
    for (const g of this.gates.splice(0)) g();
  }
}

/** A backend the engine cannot be listed through (a daemon restart). */
class UnlistableBackend extends InstantBackend {
  override list(): Promise<EnvInfo[]> {
    return Promise.reject(new Error('connect ENOENT /var/run/docker.sock'));
  }
}

/** One test's world: a store, environments in memory, a manager, a culler on a hand-moved clock. */
function world(options: { backend?: InstantBackend; policy?: IdlePolicy; concurrency?: number } = {}) {
  const store = new SqliteStore(':memory:');
  const backend = options.backend ?? new InstantBackend();
  const envs = new EnvManager(backend, new InMemoryNodes(backend), log, { notices: store });
  const clock = { t: 1_700_000_000_000 };
  const now = (): number => clock.t;
  const make = (): IdleCuller =>
    new IdleCuller({
      envs,
      environments: backend,
      store,
      log,
      policy: options.policy ?? policy,
      now,
      intervalMs: 0,
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    });
  const culler = make();
  const disposables: Disposable[] = [culler.start(), { dispose: () => envs.dispose() }];
  cleanups.push(() => {
    for (const d of disposables) d.dispose();
    store.close();
  });
  const student = (name: string): EnvOwner => {
    const s = store.studentNamed(name);
    return { name: s.name, envId: s.envId };
  };
  /** Everything /ws/env would push to the student, in order. */
  const feed = (owner: EnvOwner): EnvMessage[] => {
    const seen: EnvMessage[] = [];
    disposables.push(envs.subscribe(owner, (m) => seen.push(m)));
    return seen;
  };
  /** Resolves with the first status pushed to the student that satisfies `ok`. */
  const pushed = (owner: EnvOwner, ok: (s: EnvStatus) => boolean): Promise<EnvStatus> =>
    new Promise((resolve) => {
      const sub = envs.subscribe(owner, (m) => {
        if (m.type !== 'status' || !ok(m.status)) return;
        queueMicrotask(() => sub.dispose());
        resolve(m.status);
      });
    });
  /** Starts the student's environment and resolves once it runs. */
  const running = async (owner: EnvOwner): Promise<void> => {
    const up = pushed(owner, (s) => s.phase === 'running');
    await envs.start(owner, 'install', false);
    await up;
  };
  const advance = (ms: number): void => {
    clock.t += ms;
  };
  return { store, backend, envs, culler, clock, advance, student, feed, pushed, running, make };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const idleMessages = (seen: EnvMessage[]): EnvMessage[] =>
  seen.filter((m) => m.type === 'idle-warning' || m.type === 'idle-cleared');

describe('IdleCuller', () => {
  it('warns in the last two minutes, refreshes the countdown, then stops: files kept, notice set, stop time stored', async () => {
    const w = world();
    const alice = w.student('alice');
    await w.running(alice);
    const seen = w.feed(alice);

    w.advance(8 * MINUTE - 1000);
    expect(await w.culler.sweep()).toEqual({ warned: [], stopped: [], expired: [] });
    expect(idleMessages(seen)).toEqual([]);

    w.advance(1000);
    expect((await w.culler.sweep()).warned).toEqual([alice.envId]);
    expect(idleMessages(seen)).toEqual([{ type: 'idle-warning', stopsInSeconds: 120 }]);

    w.advance(90_000);
    expect((await w.culler.sweep()).stopped).toEqual([]);
    expect(idleMessages(seen).at(-1)).toEqual({ type: 'idle-warning', stopsInSeconds: 30 });
    expect((await w.backend.status({ id: alice.envId, owner: alice.name }))?.state).toBe('running');

    w.advance(30_000);
    expect((await w.culler.sweep()).stopped).toEqual([alice.envId]);
    expect((await w.backend.status({ id: alice.envId, owner: alice.name }))?.state).toBe('stopped');
    const status = await w.envs.status(alice);
    expect(status).toMatchObject({ phase: 'stopped', notice: { reason: 'idle_stopped' } });
    expect(status.notice?.message).toMatch(/files are kept/);
    expect(w.store.envTimes(alice.envId)?.stoppedMs).toBe(w.clock.t);
    // The page learned it from the status itself (the warning ends with the stop).
    expect(seen.at(-1)).toMatchObject({
      type: 'status',
      status: { phase: 'stopped', notice: { reason: 'idle_stopped' } },
    });
  });

  it('ends a warning on any activity and counts a whole idle period from it', async () => {
    const w = world();
    const alice = w.student('alice');
    await w.running(alice);
    const seen = w.feed(alice);
    w.advance(9 * MINUTE);
    await w.culler.sweep();
    expect(idleMessages(seen)).toEqual([{ type: 'idle-warning', stopsInSeconds: 120 }]);

    w.culler.record(alice);
    expect(idleMessages(seen).at(-1)).toEqual({ type: 'idle-cleared' });
    w.advance(8 * MINUTE - 1000);
    expect(await w.culler.sweep()).toEqual({ warned: [], stopped: [], expired: [] });
    w.advance(1000);
    expect((await w.culler.sweep()).warned).toEqual([alice.envId]);
    expect(idleMessages(seen)).toEqual([
      { type: 'idle-warning', stopsInSeconds: 120 },
      { type: 'idle-cleared' },
      { type: 'idle-warning', stopsInSeconds: 120 },
    ]);
  });

  it("never lets one student's activity end another's warning or keep their environment", async () => {
    const w = world();
    const alice = w.student('alice');
    const bob = w.student('bob');
    await w.running(alice);
    await w.running(bob);
    const aliceSeen = w.feed(alice);
    const bobSeen = w.feed(bob);
    w.advance(9 * MINUTE);
    expect((await w.culler.sweep()).warned.sort()).toEqual([alice.envId, bob.envId].sort());

    w.culler.record(bob);
    // Even a caller that names Alice's environment under Bob's name does not end her warning.
    w.culler.record({ name: bob.name, envId: alice.envId });
    expect(idleMessages(bobSeen).at(-1)).toEqual({ type: 'idle-cleared' });
    expect(idleMessages(aliceSeen)).toEqual([{ type: 'idle-warning', stopsInSeconds: 120 }]);

    w.advance(2 * MINUTE);
    expect((await w.culler.sweep()).stopped).toEqual([alice.envId]);
    expect((await w.envs.status(alice)).phase).toBe('stopped');
    expect((await w.envs.status(bob)).phase).toBe('running');
  });

  it('gives the whole warning even when no pass ran inside it (a restart, a slow engine)', async () => {
    const w = world();
    const alice = w.student('alice');
    await w.running(alice);
    const seen = w.feed(alice);
    w.advance(60 * MINUTE);
    expect(await w.culler.sweep()).toEqual({ warned: [alice.envId], stopped: [], expired: [] });
    expect(idleMessages(seen)).toEqual([{ type: 'idle-warning', stopsInSeconds: 120 }]);
    w.advance(2 * MINUTE - 1);
    expect((await w.culler.sweep()).stopped).toEqual([]);
    w.advance(1);
    expect((await w.culler.sweep()).stopped).toEqual([alice.envId]);
  });

  it('removes an environment stopped for longer than the expiry: notice expired, a fresh one on the next start', async () => {
    const w = world();
    const alice = w.student('alice');
    await w.running(alice);
    await w.envs.stop(alice);
    const stoppedAt = w.clock.t;
    expect(w.store.envTimes(alice.envId)?.stoppedMs).toBe(stoppedAt);

    w.advance(policy.expireMs - 1);
    expect((await w.culler.sweep()).expired).toEqual([]);
    expect((await w.envs.status(alice)).phase).toBe('stopped');
    w.advance(1);
    expect((await w.culler.sweep()).expired).toEqual([alice.envId]);
    expect(await w.backend.list()).toEqual([]);
    const status = await w.envs.status(alice);
    expect(status).toMatchObject({ phase: 'none', notice: { reason: 'expired' } });
    expect(status.notice?.message).toMatch(/fresh one/);
    expect(w.store.envTimes(alice.envId)?.stoppedMs).toBeNull();

    const creates = w.backend.creates;
    const up = w.pushed(alice, (s) => s.phase === 'running');
    const booting = await w.envs.start(alice, 'install', false);
    expect(booting.notice).toBeUndefined();
    expect((await up).events.map((e) => e.phase)).toContain('network');
    expect(w.backend.creates).toBe(creates + 1);
  });

  it('times an environment stopped from a shell from the next pass, and gives one started from a shell a whole idle period', async () => {
    const w = world();
    const alice = w.student('alice');
    await w.running(alice);
    const ref = { id: alice.envId, owner: alice.name };
    await w.backend.stop(ref); // kafkalab env stop: the manager never hears of it
    expect(w.store.envTimes(alice.envId)?.stoppedMs).toBeNull();
    await w.culler.sweep();
    expect(w.store.envTimes(alice.envId)?.stoppedMs).toBe(w.clock.t);

    w.advance(3 * 60 * MINUTE);
    await w.backend.start(ref); // kafkalab env start, long after the last activity
    expect((await w.culler.sweep()).warned).toEqual([]);
    expect(w.store.envTimes(alice.envId)).toEqual({ activeMs: w.clock.t, stoppedMs: null });
    w.advance(8 * MINUTE);
    expect((await w.culler.sweep()).warned).toEqual([alice.envId]);
  });

  it('leaves alone environments no student owns in the store (a warm pool, orphans)', async () => {
    const w = world();
    await w.backend.create({ id: 'pooled-1', owner: '', mode: 'ready' });
    await w.backend.create({ id: 'orphan-1', owner: 'gone', mode: 'ready' });
    await w.backend.create({ id: 'orphan-2', owner: 'gone', mode: 'ready' });
    await w.backend.stop({ id: 'orphan-2', owner: 'gone' });
    w.advance(policy.expireMs * 2);
    expect(await w.culler.sweep()).toEqual({ warned: [], stopped: [], expired: [] });
    w.advance(policy.expireMs * 2);
    expect(await w.culler.sweep()).toEqual({ warned: [], stopped: [], expired: [] });
    expect((await w.backend.list()).map((e) => [e.id, e.state])).toEqual([
      ['pooled-1', 'running'],
      ['orphan-1', 'running'],
      ['orphan-2', 'stopped'],
    ]);
  });

  it('stops at most `concurrency` environments at once and skips one used while it waited', async () => {
    const backend = new HeldStopBackend();
    const w = world({ backend, concurrency: 2 });
    const students = ['s1', 's2', 's3', 's4'].map((n) => w.student(n));
    for (const s of students) await w.running(s);
    w.advance(9 * MINUTE);
    await w.culler.sweep();
    w.advance(2 * MINUTE);
    const pass = w.culler.sweep();
    await backend.held(2);
    expect(backend.inFlight).toBe(2);
    // The last one is used while the first two stop: its turn comes, and it is left running.
    const last = students[3] as EnvOwner;
    w.culler.record(last);
    // A second pass meanwhile joins this one rather than stopping anything twice.
    expect(w.culler.sweep()).toBe(pass);
    backend.release();
    await backend.held(1);
    backend.release();
    const report = await pass;
    expect(backend.maxInFlight).toBe(2);
    expect(report.stopped.sort()).toEqual(
      students
        .slice(0, 3)
        .map((s) => s.envId)
        .sort(),
    );
    expect((await w.envs.status(last)).phase).toBe('running');
  });

  it('writes the last activity to the store at most once a minute, and a restarted culler goes on from it', async () => {
    const w = world();
    const alice = w.student('alice');
    await w.running(alice);
    const started = w.clock.t;
    expect(w.store.envTimes(alice.envId)?.activeMs).toBe(started);
    for (let i = 0; i < 590; i++) {
      w.advance(100);
      w.culler.record(alice); // keystrokes
    }
    expect(w.store.envTimes(alice.envId)?.activeMs).toBe(started);
    w.advance(1000);
    w.culler.record(alice);
    expect(w.store.envTimes(alice.envId)?.activeMs).toBe(w.clock.t);
    const lastWrite = w.clock.t;

    // The server restarts: a new culler knows only the store.
    const restarted = w.make();
    w.advance(8 * MINUTE - 1);
    expect((await restarted.sweep()).warned).toEqual([]);
    w.advance(1);
    expect((await restarted.sweep()).warned).toEqual([alice.envId]);
    expect(w.clock.t - lastWrite).toBe(8 * MINUTE);
  });

  it('survives an engine that cannot be listed, and passes nothing when idle stops and expiry are off', async () => {
    const w = world({ backend: new UnlistableBackend() });
    await expect(w.culler.sweep()).resolves.toEqual({ warned: [], stopped: [], expired: [] });

    const off = world({ policy: { stopMs: 0, warnMs: 0, expireMs: 0 } });
    const alice = off.student('alice');
    await off.running(alice);
    off.advance(365 * 24 * 60 * MINUTE);
    expect(await off.culler.sweep()).toEqual({ warned: [], stopped: [], expired: [] });
    expect((await off.envs.status(alice)).phase).toBe('running');
  });

  it('ends the warning of an environment stopped by someone else (an instructor) before its time', async () => {
    const w = world();
    const alice = w.student('alice');
    await w.running(alice);
    const seen = w.feed(alice);
    w.advance(9 * MINUTE);
    await w.culler.sweep();
    await w.backend.stop({ id: alice.envId, owner: alice.name });
    await w.culler.sweep();
    expect(idleMessages(seen)).toEqual([
      { type: 'idle-warning', stopsInSeconds: 120 },
      { type: 'idle-cleared' },
    ]);
  });
});

describe('checkIdleConfig', () => {
  const defaults = { idleStopSec: 1800, idleWarnSec: 300, expireSec: 14 * 24 * 3600 };

  it('turns the seconds into a policy', () => {
    expect(checkIdleConfig(defaults)).toEqual({
      stopMs: 1_800_000,
      warnMs: 300_000,
      expireMs: 1_209_600_000,
    });
    // Never stopping needs no warning, whatever it says.
    expect(checkIdleConfig({ ...defaults, idleStopSec: 0, idleWarnSec: 9999 })).toMatchObject({
      stopMs: 0,
      warnMs: 0,
    });
  });

  it('refuses a warning as long as the idle time or longer, naming both options', () => {
    for (const idleWarnSec of [1800, 3600]) {
      let caught: unknown;
      try {
        checkIdleConfig({ ...defaults, idleWarnSec });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(AppError);
      expect(caught).toMatchObject({ status: 400, reason: 'bad_config' });
      const details = (caught as AppError).details ?? '';
      expect(details).toContain(`KAFKALAB_IDLE_WARN=${idleWarnSec}`);
      expect(details).toContain('KAFKALAB_IDLE_STOP=1800');
    }
  });

  it('passes every quarter of the warning, between a second and half a minute', () => {
    expect(passInterval(checkIdleConfig({ idleStopSec: 60, idleWarnSec: 20, expireSec: 0 }))).toBe(5000);
    expect(passInterval(checkIdleConfig(defaults))).toBe(30_000);
    expect(passInterval(checkIdleConfig({ idleStopSec: 3, idleWarnSec: 1, expireSec: 0 }))).toBe(1000);
  });
});
