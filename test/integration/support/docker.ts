import type Docker from 'dockerode';
import { onTestFailed } from 'vitest';
import { LABELS } from '../../../server/env/labels.ts';
import { demuxLogs } from '../../../server/docker/exec.ts';
import { pino } from 'pino';
import { loadConfig } from '../../../server/config.ts';
import type { DockerBackend, DockerBackendOptions } from '../../../server/env/DockerBackend.ts';
import type { DockerNodeAccess } from '../../../server/env/DockerNodeAccess.ts';
import type { Snapshot } from '../../../agent/types.ts';
import { clusterAgentOn } from '../../../server/cluster/ClusterAgent.ts';
import {
  bindNodes,
  type EnvRef,
  type NodeAccess,
  type NodeName,
} from '../../../server/env/EnvironmentBackend.ts';
import { connectDocker, createEnvironments } from '../../../server/main.ts';

/** The engine the integration tier runs against (started by `npm run images` before the tier). */
export function testDocker(): Docker {
  return connectDocker();
}

/** Removes every container, network and volume labelled with this prefix. */
export async function cleanupPrefix(docker: Docker, prefix: string): Promise<void> {
  const filters = JSON.stringify({ label: [`${LABELS.prefix}=${prefix}`] });
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(
    containers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
  const networks = await docker.listNetworks({ filters });
  await Promise.all(
    networks.map((n) =>
      docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => undefined),
    ),
  );
  const { Volumes } = await docker.listVolumes({ filters });
  await Promise.all(
    (Volumes ?? []).map((v) =>
      docker
        .getVolume(v.Name)
        .remove()
        .catch(() => undefined),
    ),
  );
}

/** What is left with this prefix (for "nothing left behind" assertions). */
export async function leftovers(
  docker: Docker,
  prefix: string,
): Promise<{ containers: number; networks: number; volumes: number }> {
  const filters = JSON.stringify({ label: [`${LABELS.prefix}=${prefix}`] });
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return {
    containers: containers.length,
    networks: networks.length,
    volumes: (volumes.Volumes ?? []).length,
  };
}

/** On failure of the current test, prints the logs of every container with this prefix. */
export function dumpLogsOnFailure(docker: Docker, prefix: string, extra?: () => Promise<string>): void {
  onTestFailed(async () => {
    const filters = JSON.stringify({ label: [`${LABELS.prefix}=${prefix}`] });
    for (const c of await docker.listContainers({ all: true, filters })) {
      const logs = await docker.getContainer(c.Id).logs({ stdout: true, stderr: true, tail: 200 });
      console.error(`----- logs of ${c.Names.join(',')} (${c.State}) -----\n${demuxLogs(logs)}`);
    }
    if (extra) console.error(await extra());
  });
}

/** The environment engine as configured for a test prefix (logs silenced). */
export function testEnvironments(
  prefix: string,
  overrides: Partial<DockerBackendOptions> = {},
): { docker: Docker; backend: DockerBackend; access: DockerNodeAccess } {
  const config = loadConfig({ ...process.env, KAFKALAB_PREFIX: prefix, KAFKALAB_MAX_ENVS: '6' });
  const docker = testDocker();
  return { docker, ...createEnvironments(config, docker, pino({ level: 'silent' }), overrides) };
}

/** The agent's cluster snapshot, through the same typed ClusterAgent the server uses. */
export function snapshot(access: NodeAccess, env: EnvRef, node: NodeName = 'bigdata01'): Promise<Snapshot> {
  return clusterAgentOn(bindNodes(access, env)).snapshot({ node, timeoutMs: 25_000 });
}

/** Polls `probe` until it returns true or the time is up; returns the last value. */
export async function eventually(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 500,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
