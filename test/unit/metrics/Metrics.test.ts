import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { EnvInfo, EnvSpec } from '../../../server/env/EnvironmentBackend.ts';
import { EnvManager, type BootEnded, type EnvOwner } from '../../../server/env/EnvManager.ts';
import { FailingBackend, InMemoryNodes, InstantBackend } from '../../../server/env/InMemoryEnvironments.ts';
import { newEnvId } from '../../../server/env/naming.ts';
import type { Progress } from '../../../server/progress.ts';
import { Metrics } from '../../../server/metrics/Metrics.ts';
import { sampleValue } from './support.ts';

const log = pino({ level: 'silent' });

/** Creates like the Docker backend: a stopped environment of the same owner is started again. */
class ResumingBackend extends InstantBackend {
  resumes = 0;
  override async create(spec: EnvSpec, progress?: Progress): Promise<EnvInfo> {
    if (this.owned(spec)?.state === 'stopped') {
      this.resumes++;
      return this.start(spec);
    }
    return super.create(spec, progress);
  }
}

let disposables: { dispose(): void }[] = [];
afterEach(() => {
  for (const d of disposables) d.dispose();
  disposables = [];
});

/** An EnvManager over `backend` with metrics listening to it. */
function setup(backend: InstantBackend): {
  envs: EnvManager;
  metrics: Metrics;
  nextBoot: () => Promise<BootEnded>;
} {
  const envs = new EnvManager(backend, new InMemoryNodes(backend), log);
  const metrics = new Metrics({
    token: '',
    environments: backend,
    envs,
    grading: { onCheckRan: () => ({ dispose: () => undefined }) },
    terminals: { size: 0 },
    log,
  });
  disposables.push(metrics, envs);
  /** Resolves with the next boot that ends: the metrics heard it by then (they subscribed first). */
  const nextBoot = (): Promise<BootEnded> =>
    new Promise((resolve) => {
      const sub = envs.onBootEnded((b) => {
        sub.dispose();
        resolve(b);
      });
    });
  return { envs, metrics, nextBoot };
}

const text = async (m: Metrics): Promise<string> => (await m.scrape()).body;

describe('Metrics over an EnvManager', () => {
  it('times a first boot as a boot and a start after a stop as a resume, by mode', async () => {
    const backend = new ResumingBackend();
    const { envs, metrics, nextBoot } = setup(backend);
    const alice: EnvOwner = { name: 'alice', envId: newEnvId() };

    let ended = nextBoot();
    await envs.start(alice, 'install', false);
    expect(await ended).toMatchObject({ mode: 'install', resumed: false, ok: true });
    let body = await text(metrics);
    expect(
      sampleValue(body, 'kafkalab_boot_duration_seconds_count', { mode: 'install', outcome: 'ok' }),
    ).toBe(1);
    expect(
      sampleValue(body, 'kafkalab_resume_duration_seconds_count', { mode: 'install', outcome: 'ok' }),
    ).toBe(undefined);
    expect(sampleValue(body, 'kafkalab_environments', { state: 'running', mode: 'install' })).toBe(1);

    await envs.stop(alice);
    expect(
      sampleValue(await text(metrics), 'kafkalab_environments', { state: 'stopped', mode: 'install' }),
    ).toBe(1);

    ended = nextBoot();
    await envs.start(alice, 'install', false);
    expect(await ended).toMatchObject({ mode: 'install', resumed: true, ok: true });
    expect(backend.resumes).toBe(1);
    body = await text(metrics);
    expect(
      sampleValue(body, 'kafkalab_resume_duration_seconds_count', { mode: 'install', outcome: 'ok' }),
    ).toBe(1);
    expect(
      sampleValue(body, 'kafkalab_boot_duration_seconds_count', { mode: 'install', outcome: 'ok' }),
    ).toBe(1);
    expect(sampleValue(body, 'kafkalab_environments', { state: 'running', mode: 'install' })).toBe(1);
    expect(sampleValue(body, 'kafkalab_environments', { state: 'stopped', mode: 'install' })).toBe(0);
  });

  it('counts a failed boot with outcome "failed"', async () => {
    const { envs, metrics, nextBoot } = setup(new FailingBackend());
    const ended = nextBoot();
    await envs.start({ name: 'bob', envId: newEnvId() }, 'ready', false);
    expect(await ended).toMatchObject({ mode: 'ready', resumed: false, ok: false });
    const body = await text(metrics);
    expect(
      sampleValue(body, 'kafkalab_boot_duration_seconds_count', { mode: 'ready', outcome: 'failed' }),
    ).toBe(1);
    expect(sampleValue(body, 'kafkalab_boot_duration_seconds_count', { mode: 'ready', outcome: 'ok' })).toBe(
      undefined,
    );
  });

  it('unsubscribes from the services and empties its registry when disposed', async () => {
    const unsubscribed: string[] = [];
    const subscription = (name: string) => () => ({ dispose: () => void unsubscribed.push(name) });
    const metrics = new Metrics({
      token: '',
      environments: new InstantBackend(),
      envs: { onBootEnded: subscription('boots') },
      grading: { onCheckRan: subscription('checks') },
      terminals: { size: 0 },
      log,
    });
    expect(await text(metrics)).toContain('kafkalab_boot_duration_seconds');
    metrics.dispose();
    expect(unsubscribed.sort()).toEqual(['boots', 'checks']);
    expect((await text(metrics)).trim()).toBe('');
  });
});
