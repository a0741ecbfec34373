import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { ensureEngine, type HostOps } from '../../../server/docker/engine.ts';
import type { ProgressEvent } from '../../../server/progress.ts';
import { appErrorOf } from '../../support/errors.ts';

/** An engine that answers after `failures` failed pings (Infinity: never). */
function engineAnsweringAfter(failures: number): Docker & { pings: number } {
  const engine = {
    pings: 0,
    ping(): Promise<string> {
      engine.pings++;
      return engine.pings > failures
        ? Promise.resolve('OK')
        : Promise.reject(new Error('connect ENOENT /var/run/docker.sock'));
    },
  };
  return engine as unknown as Docker & { pings: number };
}

/** A Debian root host that records what it was asked to do. */
class RecordingDebianHost implements HostOps {
  readonly calls: string[] = [];
  daemonExits = false;
  constructor(
    private readonly has: Set<string>,
    private readonly root = true,
    private readonly aptExit = 0,
  ) {}
  isRoot(): boolean {
    return this.root;
  }
  osId(): string {
    return 'debian';
  }
  which(cmd: string): boolean {
    return this.has.has(cmd);
  }
  run(cmd: string, args: string[]): Promise<number> {
    this.calls.push([cmd, ...args].join(' '));
    if (cmd === 'apt-get' && args[0] === 'install' && this.aptExit === 0) this.has.add('dockerd');
    return Promise.resolve(this.aptExit);
  }
  startDaemon(cmd: string): { pid: number; exited: () => boolean } {
    this.calls.push(`daemon ${cmd}`);
    return { pid: 4242, exited: () => this.daemonExits };
  }
  readTail(): string {
    return 'level=fatal msg="failed to start daemon"';
  }
}

const logDir = (): string => mkdtempSync(path.join(tmpdir(), 'kl-engine-'));

describe('ensureEngine', () => {
  it('returns at once when the engine answers, touching nothing', async () => {
    const host = new RecordingDebianHost(new Set(['apt-get']));
    const engine = engineAnsweringAfter(0);
    await ensureEngine({ logDir: logDir(), progress: () => {}, host, env: {}, connect: () => engine });
    expect(host.calls).toEqual([]);
  });

  it('installs docker.io with apt and starts dockerd when root on Debian and nothing answers', async () => {
    const host = new RecordingDebianHost(new Set(['apt-get']));
    const events: ProgressEvent[] = [];
    await ensureEngine({
      logDir: logDir(),
      progress: (e) => events.push(e),
      host,
      env: {},
      connect: () => engineAnsweringAfter(2),
    });
    expect(host.calls).toEqual([
      'apt-get update',
      'apt-get install -y --no-install-recommends docker.io',
      'daemon dockerd',
    ]);
    expect(events.map((e) => e.message).join('\n')).toMatch(
      /installing docker.io[\s\S]*starting dockerd[\s\S]*dockerd is up/,
    );
  });

  it('only starts dockerd when docker.io is already installed', async () => {
    const host = new RecordingDebianHost(new Set(['apt-get', 'dockerd']));
    await ensureEngine({
      logDir: logDir(),
      progress: () => {},
      host,
      env: {},
      connect: () => engineAnsweringAfter(1),
    });
    expect(host.calls).toEqual(['daemon dockerd']);
  });

  it('reports the tail of the dockerd log when the engine never comes up', async () => {
    const host = new RecordingDebianHost(new Set(['apt-get', 'dockerd']));
    host.daemonExits = true;
    const err = await appErrorOf(
      ensureEngine({
        logDir: logDir(),
        progress: () => {},
        host,
        env: {},
        connect: () => engineAnsweringAfter(Infinity),
      }),
    );
    expect(err.reason).toBe('engine_start_failed');
    expect(err.details).toContain('failed to start daemon');
  });

  it('does not replace an unreachable DOCKER_HOST', async () => {
    const host = new RecordingDebianHost(new Set(['apt-get', 'dockerd']));
    const err = await appErrorOf(
      ensureEngine({
        logDir: logDir(),
        progress: () => {},
        host,
        env: { DOCKER_HOST: 'tcp://10.9.9.9:2375' },
        connect: () => engineAnsweringAfter(Infinity),
      }),
    );
    expect(err.reason).toBe('engine_unreachable');
    expect(err.message).toContain('DOCKER_HOST=tcp://10.9.9.9:2375');
    expect(host.calls).toEqual([]);
  });

  it('tells a non-root user how to get Docker instead of installing', async () => {
    const host = new RecordingDebianHost(new Set(['apt-get']), false);
    const err = await appErrorOf(
      ensureEngine({
        logDir: logDir(),
        progress: () => {},
        host,
        env: {},
        connect: () => engineAnsweringAfter(Infinity),
      }),
    );
    expect(err.message).toBe('No Docker engine answers on this machine');
    expect(err.details).toMatch(/Install Docker Engine/);
    expect(host.calls).toEqual([]);
  });

  it('fails with apt output when docker.io cannot be installed', async () => {
    const host = new RecordingDebianHost(new Set(['apt-get']), true, 100);
    const err = await appErrorOf(
      ensureEngine({
        logDir: logDir(),
        progress: () => {},
        host,
        env: {},
        connect: () => engineAnsweringAfter(Infinity),
      }),
    );
    expect(err.reason).toBe('apt_failed');
    expect(host.calls).toEqual(['apt-get update']);
  });
});
