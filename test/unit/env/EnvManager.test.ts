import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EnvManager, type EnvOwner } from '../../../server/env/EnvManager.ts';
import { newEnvId } from '../../../server/env/naming.ts';
import type { EnvMessage } from '../../../server/http/apiTypes.ts';
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
    const m = new EnvManager(backend, new InMemoryNodes(backend), log, (id) => removed.push(id));
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
