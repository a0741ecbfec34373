import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { NODES, type EnvironmentBackend } from '../../server/env/EnvironmentBackend.ts';
import { packTar } from '../../server/env/files.ts';
import { LABELS } from '../../server/env/labels.ts';
import { newEnvId } from '../../server/env/naming.ts';
import { Reaper, type ReaperPolicy } from '../../server/env/Reaper.ts';
import { SqliteStore } from '../../server/store/Store.ts';
import { cleanupPrefix, dumpLogsOnFailure, testEnvironments } from './support/docker.ts';

/**
 * Issue 12 item 4 on the real engine: two servers' prefixes on one engine, and the reaper of one
 * removing its own orphans and leftovers while every object of the other, orphans included,
 * stays. Most environments here are planted with the engine's API (containers created, never
 * started, with or without the provisioned marker), which is all the reaper looks at; one is
 * really booted, to be caught mid-creation.
 */
const A = 'kltest-reap-a';
const B = 'kltest-reap-b';
const a = testEnvironments(A);
const b = testEnvironments(B);
const docker = a.docker;
const image = `${loadConfig(process.env).imageRepo}:latest`;
/** DockerBackend's marker of a finished provisioning. */
const PROVISIONED = 'opt/kafkalab/state/provisioned';
const HOUR = 3600_000;
const policy: ReaperPolicy = {
  intervalMs: HOUR,
  graceMs: 10 * 60_000,
  partialGraceMs: 4 * 60_000,
  concurrency: 2,
};
const log = pino({ level: 'silent' });

/** What to plant under one environment id. */
interface Planting {
  readonly owner?: string;
  readonly pooled?: boolean;
  /** How many of bigdata01..03 (created, not started). */
  readonly nodes: number;
  /** The provisioned marker on bigdata01 (whole only with three nodes). */
  readonly marker?: boolean;
  readonly network?: boolean;
  readonly volume?: boolean;
}

/** Creates an environment's objects directly on the engine, as a crash or another server left them. */
async function plant(prefix: string, spec: Planting, id = newEnvId()): Promise<string> {
  const labels = {
    [LABELS.prefix]: prefix,
    [LABELS.env]: id,
    [LABELS.owner]: spec.owner ?? (spec.pooled === true ? '' : 'itest-reap'),
    [LABELS.mode]: 'install',
    ...(spec.pooled === true ? { [LABELS.pool]: 'install' } : {}),
  };
  const network = `${prefix}-${id}`;
  if (spec.network === true) await docker.createNetwork({ Name: network, Internal: true, Labels: labels });
  for (const node of NODES.slice(0, spec.nodes)) {
    const c = await docker.createContainer({
      name: `${prefix}-${id}-${node}`,
      Image: image,
      Labels: { ...labels, [LABELS.node]: node },
      HostConfig: spec.network === true ? { NetworkMode: network } : {},
    });
    if (node === 'bigdata01' && spec.marker === true) {
      const tar = await packTar([
        { name: 'opt/kafkalab/state', type: 'directory', mode: 0o755 },
        { name: PROVISIONED, content: '{"mode":"install"}', mode: 0o644 },
      ]);
      await c.putArchive(tar, { path: '/' });
    }
  }
  if (spec.volume === true) await docker.createVolume({ Name: `${prefix}-${id}`, Labels: labels });
  return id;
}

const WHOLE: Planting = { nodes: 3, marker: true, network: true };

/** Every object with this prefix, as `kind env-id name`, sorted (for "nothing changed" comparisons). */
async function objects(prefix: string): Promise<string[]> {
  const filters = JSON.stringify({ label: [`${LABELS.prefix}=${prefix}`] });
  const [cs, ns, vs] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return [
    ...cs.map((c) => `container ${c.Labels[LABELS.env]} ${c.Names.join(',')}`),
    ...ns.map((n) => `network ${n.Labels?.[LABELS.env]} ${n.Name}`),
    ...(vs.Volumes ?? []).map((v) => `volume ${v.Labels[LABELS.env]} ${v.Name}`),
  ].sort();
}

/** The environment ids that have any object with this prefix. */
async function envIds(prefix: string): Promise<string[]> {
  return [...new Set((await objects(prefix)).map((o) => o.split(' ')[1] ?? ''))].sort();
}

/** A reaper over a prefix's backend and a store, with a clock that can be moved ahead. */
function reaperFor(
  backend: Pick<EnvironmentBackend, 'survey' | 'discard'>,
  store: SqliteStore,
): { reaper: Reaper; later: (ms: number) => void } {
  let ahead = 0;
  const reaper = new Reaper({ backend, store, log, policy, now: () => Date.now() + ahead });
  return { reaper, later: (ms: number) => void (ahead += ms) };
}

let dir: string;
let storeA: SqliteStore;
let storeB: SqliteStore;

beforeAll(async () => {
  await Promise.all([cleanupPrefix(docker, A), cleanupPrefix(docker, B)]);
  dir = mkdtempSync(path.join(tmpdir(), 'kltest-reap-'));
  storeA = new SqliteStore(path.join(dir, 'a.sqlite'));
  storeB = new SqliteStore(path.join(dir, 'b.sqlite'));
});

afterAll(async () => {
  storeA.close();
  storeB.close();
  rmSync(dir, { recursive: true, force: true });
  await Promise.all([cleanupPrefix(docker, A), cleanupPrefix(docker, B)]);
});

describe('the reaper on one engine shared by two prefixes', () => {
  it('removes A’s orphans and leftovers, keeps A’s students’ and pool’s, and leaves every object of B', async () => {
    dumpLogsOnFailure(docker, A);
    const alice = storeA.studentNamed('reap-alice');
    const half = storeA.studentNamed('reap-half');
    await plant(A, { ...WHOLE, owner: alice.name }, alice.envId);
    const orphanA = await plant(A, { ...WHOLE, owner: 'itest-gone' });
    const poolA = await plant(A, { ...WHOLE, pooled: true });
    const poolHalfA = await plant(A, { nodes: 3, network: true, pooled: true });
    await plant(A, { nodes: 2, network: true, owner: half.name }, half.envId);
    const netA = await plant(A, { nodes: 0, network: true });
    const volA = await plant(A, { nodes: 0, volume: true });

    // B: the same kinds, B's orphans included; B's store knows none of them.
    await plant(B, WHOLE);
    await plant(B, { ...WHOLE, pooled: true });
    await plant(B, { nodes: 3, network: true, pooled: true });
    await plant(B, { nodes: 1, network: true });
    await plant(B, { nodes: 0, network: true });
    await plant(B, { nodes: 0, volume: true });
    const before = await objects(B);
    expect(before.length).toBeGreaterThan(10);

    const { reaper, later } = reaperFor(a.backend, storeA);
    // At start: everything half-made goes at once; the complete orphan is still in its grace period.
    const first = await reaper.pass();
    expect(first.orphans).toEqual([]);
    expect(first.halfCreated.sort()).toEqual([poolHalfA, half.envId, netA, volA].sort());
    expect(first.failed).toEqual([]);
    expect(await envIds(A)).toEqual([alice.envId, orphanA, poolA].sort());

    later(HOUR);
    const second = await reaper.pass();
    expect(second).toMatchObject({ orphans: [orphanA], halfCreated: [], missing: [], failed: [] });
    expect(await envIds(A)).toEqual([alice.envId, poolA].sort());
    // A whole environment is still three containers and a network.
    expect((await objects(A)).filter((o) => o.includes(alice.envId))).toHaveLength(4);

    expect(await objects(B)).toEqual(before);
  });

  it('marks a student whose environment was removed outside Kafka Lab, not one Kafka Lab removed', async () => {
    const alice = storeA.studentNamed('reap-alice');
    const bob = storeA.studentNamed('reap-bob');
    await plant(A, { ...WHOLE, owner: bob.name }, bob.envId);
    const { reaper } = reaperFor(a.backend, storeA);
    await reaper.pass();

    // Alice's from a shell (`docker rm -f`); Bob's by Kafka Lab, which tells the reaper.
    const filters = JSON.stringify({ label: [`${LABELS.prefix}=${A}`, `${LABELS.env}=${alice.envId}`] });
    for (const c of await docker.listContainers({ all: true, filters }))
      await docker.getContainer(c.Id).remove({ force: true });
    await a.backend.remove({ id: bob.envId, owner: bob.name });
    reaper.forget(bob.envId);

    const report = await reaper.pass();
    // Her lone network is left over: she cannot use it, so she is told; it goes once past its grace.
    expect(report.missing).toEqual([alice.envId]);
    expect(report.halfCreated).toEqual([]);
    expect(storeA.envNotice(alice.envId)).toBe('missing');
    expect(storeA.envNotice(bob.envId)).toBeNull();
    expect(storeA.envNotice(storeA.studentNamed('reap-half').envId)).toBeNull();
  });

  it('leaves an environment this process is creating, and removes it once it is a finished orphan', async () => {
    dumpLogsOnFailure(docker, A);
    const id = newEnvId();
    let midway!: () => void;
    const reachedZookeeper = new Promise<void>((r) => (midway = r));
    // Nobody in the store owns it (the lab tester's kind), so nothing but "being created" keeps it.
    const creating = a.backend.create({ id, owner: 'itest-reap-creating', mode: 'install' }, (e) => {
      if (e.phase === 'zookeeper') midway();
    });
    await reachedZookeeper;
    const { reaper, later } = reaperFor(a.backend, storeA);
    later(24 * HOUR);
    const during = await reaper.pass();
    expect(during.orphans).not.toContain(id);
    expect(during.halfCreated).not.toContain(id);
    expect((await creating).state).toBe('running');

    expect((await reaper.pass()).orphans).toEqual([id]);
    expect(await envIds(A)).not.toContain(id);
  });

  it('B’s reaper removes B’s orphans and leaves every object of A', async () => {
    const before = await objects(A);
    const { reaper, later } = reaperFor(b.backend, storeB);
    later(HOUR);
    const report = await reaper.pass();
    expect(report.failed).toEqual([]);
    expect(report.orphans.length + report.halfCreated.length).toBe(5);
    // Only B's complete pooled one is left: the pool's, until a student of B's store takes it.
    expect(await envIds(B)).toHaveLength(1);
    expect(await objects(A)).toEqual(before);
  });
});
