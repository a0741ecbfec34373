import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admission, checkAdmissionConfig, hostFacts } from '../../server/env/Admission.ts';
import { EnvManager, type EnvOwner } from '../../server/env/EnvManager.ts';
import { LABELS } from '../../server/env/labels.ts';
import { newEnvId } from '../../server/env/naming.ts';
import type { EnvStatus } from '../../server/http/apiTypes.ts';
import { cleanupPrefix, dumpLogsOnFailure, testEnvironments } from './support/docker.ts';

/**
 * Issue 12's admission acceptance on the real engine: with room for one environment, a second
 * student waits in line instead of getting an error, and boots when the first one is removed.
 * The engine's own last-resort check allows one as well, so the two must agree on what counts.
 */
const PREFIX = 'kltest-admit';
const { docker, backend, access } = testEnvironments(PREFIX, { maxEnvironments: 1 });
const plan = checkAdmissionConfig(
  { maxEnvironments: 1, hostReserveMb: 2048, envMemoryMb: 2400, bootConcurrency: 0 },
  hostFacts(),
);
const envs = new EnvManager(backend, access, pino({ level: 'silent' }), {
  admission: new Admission(plan),
});

/** Resolves with the first status pushed to the student that satisfies `ok` (the current one counts). */
function pushed(student: EnvOwner, ok: (s: EnvStatus) => boolean): Promise<EnvStatus> {
  return new Promise((resolve) => {
    const sub = envs.subscribe(student, (msg) => {
      if (msg.type !== 'status' || !ok(msg.status)) return;
      queueMicrotask(() => sub.dispose());
      resolve(msg.status);
    });
  });
}

const settled = (s: EnvStatus): boolean => s.phase === 'running' || s.phase === 'failed';

beforeAll(async () => {
  await cleanupPrefix(docker, PREFIX);
});

afterAll(async () => {
  envs.dispose();
  await cleanupPrefix(docker, PREFIX);
});

describe('admission with room for one environment', () => {
  it('queues a second student at position 1 and gives them their environment when the first is removed', async () => {
    dumpLogsOnFailure(docker, PREFIX);
    expect(plan.capacity).toBe(1);
    const first: EnvOwner = { name: 'itest-admit-first', envId: newEnvId() };
    const second: EnvOwner = { name: 'itest-admit-second', envId: newEnvId() };

    expect((await envs.start(first, 'install', false)).phase).toBe('booting');
    expect(await envs.start(second, 'install', false)).toMatchObject({
      phase: 'queued',
      mode: 'install',
      queue: { position: 1 },
    });
    const firstUp = await pushed(first, settled);
    expect(firstUp.error).toBeNull();
    expect(firstUp.phase).toBe('running');

    // The first one runs and holds the only place: the second still waits, with nothing created.
    expect(await envs.status(second)).toMatchObject({ phase: 'queued', queue: { position: 1 } });
    const filters = JSON.stringify({
      label: [`${LABELS.prefix}=${PREFIX}`, `${LABELS.env}=${second.envId}`],
    });
    expect(await docker.listContainers({ all: true, filters })).toHaveLength(0);

    await envs.reset(first);
    const secondUp = await pushed(second, settled);
    expect(secondUp.error).toBeNull();
    expect(secondUp.phase).toBe('running');
    expect((await backend.list()).map((e) => [e.id, e.owner, e.state])).toEqual([
      [second.envId, second.name, 'running'],
    ]);
  });
});
