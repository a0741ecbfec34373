import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Admission } from '../../../server/env/Admission.ts';
import type { EnvInfo, EnvSpec } from '../../../server/env/EnvironmentBackend.ts';
import { EnvManager, type EnvOwner } from '../../../server/env/EnvManager.ts';
import { newEnvId } from '../../../server/env/naming.ts';
import { AppError } from '../../../server/errors.ts';
import type { EnvMessage, EnvStatus } from '../../../server/http/apiTypes.ts';
import type { Progress } from '../../../server/progress.ts';
import {
  InMemoryNodes,
  InstantBackend,
  NeverReadyBackend,
} from '../../../server/env/InMemoryEnvironments.ts';

const log = pino({ level: 'silent' });
/** A student as the store hands them out: a name and a random environment id. */
const who = (name: string): EnvOwner => ({ name, envId: newEnvId() });
const alice = who('alice');
const bob = who('bob');
const carol = who('carol');
const until = async (probe: () => Promise<boolean> | boolean, ms = 3000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('EnvManager', () => {
  it('with a slow backend: reports booting with the phases so far, then running; a second start does not boot twice', async () => {
    const backend = new InstantBackend(300);
    const m = new EnvManager(backend, new InMemoryNodes(backend), log);
    const seen: EnvMessage[] = [];
    const sub = m.subscribe(alice, (msg) => seen.push(msg));
    const first = await m.start(alice, 'ready', false);
    expect(first.phase).toBe('booting');
    expect(first.events.map((e) => e.phase)).toEqual(['network', 'zookeeper']);
    await m.start(alice, 'ready', false);
    await until(async () => (await m.status(alice)).phase === 'running');
    expect(backend.creates).toBe(1);
    expect(
      seen.filter((x) => x.type === 'status').map((x) => (x.type === 'status' ? x.status.phase : '')),
    ).toContain('running');
    sub.dispose();
    m.dispose();
  });

  it('with a never-ready backend: stays booting and refuses a reset meanwhile', async () => {
    const backend = new NeverReadyBackend();
    const m = new EnvManager(backend, new InMemoryNodes(backend), log);
    await m.start(bob, 'ready', false);
    // The backend has been asked to create it: the boot is under way and will never end.
    await until(() => backend.creates === 1);
    expect((await m.status(bob)).phase).toBe('booting');
    await expect(m.reset(bob)).rejects.toMatchObject({ reason: 'env_booting' });
    m.dispose();
  });

  it('tells removals to the terminal hub before removing', async () => {
    const backend = new InstantBackend();
    const removed: string[] = [];
    const m = new EnvManager(backend, new InMemoryNodes(backend), log, {
      onRemoved: (id) => removed.push(id),
    });
    await m.start(carol, 'ready', false);
    await until(async () => (await m.status(carol)).phase === 'running');
    await m.reset(carol);
    expect(removed).toEqual([carol.envId]);
    expect((await m.status(carol)).phase).toBe('none');
  });

  it('never shows or touches another student’s environment, even under a colliding id', async () => {
    const backend = new InstantBackend();
    const m = new EnvManager(backend, new InMemoryNodes(backend), log);
    await m.start(alice, 'ready', false);
    await until(async () => (await m.status(alice)).phase === 'running');
    // What a name collision gave an attacker before: the victim's environment id.
    const mallory: EnvOwner = { name: 'mallory', envId: alice.envId };
    await expect(m.status(mallory)).rejects.toMatchObject({ reason: 'not_your_environment' });
    await expect(m.nodes(mallory).readFile('bigdata01', '/root/notes.txt')).rejects.toMatchObject({
      reason: 'env_not_found',
    });
    await expect(m.reset(mallory)).rejects.toMatchObject({ reason: 'not_your_environment' });
    expect((await m.status(alice)).phase).toBe('running');
  });

  it('joins concurrent starts into one boot and concurrent resets into one removal', async () => {
    const backend = new InstantBackend();
    const m = new EnvManager(backend, new InMemoryNodes(backend), log);
    await Promise.all([
      m.start(bob, 'ready', false),
      m.start(bob, 'ready', false),
      m.start(bob, 'ready', false),
    ]);
    await until(async () => (await m.status(bob)).phase === 'running');
    expect(backend.creates).toBe(1);
    const results = await Promise.allSettled([m.reset(bob), m.reset(bob)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect((await m.status(bob)).phase).toBe('none');
  });
});

/**
 * A backend whose boots (creations and resumes) run until the test finishes or fails them, so a
 * test decides exactly when a place or a boot slot frees up.
 */
class HeldBackend extends InstantBackend {
  /** Ids whose boot started, in order. */
  readonly booted: string[] = [];
  private readonly held = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  private readonly waiters = new Map<string, () => void>();

  override async create(spec: EnvSpec, progress?: Progress): Promise<EnvInfo> {
    const existing = this.owned(spec);
    if (existing?.state !== 'stopped') return super.create(spec, progress);
    await this.boot(spec.id);
    return this.start(spec);
  }

  protected override boot(id: string): Promise<void> {
    this.booted.push(id);
    this.waiters.get(id)?.();
    return new Promise((resolve, reject) => this.held.set(id, { resolve, reject }));
  }

  /** Resolves once the boot of `id` has started (at once if it has). */
  booting(id: string): Promise<void> {
    if (this.held.has(id)) return Promise.resolve();
    return new Promise((r) => this.waiters.set(id, r));
  }

  finish(id: string): void {
    this.held.get(id)?.resolve();
    this.held.delete(id);
  }

  fail(id: string): void {
    this.held.get(id)?.reject(new AppError(504, 'brokers_not_ready', 'Kafka did not become ready'));
    this.held.delete(id);
  }
}

/** Resolves with the first status pushed to the student that satisfies `ok` (the current one counts). */
function pushed(m: EnvManager, student: EnvOwner, ok: (s: EnvStatus) => boolean): Promise<EnvStatus> {
  return new Promise((resolve) => {
    const sub = m.subscribe(student, (msg) => {
      if (msg.type !== 'status' || !ok(msg.status)) return;
      queueMicrotask(() => sub.dispose());
      resolve(msg.status);
    });
  });
}

/** A manager over a held backend with admission of this capacity and boot concurrency. */
function queued(capacity: number, bootConcurrency: number) {
  const backend = new HeldBackend();
  const admission = new Admission({ capacity, bootConcurrency });
  const m = new EnvManager(backend, new InMemoryNodes(backend), log, { admission });
  return { backend, admission, m };
}

describe('EnvManager with admission', () => {
  it('answers queued with the place in line, admits in order as places and boot slots free up, and pushes each new position', async () => {
    const { backend, m } = queued(2, 1);
    const [a, b, c] = [who('alice'), who('bob'), who('carol')];
    const carolSaw: EnvStatus[] = [];
    const sub = m.subscribe(c, (msg) => msg.type === 'status' && carolSaw.push(msg.status));

    expect((await m.start(a, 'ready', false)).phase).toBe('booting');
    expect(await m.start(b, 'ready', false)).toMatchObject({
      phase: 'queued',
      mode: 'ready',
      queue: { position: 1, etaSeconds: 30 },
    });
    expect(await m.start(c, 'ready', false)).toMatchObject({
      phase: 'queued',
      queue: { position: 2, etaSeconds: 60 },
    });
    expect((await m.phases()).get(b.envId)).toBe('queued');

    // Alice's boot ends: the boot slot goes to Bob, Carol moves up.
    await backend.booting(a.envId);
    backend.finish(a.envId);
    await pushed(m, a, (s) => s.phase === 'running');
    await pushed(m, b, (s) => s.phase === 'booting');
    await pushed(m, c, (s) => s.queue?.position === 1);
    backend.finish(b.envId);
    await pushed(m, b, (s) => s.phase === 'running');
    // Both places are taken by running environments: Carol waits although no boot runs.
    expect(await m.status(c)).toMatchObject({ phase: 'queued', queue: { position: 1 } });

    await m.reset(a);
    await pushed(m, c, (s) => s.phase === 'booting');
    expect(backend.booted).toEqual([a.envId, b.envId, c.envId]);
    expect(carolSaw.filter((s) => s.phase === 'queued').map((s) => s.queue?.position)).toEqual([2, 1]);
    sub.dispose();
    m.dispose();
  });

  it('takes a student who resets or stops while waiting out of the line, without booting anything', async () => {
    const { backend, admission, m } = queued(1, 1);
    const [a, b, c] = [who('alice'), who('bob'), who('carol')];
    await m.start(a, 'ready', false);
    await m.start(b, 'ready', false);
    expect((await m.start(c, 'install', false)).queue?.position).toBe(2);

    expect((await m.reset(b)).phase).toBe('none');
    expect((await pushed(m, c, (s) => s.queue?.position === 1)).phase).toBe('queued');
    expect((await m.stop(c)).phase).toBe('none');
    expect(admission.stats().queued).toBe(0);
    // A boot that runs is not interrupted.
    await expect(m.reset(a)).rejects.toMatchObject({ status: 409, reason: 'env_booting' });

    await backend.booting(a.envId);
    backend.finish(a.envId);
    await pushed(m, a, (s) => s.phase === 'running');
    expect(backend.booted).toEqual([a.envId]);
    expect((await m.status(b)).phase).toBe('none');
    // Back in line when they ask again.
    expect((await m.start(b, 'ready', false)).queue?.position).toBe(1);
    m.dispose();
  });

  it('frees the place of a failed boot for the next in line, and shows the failure', async () => {
    const { backend, m } = queued(1, 1);
    const [a, b] = [who('alice'), who('bob')];
    await m.start(a, 'ready', false);
    expect((await m.start(b, 'ready', false)).phase).toBe('queued');
    await backend.booting(a.envId);
    backend.fail(a.envId);
    expect((await pushed(m, a, (s) => s.phase === 'failed')).error?.error).toBe('brokers_not_ready');
    await pushed(m, b, (s) => s.phase === 'booting');
    m.dispose();
  });

  it('frees a place when an environment stops, and queues the resume of a stopped one', async () => {
    const { backend, m } = queued(1, 1);
    const [a, b] = [who('alice'), who('bob')];
    await m.start(a, 'ready', false);
    await backend.booting(a.envId);
    backend.finish(a.envId);
    await pushed(m, a, (s) => s.phase === 'running');
    expect((await m.start(b, 'ready', false)).phase).toBe('queued');

    expect((await m.stop(a)).phase).toBe('stopped');
    await pushed(m, b, (s) => s.phase === 'booting');
    // Alice comes back: her resume waits for Bob's place like anyone's boot.
    expect(await m.start(a, 'ready', false)).toMatchObject({ phase: 'queued', queue: { position: 1 } });
    await backend.booting(b.envId);
    backend.finish(b.envId);
    await pushed(m, b, (s) => s.phase === 'running');
    expect((await m.status(a)).phase).toBe('queued');
    await m.stop(b);
    await backend.booting(a.envId);
    backend.finish(a.envId);
    await pushed(m, a, (s) => s.phase === 'running');
    // Resumed, not created again: one creation each.
    expect(backend.creates).toBe(2);
    m.dispose();
  });

  it('replaces an environment (reset to the other mode) in its own place, without queueing behind others', async () => {
    const { backend, m } = queued(1, 1);
    const [a, b] = [who('alice'), who('bob')];
    await m.start(a, 'install', false);
    await backend.booting(a.envId);
    backend.finish(a.envId);
    await pushed(m, a, (s) => s.phase === 'running');
    await m.start(b, 'ready', false);
    const replaced = await m.start(a, 'ready', true);
    expect(replaced.phase).toBe('booting');
    expect(replaced.events.map((e) => e.phase)).toContain('reset');
    // Bob is still first in line: Alice's new environment took her old one's place.
    expect((await m.status(b)).queue?.position).toBe(1);
    m.dispose();
  });

  it('counts environments running at start against the capacity', async () => {
    const { backend, m } = queued(1, 1);
    const adopted = who('adopted');
    backend.envs.set(adopted.envId, {
      id: adopted.envId,
      owner: adopted.name,
      mode: 'ready',
      state: 'running',
      nodes: [],
      createdAt: new Date(0).toISOString(),
    });
    expect(await m.countRunning()).toBe(1);
    expect(await m.start(who('dora'), 'ready', false)).toMatchObject({
      phase: 'queued',
      queue: { position: 1 },
    });
    m.dispose();
  });
});
