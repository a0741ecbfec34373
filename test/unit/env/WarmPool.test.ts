import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Admission } from '../../../server/env/Admission.ts';
import { POOL_OWNER, type EnvInfo, type EnvSpec } from '../../../server/env/EnvironmentBackend.ts';
import { EnvManager, type EnvOwner, type PoolClaims } from '../../../server/env/EnvManager.ts';
import { InMemoryNodes, InstantBackend } from '../../../server/env/InMemoryEnvironments.ts';
import { newEnvId } from '../../../server/env/naming.ts';
import { planPool, WarmPool, type PoolTargets } from '../../../server/env/WarmPool.ts';
import { AppError, isAppError } from '../../../server/errors.ts';
import type { Progress } from '../../../server/progress.ts';

const log = pino({ level: 'silent' });

const until = async (probe: () => Promise<boolean> | boolean, ms = 3000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** Students' environment ids by name, as the store keeps them; a pooled id names its claimer. */
class Registry {
  readonly envOf = new Map<string, string>();

  student(name: string): EnvOwner {
    const envId = newEnvId();
    this.envOf.set(name, envId);
    return { name, envId };
  }

  claimedBy = (envId: string): string | undefined =>
    [...this.envOf.entries()].find(([, id]) => id === envId)?.[0];

  move = (owner: string, from: string, to: string): boolean => {
    if (this.envOf.get(owner) !== from) return false;
    this.envOf.set(owner, to);
    return true;
  };
}

/** A backend whose pooled boots fail while `failing` is set (an engine outage). */
class FlakyBackend extends InstantBackend {
  failing = false;
  failures = 0;
  override create(spec: EnvSpec, progress?: Progress): Promise<EnvInfo> {
    if (this.failing) {
      this.failures++;
      return Promise.reject(new AppError(503, 'engine_unavailable', 'no engine'));
    }
    return super.create(spec, progress);
  }
}

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const d of disposers.splice(0)) d();
});

function setup(targets: PoolTargets, capacity = 8, backend = new FlakyBackend(), registry = new Registry()) {
  backend.claimedBy = registry.claimedBy;
  const admission = new Admission({ capacity, bootConcurrency: 2 });
  const pool = new WarmPool({ backend, admission, log, targets, retryMs: 20 });
  const claims: PoolClaims = { pool, move: registry.move };
  const envs = new EnvManager(backend, new InMemoryNodes(backend), log, { admission, claims });
  disposers.push(
    () => pool.dispose(),
    () => envs.dispose(),
  );
  return { backend, registry, admission, pool, envs };
}

describe('WarmPool', () => {
  it('boots the targets of each mode and counts only ready members', async () => {
    const { pool, backend } = setup({ ready: 2, install: 1 });
    expect(pool.size()).toEqual({ ready: 0, install: 0 });
    await pool.start();
    await until(() => pool.size().ready === 2 && pool.size().install === 1);
    const listed = await backend.list();
    expect(listed).toHaveLength(3);
    expect(listed.every((e) => e.pooled === true && e.owner === POOL_OWNER)).toBe(true);
  });

  it('hands a student a ready environment of their mode at once, and refills behind them', async () => {
    const { pool, envs, registry, backend } = setup({ ready: 1, install: 0 });
    await pool.start();
    await until(() => pool.size().ready === 1);
    const [member] = await backend.list();
    const ada = registry.student('ada');

    const status = await envs.start(ada, 'ready', false);
    expect(status.phase).toBe('running');
    expect(status.events.map((e) => e.phase)).toEqual(['pool']);
    // The store moved ada to the member; her old view and the new one see the same environment.
    expect(registry.envOf.get('ada')).toBe(member?.id);
    expect((await envs.status({ name: 'ada', envId: member?.id ?? '' })).phase).toBe('running');
    expect((await backend.list()).find((e) => e.id === member?.id)?.owner).toBe('ada');
    // A fresh member replaces the one taken.
    await until(() => pool.size().ready === 1);
    expect((await backend.list()).filter((e) => e.owner === POOL_OWNER)).toHaveLength(1);
  });

  it('never hands a taken environment to anyone else: another ref with its id is refused', async () => {
    const { pool, envs, registry, backend } = setup({ ready: 1, install: 0 });
    await pool.start();
    await until(() => pool.size().ready === 1);
    const ada = registry.student('ada');
    await envs.start(ada, 'ready', false);
    const taken = registry.envOf.get('ada') ?? '';
    const err = await backend.status({ id: taken, owner: 'mallory' }).catch((e: unknown) => e);
    expect(isAppError(err) && err.reason).toBe('not_your_environment');
    const unclaimedView = await backend.status({ id: taken, owner: POOL_OWNER }).catch((e: unknown) => e);
    expect(isAppError(unclaimedView) && unclaimedView.reason).toBe('not_your_environment');
  });

  it('boots as usual when no member of the mode is ready', async () => {
    const { pool, envs, registry } = setup({ ready: 0, install: 1 });
    await pool.start();
    await until(() => pool.size().install === 1);
    const ada = registry.student('ada');
    const status = await envs.start(ada, 'ready', false);
    expect(status.phase).toBe('booting');
    expect(registry.envOf.get('ada')).toBe(ada.envId);
    expect(pool.size().install).toBe(1);
  });

  it('does not hand out a member stopped from outside: removes it and boots the student one', async () => {
    const { pool, envs, registry, backend } = setup({ ready: 1, install: 0 });
    await pool.start();
    await until(() => pool.size().ready === 1);
    const [member] = await backend.list();
    await backend.stop({ id: member?.id ?? '', owner: POOL_OWNER });
    const ada = registry.student('ada');
    expect((await envs.start(ada, 'ready', false)).phase).toBe('booting');
    expect(registry.envOf.get('ada')).toBe(ada.envId);
    await until(async () => (await backend.list()).every((e) => e.id !== member?.id));
  });

  it('removes members an earlier run left behind, keeps taken ones, then fills', async () => {
    const backend = new FlakyBackend();
    const registry = new Registry();
    backend.claimedBy = registry.claimedBy;
    const left = newEnvId();
    const taken = newEnvId();
    await backend.create({ id: left, owner: POOL_OWNER, mode: 'ready' });
    await backend.create({ id: taken, owner: POOL_OWNER, mode: 'ready' });
    registry.envOf.set('ada', taken);
    const { pool } = setup({ ready: 1, install: 0 }, 8, backend, registry);
    await pool.start();
    await until(() => pool.size().ready === 1);
    const ids = (await backend.list()).map((e) => e.id);
    expect(ids).toContain(taken);
    expect(ids).not.toContain(left);
    expect(ids).toHaveLength(2);
  });

  it('refills only behind students: a student waiting for a place goes first', async () => {
    const { pool, envs, registry, admission } = setup({ ready: 1, install: 0 }, 2);
    const a = registry.student('a');
    const b = registry.student('b');
    await envs.start(a, 'install', false);
    await until(async () => (await envs.status(a)).phase === 'running');
    await pool.start();
    await until(() => pool.size().ready === 1);
    // Full now (a and the member): b, in another mode, takes the member's place.
    const s = await envs.start(b, 'install', false);
    expect(['queued', 'booting']).toContain(s.phase);
    await until(async () => (await envs.status(b)).phase === 'running');
    expect(pool.size().ready).toBe(0);
    // The refill waits for a place, behind nobody: it is not shown as a student in line.
    expect(admission.stats().queued).toBe(0);
    await envs.reset(a);
    await until(() => pool.size().ready === 1);
  });

  it('tries a failed mode again after a pause', async () => {
    const backend = new FlakyBackend();
    backend.failing = true;
    const { pool } = setup({ ready: 1, install: 0 }, 8, backend);
    await pool.start();
    // Failed, then tried again after the pause (not in a tight loop: retryMs apart).
    await until(() => backend.failures >= 2);
    expect(pool.size().ready).toBe(0);
    backend.failing = false;
    await until(() => pool.size().ready === 1);
  });
});

describe('planPool', () => {
  it('sizes auto from the capacity', () => {
    const auto = { poolReady: 'auto', poolInstall: 'auto' } as const;
    expect(planPool(auto, 2)).toEqual({ ready: 0, install: 0 });
    expect(planPool(auto, 3)).toEqual({ ready: 1, install: 0 });
    expect(planPool(auto, 8)).toEqual({ ready: 1, install: 1 });
    expect(planPool({ poolReady: 3, poolInstall: 0 }, 8)).toEqual({ ready: 3, install: 0 });
  });

  it('refuses a pool larger than the capacity, naming the options', () => {
    const err = (() => {
      try {
        return planPool({ poolReady: 2, poolInstall: 2 }, 3);
      } catch (e) {
        return e;
      }
    })();
    expect(isAppError(err) && err.reason).toBe('bad_config');
    expect(isAppError(err) && err.details).toMatch(/KAFKALAB_POOL_READY=2.*KAFKALAB_POOL_INSTALL=2/s);
  });
});
