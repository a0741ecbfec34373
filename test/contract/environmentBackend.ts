import { describe, expect, it } from 'vitest';
import type { EnvironmentBackend, EnvMode } from '../../server/env/EnvironmentBackend.ts';
import { newEnvId } from '../../server/env/naming.ts';

/** What a contract run needs of a backend implementation. */
export interface BackendUnderTest {
  readonly backend: EnvironmentBackend;
  /** A new instance over the same engine, as after a server restart (knows nothing in memory). */
  readonly restarted: () => EnvironmentBackend;
  /** The cheapest mode to boot for this backend. */
  readonly mode: EnvMode;
}

/**
 * The `EnvironmentBackend` contract: what every implementation (Docker, in-memory, later Swarm and
 * Kubernetes) must do, as the interface documents it. Run from the unit tier against the
 * in-memory backend and from the integration tier against Docker, with the same cases.
 */
export function environmentBackendContract(
  name: string,
  make: () => BackendUnderTest,
  timeoutMs?: number,
): void {
  describe(`EnvironmentBackend contract: ${name}`, () => {
    it(
      'create twice (also at once) gives the same environment; stop, stop again, start; someone else is refused; status after a restart; remove twice',
      async () => {
        const { backend, restarted, mode } = make();
        const ref = { id: newEnvId(), owner: 'contract-alice' };
        try {
          expect(await backend.status(ref)).toBeUndefined();
          const [a, b] = await Promise.all([
            backend.create({ ...ref, mode }),
            backend.create({ ...ref, mode }),
          ]);
          expect(a).toMatchObject({ id: ref.id, owner: ref.owner, mode, state: 'running' });
          expect(b.nodes.map((n) => n.containerId)).toEqual(a.nodes.map((n) => n.containerId));
          const again = await backend.create({ ...ref, mode });
          expect(again.nodes.map((n) => n.containerId)).toEqual(a.nodes.map((n) => n.containerId));
          expect(a.nodes.map((n) => n.name)).toEqual(['bigdata01', 'bigdata02', 'bigdata03']);
          expect((await backend.list()).filter((e) => e.id === ref.id)).toHaveLength(1);

          const mallory = { id: ref.id, owner: 'contract-mallory' };
          await expect(backend.status(mallory)).rejects.toMatchObject({ reason: 'not_your_environment' });
          await expect(backend.remove(mallory)).rejects.toMatchObject({ reason: 'not_your_environment' });

          await backend.stop(ref);
          expect((await backend.status(ref))?.state).toBe('stopped');
          await backend.stop(ref);
          expect((await backend.status(ref))?.state).toBe('stopped');
          const later = restarted();
          expect(await later.status(ref)).toMatchObject({
            id: ref.id,
            owner: ref.owner,
            mode,
            state: 'stopped',
          });
          expect((await later.start(ref)).state).toBe('running');
          expect((await backend.status(ref))?.state).toBe('running');
          // Creating a stopped-then-started one returns it as it is.
          expect((await backend.create({ ...ref, mode })).nodes.map((n) => n.containerId)).toEqual(
            a.nodes.map((n) => n.containerId),
          );
        } finally {
          await backend.remove(ref);
        }
        expect(await backend.status(ref)).toBeUndefined();
        await backend.remove(ref);
        await backend.remove({ id: newEnvId(), owner: 'contract-nobody' });
        expect(await backend.status(ref)).toBeUndefined();
      },
      timeoutMs,
    );

    it(
      'survey says busy while being created and complete once ready; discard refuses a busy one, removes a complete one, and removing nothing is fine',
      async () => {
        const { backend, mode } = make();
        const ref = { id: newEnvId(), owner: 'contract-reaped' };
        try {
          const creating = backend.create({ ...ref, mode });
          // Asked in the same step as the create: it is under way, whatever its objects are.
          const [during, refused] = await Promise.all([backend.survey(), backend.discard(ref.id)]);
          expect(during.find((r) => r.id === ref.id)?.stage).toBe('busy');
          expect(refused).toBe(false);
          await creating;
          expect((await backend.survey()).find((r) => r.id === ref.id)).toMatchObject({
            stage: 'complete',
            pooled: false,
          });
          expect(await backend.discard(ref.id)).toBe(true);
          expect(await backend.status(ref)).toBeUndefined();
          expect((await backend.survey()).some((r) => r.id === ref.id)).toBe(false);
          expect(await backend.discard(ref.id)).toBe(true);
        } finally {
          await backend.remove(ref);
        }
      },
      timeoutMs,
    );
  });
}
