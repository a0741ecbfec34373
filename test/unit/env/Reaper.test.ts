import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EnvInfo, EnvRemains } from '../../../server/env/EnvironmentBackend.ts';
import { InstantBackend, NeverReadyBackend } from '../../../server/env/InMemoryEnvironments.ts';
import { newEnvId } from '../../../server/env/naming.ts';
import {
  Reaper,
  reaperPolicy,
  type ReaperDeps,
  type ReaperPolicy,
  type ReaperStore,
} from '../../../server/env/Reaper.ts';
import { SqliteStore } from '../../../server/store/Store.ts';

const log = pino({ level: 'silent' });
const MINUTE = 60_000;
const policy: ReaperPolicy = {
  intervalMs: 5 * MINUTE,
  graceMs: 10 * MINUTE,
  partialGraceMs: 4 * MINUTE,
  concurrency: 2,
};

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2026-03-01T09:00:00Z')): {
  now: () => number;
  advance(ms: number): void;
} {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** A whole environment made at `createdAt` (the reaper's `complete`). */
function whole(id: string, createdAt: number, extra: Partial<EnvInfo> = {}): EnvInfo {
  return {
    id,
    owner: 'someone',
    mode: 'install',
    state: 'running',
    nodes: [],
    createdAt: new Date(createdAt).toISOString(),
    ...extra,
  };
}

/** What a crash left under an id (the reaper's `partial`). */
function leftover(id: string, createdAt: number, pooled = false): EnvRemains {
  return { id, stage: 'partial', pooled, createdAt: new Date(createdAt).toISOString() };
}

function setup(
  backend = new InstantBackend(),
  over: Partial<ReaperDeps> = {},
): { backend: InstantBackend; store: SqliteStore; clock: ReturnType<typeof manualClock>; reaper: Reaper } {
  const store = new SqliteStore(':memory:');
  const clock = manualClock();
  const reaper = new Reaper({ backend, store, log, policy, now: clock.now, ...over });
  return { backend, store, clock, reaper };
}

/** A pending promise and its resolver, for holding a fake in the middle of a call. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

/** Lets every queued promise callback run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Removals wait until released, so the test can count how many run at once. */
class SlowRemovalBackend extends InstantBackend {
  inFlight = 0;
  mostAtOnce = 0;
  readonly released = gate();
  override async discard(envId: string): Promise<boolean> {
    this.inFlight++;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.inFlight);
    await this.released.wait;
    this.inFlight--;
    return super.discard(envId);
  }
}

/** The first removal of each id fails the way an engine error does; the next one works. */
class FlakyRemovalBackend extends InstantBackend {
  private readonly failedOnce = new Set<string>();
  override discard(envId: string): Promise<boolean> {
    if (this.failedOnce.has(envId)) return super.discard(envId);
    this.failedOnce.add(envId);
    return Promise.reject(new Error('(HTTP code 500) server error - device or resource busy'));
  }
}

/** An engine that does not answer. */
class UnreachableEngine extends InstantBackend {
  surveys = 0;
  override survey(): Promise<EnvRemains[]> {
    this.surveys++;
    return Promise.reject(new Error('connect ENOENT /var/run/docker.sock'));
  }
}

/** A survey that, once held, answers (with what it saw when asked) only when released. */
class SlowSurveyBackend extends InstantBackend {
  private held: Promise<void> | undefined;
  asked = gate();
  /** The next survey waits until the returned function is called. */
  hold(): () => void {
    const g = gate();
    this.held = g.wait;
    this.asked = gate();
    return g.open;
  }
  override async survey(): Promise<EnvRemains[]> {
    const seen = await super.survey();
    const held = this.held;
    this.held = undefined;
    this.asked.open();
    if (held) await held;
    return seen;
  }
}

/** A store whose reads fail (a locked or corrupt database). */
const unreadableStore: ReaperStore = {
  students: () => {
    throw new Error('SQLITE_BUSY: database is locked');
  },
  envNotice: () => null,
  setEnvNotice: () => undefined,
};

afterEach(() => {
  vi.useRealTimers();
});

describe('Reaper', () => {
  it('removes complete environments no student owns once past the grace period; keeps students’ and younger ones', async () => {
    const { backend, store, clock, reaper } = setup();
    const alice = store.studentNamed('alice');
    const t0 = clock.now();
    backend.envs.set(alice.envId, whole(alice.envId, t0 - 60 * MINUTE));
    const stale = newEnvId();
    const fresh = newEnvId();
    backend.envs.set(stale, whole(stale, t0 - 11 * MINUTE));
    backend.envs.set(fresh, whole(fresh, t0 - MINUTE));

    const first = await reaper.pass();
    expect(first).toEqual({ orphans: [stale], halfCreated: [], missing: [], failed: [] });
    expect([...backend.envs.keys()].sort()).toEqual([alice.envId, fresh].sort());

    clock.advance(9 * MINUTE);
    expect((await reaper.pass()).orphans).toEqual([fresh]);
    expect([...backend.envs.keys()]).toEqual([alice.envId]);
  });

  it('leaves complete warm-pool environments to the pool until the store names them, but removes half-created ones', async () => {
    const { backend, store, clock, reaper } = setup();
    const t0 = clock.now();
    const member = newEnvId();
    const halfMember = newEnvId();
    backend.envs.set(member, whole(member, t0 - 60 * MINUTE, { owner: '', pooled: true }));
    backend.leftovers.set(halfMember, leftover(halfMember, t0 - 60 * MINUTE, true));

    expect(await reaper.pass()).toMatchObject({ orphans: [], halfCreated: [halfMember] });
    expect(backend.envs.has(member)).toBe(true);

    // Claimed: the store moves a student onto it; from then on it is theirs like any other.
    const bob = store.studentNamed('bob');
    store.setEnvId(bob.id, member);
    await reaper.pass();
    backend.envs.delete(member);
    expect((await reaper.pass()).missing).toEqual([member]);
    expect(store.envNotice(member)).toBe('missing');
  });

  it('removes half-created environments at any age on the first pass, later once older than the boot allows', async () => {
    const { backend, clock, reaper } = setup();
    const crashed = newEnvId();
    backend.leftovers.set(crashed, leftover(crashed, clock.now() - 1000));
    expect((await reaper.pass()).halfCreated).toEqual([crashed]);

    // Perhaps being created by another process (the CLI) right now: not yet.
    const elsewhere = newEnvId();
    backend.leftovers.set(elsewhere, leftover(elsewhere, clock.now() - 1000));
    expect((await reaper.pass()).halfCreated).toEqual([]);
    clock.advance(policy.partialGraceMs);
    expect((await reaper.pass()).halfCreated).toEqual([elsewhere]);
    expect(backend.leftovers.size).toBe(0);
  });

  it('never touches what this process is creating, nor what another part of it holds', async () => {
    const backend = new NeverReadyBackend();
    const held = newEnvId();
    const { clock, reaper } = setup(backend, { holds: (id) => id === held });
    const booting = newEnvId();
    void backend.create({ id: booting, owner: 'carol', mode: 'ready' });
    backend.leftovers.set(held, leftover(held, clock.now() - 60 * MINUTE, true));
    clock.advance(24 * 60 * MINUTE);
    expect(await reaper.pass()).toEqual({ orphans: [], halfCreated: [], missing: [], failed: [] });
    expect(await backend.discard(booting)).toBe(false);
    expect(backend.leftovers.has(held)).toBe(true);
  });

  it('marks a student whose complete environment vanished, once; not one who never had one, nor one already told it expired', async () => {
    const told: string[] = [];
    const { backend, store, clock, reaper } = setup(new InstantBackend(), {
      onMissing: (id) => told.push(id),
    });
    const [dave, erin, fay] = ['dave', 'erin', 'fay'].map((n) => store.studentNamed(n));
    if (!dave || !erin || !fay) throw new Error('no students');
    backend.envs.set(dave.envId, whole(dave.envId, clock.now()));
    backend.envs.set(fay.envId, whole(fay.envId, clock.now()));
    await reaper.pass();

    backend.envs.delete(dave.envId); // `docker rm -f` of its containers from a shell: the network is left
    backend.leftovers.set(dave.envId, leftover(dave.envId, clock.now()));
    backend.envs.delete(fay.envId);
    store.setEnvNotice(fay.envId, 'expired');
    const report = await reaper.pass();
    expect(report.missing).toEqual([dave.envId]);
    expect(told).toEqual([dave.envId]);
    expect(store.envNotice(dave.envId)).toBe('missing');
    expect(store.envNotice(erin.envId)).toBeNull();
    expect(store.envNotice(fay.envId)).toBe('expired');

    // Told once: starting again clears the notice, and nothing vanished since.
    store.setEnvNotice(dave.envId, null);
    expect((await reaper.pass()).missing).toEqual([]);
    expect(store.envNotice(dave.envId)).toBeNull();
  });

  it('does not mark what Kafka Lab removed itself, also when the removal happens during a pass', async () => {
    const backend = new SlowSurveyBackend();
    const { store, clock, reaper } = setup(backend);
    const gus = store.studentNamed('gus');
    const hal = store.studentNamed('hal');
    backend.envs.set(gus.envId, whole(gus.envId, clock.now()));
    backend.envs.set(hal.envId, whole(hal.envId, clock.now()));
    await reaper.pass();

    // A reset between passes.
    backend.envs.delete(gus.envId);
    reaper.forget(gus.envId);
    expect((await reaper.pass()).missing).toEqual([]);

    // A reset while a pass is under way, after its survey saw the environment whole.
    const release = backend.hold();
    const during = reaper.pass();
    await backend.asked.wait;
    backend.envs.delete(hal.envId);
    reaper.forget(hal.envId);
    release();
    expect((await during).missing).toEqual([]);
    expect((await reaper.pass()).missing).toEqual([]);
    expect(store.envNotice(gus.envId)).toBeNull();
    expect(store.envNotice(hal.envId)).toBeNull();
  });

  it('removes at most `concurrency` at a time and reports every removal', async () => {
    const backend = new SlowRemovalBackend();
    const { clock, reaper } = setup(backend);
    const ids = Array.from({ length: 5 }, () => newEnvId());
    for (const id of ids) backend.envs.set(id, whole(id, clock.now() - 60 * MINUTE));
    const pass = reaper.pass();
    await settle();
    expect(backend.inFlight).toBe(policy.concurrency);
    backend.released.open();
    const report = await pass;
    expect(backend.mostAtOnce).toBe(policy.concurrency);
    expect(report.orphans.sort()).toEqual([...ids].sort());
  });

  it('reports a removal that failed, goes on with the others, and tries it again on the next pass', async () => {
    const backend = new FlakyRemovalBackend();
    const { clock, reaper } = setup(backend);
    const [a, b] = [newEnvId(), newEnvId()];
    backend.envs.set(a, whole(a, clock.now() - 60 * MINUTE));
    backend.leftovers.set(b, leftover(b, clock.now()));
    const first = await reaper.pass();
    expect(first.failed.sort()).toEqual([a, b].sort());
    const second = await reaper.pass();
    expect(second).toMatchObject({ orphans: [a], halfCreated: [b], failed: [] });
  });

  it('changes nothing when the store cannot be read, and says why', async () => {
    const backend = new InstantBackend();
    const { clock, reaper } = setup(backend, { store: unreadableStore });
    const id = newEnvId();
    backend.envs.set(id, whole(id, clock.now() - 60 * MINUTE));
    const report = await reaper.pass();
    expect(report.error).toContain('database is locked');
    expect(backend.envs.has(id)).toBe(true);
  });

  it('keeps passing on its timer after a pass fails, one interval after another, until disposed', async () => {
    vi.useFakeTimers();
    const backend = new UnreachableEngine();
    const { reaper } = setup(backend);
    const running = reaper.start();
    expect(backend.surveys).toBe(0);
    await vi.advanceTimersByTimeAsync(policy.intervalMs);
    expect(backend.surveys).toBe(1);
    await vi.advanceTimersByTimeAsync(policy.intervalMs);
    expect(backend.surveys).toBe(2);
    running.dispose();
    await vi.advanceTimersByTimeAsync(3 * policy.intervalMs);
    expect(backend.surveys).toBe(2);
  });

  it('stops an aborted pass before its next removal', async () => {
    const backend = new SlowRemovalBackend();
    const { clock, reaper } = setup(backend, { policy: { ...policy, concurrency: 1 } });
    for (const id of [newEnvId(), newEnvId(), newEnvId()])
      backend.envs.set(id, whole(id, clock.now() - 60 * MINUTE));
    const abort = new AbortController();
    const pass = reaper.pass(abort.signal);
    await settle();
    abort.abort();
    backend.released.open();
    expect((await pass).orphans).toHaveLength(1);
    expect(backend.envs.size).toBe(2);
  });

  it('takes its policy from the configuration table', () => {
    expect(reaperPolicy({ reaperIntervalSec: 300, reaperGraceSec: 600, bootTimeoutSec: 180 })).toEqual({
      intervalMs: 300_000,
      graceMs: 600_000,
      partialGraceMs: 240_000,
      concurrency: 2,
    });
  });
});
