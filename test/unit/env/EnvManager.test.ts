import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EnvManager } from '../../../server/env/EnvManager.ts';
import type { EnvMessage } from '../../../server/http/apiTypes.ts';
import { InMemoryNodes, InstantBackend, NeverReadyBackend } from '../support/fakeEnvironments.ts';

const log = pino({ level: 'silent' });
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
    const sub = m.subscribe('alice', (msg) => seen.push(msg));
    const first = await m.start('alice', 'ready', false);
    expect(first.phase).toBe('booting');
    expect(first.events.map((e) => e.phase)).toEqual(['network', 'zookeeper']);
    await m.start('alice', 'ready', false);
    await until(async () => (await m.status('alice')).phase === 'running');
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
    await m.start('bob', 'ready', false);
    await new Promise((r) => setTimeout(r, 50));
    expect((await m.status('bob')).phase).toBe('booting');
    await expect(m.reset('bob')).rejects.toMatchObject({ reason: 'env_booting' });
    m.dispose();
  });

  it('tells removals to the terminal hub before removing', async () => {
    const backend = new InstantBackend();
    const removed: string[] = [];
    const m = new EnvManager(backend, new InMemoryNodes(backend), log, (id) => removed.push(id));
    await m.start('carol', 'ready', false);
    await until(async () => (await m.status('carol')).phase === 'running');
    await m.reset('carol');
    expect(removed).toEqual([m.envIdOf('carol')]);
    expect((await m.status('carol')).phase).toBe('none');
  });
});
