import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentContext, runCheck } from '../../server/checks/registry.ts';
import { bindNodes, type EnvInfo, type EnvRef } from '../../server/env/EnvironmentBackend.ts';
import type { CheckExercise } from '../../server/labs/model.ts';
import { LABELS } from '../../server/env/labels.ts';
import { newEnvId } from '../../server/env/naming.ts';
import { projectPaths } from '../../server/paths.ts';
import type { ProgressEvent } from '../../server/progress.ts';
import {
  cleanupPrefix,
  dumpLogsOnFailure,
  eventually,
  leftovers,
  snapshot,
  testEnvironments,
} from './support/docker.ts';

/**
 * Issue 3's acceptance on the real engine with real Kafka. Two environments are shared by the
 * tests (one ready, one install) to keep the tier within CI time; tests that break something
 * repair it before they end.
 */
const PREFIX = 'kltest-env';
const installSolution = readFileSync(path.join(projectPaths.labs, 'install', 'solve.sh'), 'utf8');
const { docker, backend, access } = testEnvironments(PREFIX);
const sh = (env: EnvRef, node: 'bigdata01' | 'bigdata02' | 'bigdata03', script: string, timeoutMs = 60_000) =>
  access.exec(env, node, ['bash', '-lc', script], { timeoutMs });

let ready: EnvInfo;
let install: EnvInfo;
const readyEvents: ProgressEvent[] = [];

beforeAll(async () => {
  await cleanupPrefix(docker, PREFIX);
  [ready, install] = await Promise.all([
    backend.create({ id: newEnvId(), owner: 'itest-ready', mode: 'ready' }, (e) => readyEvents.push(e)),
    backend.create({ id: newEnvId(), owner: 'itest-install', mode: 'install' }),
  ]);
});

afterAll(async () => {
  await cleanupPrefix(docker, PREFIX);
});

describe('a ready environment', () => {
  it('boots through the named phases to 3 brokers and a controller', async () => {
    dumpLogsOnFailure(docker, PREFIX);
    expect(ready.state).toBe('running');
    expect(ready.mode).toBe('ready');
    const phases = [...new Set(readyEvents.map((e) => e.phase))];
    expect(phases).toEqual([
      'network',
      'servers',
      'zookeeper',
      'install',
      'brokers',
      'controller',
      'roundtrip',
      'ready',
    ]);
    expect(readyEvents.filter((e) => e.phase === 'zookeeper').at(-1)).toMatchObject({ done: 3, total: 3 });
    expect(readyEvents.filter((e) => e.phase === 'brokers').at(-1)).toMatchObject({ done: 3, total: 3 });

    const snap = await snapshot(access, ready);
    expect(snap.brokers.map((b) => [b.id, b.host, b.up])).toEqual([
      [1, 'bigdata01', true],
      [2, 'bigdata02', true],
      [3, 'bigdata03', true],
    ]);
    expect([1, 2, 3]).toContain(snap.controller);
  });

  it('is the notes’ end state: /opt/apps/kafka, KAFKA_HOME on PATH, broker.id 1..3, log.dirs and the /kafka chroot', async () => {
    for (const [i, node] of (['bigdata01', 'bigdata02', 'bigdata03'] as const).entries()) {
      const r = await sh(
        ready,
        node,
        'echo $KAFKA_HOME; command -v kafka-topics.sh; grep -E "^(broker.id|log.dirs|zookeeper.connect)=" $KAFKA_HOME/config/server.properties',
      );
      expect(r.stdout.trim().split('\n')).toEqual([
        '/opt/apps/kafka',
        '/opt/apps/kafka/bin/kafka-topics.sh',
        `broker.id=${i + 1}`,
        'log.dirs=/opt/data/kafka',
        'zookeeper.connect=bigdata01:2181,bigdata02:2181,bigdata03:2181/kafka',
      ]);
    }
  });

  it('leaves no platform topic or group in the student’s cluster after the readiness round trip', async () => {
    // The round trip deletes its topic; the controller finishes that in the background.
    let listed = '';
    const clean = await eventually(async () => {
      const r = await sh(
        ready,
        'bigdata01',
        'kafka-topics.sh --bootstrap-server bigdata01:9092 --list; kafka-consumer-groups.sh --bootstrap-server bigdata01:9092 --list',
      );
      listed = r.stdout;
      return r.exitCode === 0 && !listed.includes('kafkalab');
    }, 30_000);
    expect(listed).toContain('__consumer_offsets');
    expect(listed).not.toContain('kafkalab');
    expect(clean).toBe(true);
  });

  it('round-trips messages on a replication-factor-3 topic', async () => {
    const create = await sh(
      ready,
      'bigdata02',
      'kafka-topics.sh --bootstrap-server bigdata01:9092 --create --topic rf3 --partitions 3 --replication-factor 3',
    );
    expect(create.stdout).toContain('Created topic rf3');
    await sh(
      ready,
      'bigdata03',
      'seq 1 20 | kafka-console-producer.sh --bootstrap-server bigdata03:9092 --topic rf3',
    );
    const consumed = await sh(
      ready,
      'bigdata01',
      'kafka-console-consumer.sh --bootstrap-server bigdata02:9092 --topic rf3 --from-beginning --max-messages 20 --timeout-ms 30000',
    );
    expect(
      consumed.stdout
        .trim()
        .split('\n')
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('lets root ssh and scp between the servers as in the notes', async () => {
    const r = await sh(
      ready,
      'bigdata01',
      'ssh bigdata02 hostname && echo from-01 > /tmp/note && scp -q /tmp/note root@bigdata03:/tmp/ && ssh root@bigdata03 cat /tmp/note',
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual(['bigdata02', 'from-01']);
  });

  it('shows a stopped broker as down with the ISR shrunk, and back in the ISR after a restart', async () => {
    dumpLogsOnFailure(docker, PREFIX);
    await sh(
      ready,
      'bigdata01',
      'kafka-topics.sh --bootstrap-server bigdata01:9092 --create --if-not-exists --topic isr --partitions 2 --replication-factor 3',
    );
    const stop = await sh(
      ready,
      'bigdata02',
      'kafka-server-stop.sh; for i in $(seq 1 60); do pgrep -f "[k]afka.Kafka" >/dev/null || exit 0; sleep 0.5; done; exit 1',
    );
    expect(stop.exitCode).toBe(0);

    const isrOf = async (): Promise<{ up: boolean | undefined; isr: number[][] }> => {
      const snap = await snapshot(access, ready);
      return {
        up: snap.brokers.find((b) => b.id === 2)?.up,
        isr: snap.topics.find((t) => t.name === 'isr')?.partitions.map((p) => [...p.isr].sort()) ?? [],
      };
    };
    let seen = await isrOf();
    expect(
      await eventually(
        async () => ((seen = await isrOf()), seen.up === false && seen.isr.every((i) => !i.includes(2))),
        30_000,
      ),
    ).toBe(true);
    expect(seen.isr).toEqual([
      [1, 3],
      [1, 3],
    ]);

    await sh(ready, 'bigdata02', 'kafka-server-start.sh -daemon $KAFKA_HOME/config/server.properties');
    expect(
      await eventually(
        async () => ((seen = await isrOf()), seen.up === true && seen.isr.every((i) => i.length === 3)),
        60_000,
      ),
    ).toBe(true);
  });

  it('opens a terminal: echo, resize, and close ends the shell', async () => {
    const term = await access.openTerminal(ready, 'bigdata01', { cols: 80, rows: 24 });
    let out = '';
    term.stream.on('data', (b: Buffer) => (out += b.toString('utf8')));
    term.stream.write('echo hi-$((20+22))\n');
    expect(await eventually(() => Promise.resolve(out.includes('hi-42')), 10_000, 100)).toBe(true);
    await term.resize(132, 43);
    term.stream.write('stty size; echo $$ > /tmp/term.pid\n');
    expect(await eventually(() => Promise.resolve(out.includes('43 132')), 10_000, 100)).toBe(true);
    await term.close();
    await term.ended;
    const alive = await sh(
      ready,
      'bigdata01',
      'kill -0 $(cat /tmp/term.pid) 2>/dev/null && echo alive || echo gone',
    );
    expect(alive.stdout.trim()).toBe('gone');
  });

  it('reads and writes files, keeping the mode, and enforces path rules and the size limit', async () => {
    await access.writeFile(ready, 'bigdata02', '/root/hello.txt', Buffer.from('你好 Kafka\n'));
    expect((await access.readFile(ready, 'bigdata02', '/root/hello.txt')).content.toString()).toBe(
      '你好 Kafka\n',
    );
    const conf = await access.readFile(ready, 'bigdata02', '/opt/apps/kafka/config/server.properties');
    expect(conf.content.toString()).toContain('broker.id=2');
    await access.writeFile(
      ready,
      'bigdata02',
      '/opt/apps/kafka/bin/kafka-topics.sh',
      (await access.readFile(ready, 'bigdata02', '/opt/apps/kafka/bin/kafka-topics.sh')).content,
    );
    expect(
      (await sh(ready, 'bigdata02', 'stat -c %a /opt/apps/kafka/bin/kafka-topics.sh')).stdout.trim(),
    ).toBe('755');
    const listing = await access.listDir(ready, 'bigdata02', '/opt/apps/kafka');
    expect(listing.filter((e) => e.type === 'dir').map((e) => e.name)).toEqual(
      expect.arrayContaining(['bin', 'config', 'libs']),
    );

    await expect(access.readFile(ready, 'bigdata02', '/root/../etc/shadow')).rejects.toMatchObject({
      status: 400,
    });
    await expect(access.readFile(ready, 'bigdata02', '/etc/shadow')).rejects.toMatchObject({
      status: 403,
    });
    await expect(access.readFile(ready, 'bigdata02', '/root/nope.txt')).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      access.writeFile(ready, 'bigdata02', '/root/missing-dir/x', Buffer.from('x')),
    ).rejects.toMatchObject({
      reason: 'directory_not_found',
    });
    await expect(
      access.writeFile(ready, 'bigdata02', '/root/big', Buffer.alloc(2 * 1024 * 1024)),
    ).rejects.toMatchObject({ status: 413 });
    await sh(ready, 'bigdata02', 'head -c 2000000 /dev/zero > /root/big.bin');
    await expect(access.readFile(ready, 'bigdata02', '/root/big.bin')).rejects.toMatchObject({
      status: 413,
    });
  });

  it('returns the existing environment when the owner asks again', async () => {
    const again = await backend.create({ id: ready.id, owner: 'itest-ready', mode: 'ready' });
    expect(again.id).toBe(ready.id);
    expect(again.nodes.map((n) => n.containerId)).toEqual(ready.nodes.map((n) => n.containerId));
  });

  it('keeps files across stop and start, and the brokers come back ready', async () => {
    dumpLogsOnFailure(docker, PREFIX);
    await access.writeFile(ready, 'bigdata03', '/root/keep.txt', Buffer.from('still here'));
    await backend.stop(ready);
    expect((await backend.status(ready))?.state).toBe('stopped');
    await backend.stop(ready); // safe to repeat
    await expect(access.exec(ready, 'bigdata01', ['true'])).rejects.toMatchObject({
      reason: 'env_not_running',
    });

    const events: ProgressEvent[] = [];
    const resumed = await backend.start(ready, (e) => events.push(e));
    expect(resumed.state).toBe('running');
    expect(events.filter((e) => e.phase === 'brokers').at(-1)).toMatchObject({ done: 3, total: 3 });
    expect((await access.readFile(ready, 'bigdata03', '/root/keep.txt')).content.toString()).toBe(
      'still here',
    );
    const snap = await snapshot(access, ready);
    expect(snap.brokers.filter((b) => b.up).map((b) => b.id)).toEqual([1, 2, 3]);
    expect(snap.topics.map((t) => t.name)).toContain('rf3');
  });
});

describe('an install environment', () => {
  it('has a ZooKeeper quorum of three, no broker, and the Kafka tarball in /opt/soft', async () => {
    expect(install.mode).toBe('install');
    const modes = await Promise.all(
      (['bigdata01', 'bigdata02', 'bigdata03'] as const).map(
        async (n) =>
          /Mode: (\w+)/.exec((await sh(install, n, '/opt/zookeeper/bin/zkServer.sh status')).stdout)?.[1],
      ),
    );
    expect(modes.filter((m) => m === 'leader')).toHaveLength(1);
    expect(modes.filter((m) => m === 'follower')).toHaveLength(2);
    const r = await sh(install, 'bigdata01', 'ls /opt/soft; ls /opt/apps | wc -l; jps');
    expect(r.stdout).toContain('kafka_2.13-3.9.2.tgz');
    expect(r.stdout).not.toContain('Kafka');
    expect(r.stdout).toContain('QuorumPeerMain');
    const snap = await snapshot(access, install);
    expect(snap.brokers).toEqual([]);
    expect(snap.controller).toBeNull();
  });

  it('cannot reach or resolve another environment, and has no way out', async () => {
    const other = await docker.getContainer(`${PREFIX}-${ready.id}-bigdata01`).inspect();
    const otherIp = Object.values(other.NetworkSettings.Networks)[0]?.IPAddress ?? '';
    expect(otherIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const gateway =
      Object.values(
        (await docker.getContainer(`${PREFIX}-${install.id}-bigdata01`).inspect()).NetworkSettings.Networks,
      )[0]?.Gateway ?? '';
    const r = await sh(
      install,
      'bigdata01',
      [
        `getent hosts ${PREFIX}-${ready.id}-bigdata01 && echo resolved-other || echo no-name`,
        `timeout 3 bash -c 'echo > /dev/tcp/${otherIp}/22' 2>/dev/null && echo reached-other || echo no-other`,
        `timeout 3 bash -c 'echo > /dev/tcp/${gateway}/22' 2>/dev/null && echo reached-host || echo no-host`,
        'getent hosts bigdata02 >/dev/null && echo own-names',
      ].join('; '),
    );
    expect(r.stdout.trim().split('\n')).toEqual(['no-name', 'no-other', 'no-host', 'own-names']);
  });
});

describe('ownership, admission and concurrency', () => {
  it('refuses every call whose owner is not the one on the containers', async () => {
    const mallory = { id: ready.id, owner: 'mallory' };
    await expect(backend.status(mallory)).rejects.toMatchObject({ reason: 'not_your_environment' });
    await expect(backend.remove(mallory)).rejects.toMatchObject({ reason: 'not_your_environment' });
    await expect(backend.stop(mallory)).rejects.toMatchObject({ reason: 'not_your_environment' });
    await expect(access.exec(mallory, 'bigdata01', ['true'])).rejects.toMatchObject({
      reason: 'env_not_found',
    });
    await expect(access.readFile(mallory, 'bigdata01', '/root/.ssh/id_ecdsa')).rejects.toMatchObject({
      reason: 'env_not_found',
    });
    await expect(access.openTerminal(mallory, 'bigdata01', { cols: 80, rows: 24 })).rejects.toMatchObject({
      reason: 'env_not_found',
    });
    // The owner's own calls, made after the refused ones, still work.
    expect((await backend.status(ready))?.state).toBe('running');
    expect((await access.exec(ready, 'bigdata01', ['true'])).exitCode).toBe(0);
  });

  it('kills a timed-out check’s command inside the server instead of abandoning it', async () => {
    const exercise: CheckExercise = {
      kind: 'check',
      id: 'slow',
      title: { zh: '慢', en: 'slow' },
      type: 'command',
      params: { node: 'bigdata01', run: 'sleep 297', exitCode: 0 },
      points: 1,
      hints: [],
      timeoutSec: 2,
      line: 1,
    };
    const result = await runCheck(exercise, environmentContext(bindNodes(access, ready)));
    expect(result.status).toBe('error');
    expect(result.message.en).toContain('did not finish within 2 s');
    // The abort kills it in the container: no `sleep 297` is left once the kill has landed.
    // (-x: the whole command line, or pgrep would find the shell that runs it)
    expect(
      await eventually(
        async () =>
          (await sh(ready, 'bigdata01', 'pgrep -fx "sleep 297" || echo none')).stdout.trim() === 'none',
        10_000,
        200,
      ),
    ).toBe(true);
    // And an aborted exec says so.
    const controller = new AbortController();
    controller.abort();
    await expect(
      access.exec(ready, 'bigdata01', ['true'], { signal: controller.signal }),
    ).rejects.toMatchObject({ reason: 'aborted' });
  });

  it('follows symbolic links before the editor’s path rules, so a link cannot open a closed folder', async () => {
    await sh(
      ready,
      'bigdata01',
      'ln -sfn /etc /root/etc-link && ln -sfn /opt/kafkalab /root/kl-link && ln -sfn /opt/apps/kafka/config /root/conf-link',
    );
    await expect(access.readFile(ready, 'bigdata01', '/root/etc-link/shadow')).rejects.toMatchObject({
      status: 403,
      reason: 'path_not_allowed',
    });
    await expect(access.listDir(ready, 'bigdata01', '/root/kl-link')).rejects.toMatchObject({ status: 403 });
    await expect(
      access.writeFile(ready, 'bigdata01', '/root/etc-link/kafkalab-test', Buffer.from('x')),
    ).rejects.toMatchObject({ status: 403 });
    expect(
      (await sh(ready, 'bigdata01', 'test -e /etc/kafkalab-test && echo written || echo no')).stdout.trim(),
    ).toBe('no');
    // A link that stays inside the allowed folders opens as before.
    const conf = await access.readFile(ready, 'bigdata01', '/root/conf-link/server.properties');
    expect(conf.path).toBe('/opt/apps/kafka/config/server.properties');
    expect(conf.content.toString()).toContain('broker.id=1');
  });

  it('admits exactly up to the maximum when creations arrive together, and removals at once are one', async () => {
    dumpLogsOnFailure(docker, PREFIX);
    // Two environments exist (ready, install): room for one more.
    const small = testEnvironments(PREFIX, { maxEnvironments: 3 });
    const ids = [newEnvId(), newEnvId(), newEnvId()];
    const results = await Promise.allSettled(
      ids.map((id, i) => small.backend.create({ id, owner: `itest-crowd-${i}`, mode: 'install' })),
    );
    const admitted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(admitted).toHaveLength(1);
    expect(refused.map((r) => (r.reason as { reason: string }).reason)).toEqual([
      'capacity_full',
      'capacity_full',
    ]);
    expect((await small.backend.list()).length).toBe(3);

    const winner = (admitted[0] as PromiseFulfilledResult<EnvInfo>).value;
    const removals = await Promise.allSettled([small.backend.remove(winner), small.backend.remove(winner)]);
    expect(removals.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    const filters = JSON.stringify({ label: [`${LABELS.env}=${winner.id}`] });
    expect(await docker.listContainers({ all: true, filters })).toHaveLength(0);
    expect(await docker.listNetworks({ filters })).toHaveLength(0);
  });
});

describe('failures and clean-up', () => {
  it('fails creation after the timeout naming the broker that never registered and its log, leaving nothing', async () => {
    // The install solution with one mistake: bigdata02 points at a ZooKeeper port nobody listens on.
    const broken = testEnvironments(PREFIX, {
      bootTimeoutMs: 50_000,
      installScript: () =>
        installSolution.replace(
          '# 5.',
          `ssh bigdata02 "sed -i 's#^zookeeper.connect=.*#zookeeper.connect=bigdata01:2999/kafka#' /opt/apps/kafka/config/server.properties"\n# 5.`,
        ),
    });
    const brokenId = newEnvId();
    const err = await broken.backend.create({ id: brokenId, owner: 'itest-broken', mode: 'ready' }).then(
      () => undefined,
      (e: unknown) => e as { reason: string; message: string; details?: string },
    );
    expect(err?.reason).toBe('brokers_not_ready');
    expect(err?.message).toContain('bigdata02 (broker 2');
    expect(err?.details).toContain('--- bigdata02: tail of the broker log ---');
    const filters = JSON.stringify({ label: [`${LABELS.env}=${brokenId}`] });
    expect(await docker.listContainers({ all: true, filters })).toHaveLength(0);
    expect(await docker.listNetworks({ filters })).toHaveLength(0);
  });

  it('reconcile keeps finished environments and removes half-created ones', async () => {
    const id = newEnvId();
    const labels = {
      [LABELS.prefix]: PREFIX,
      [LABELS.env]: id,
      [LABELS.owner]: 'itest-half',
      [LABELS.mode]: 'ready',
    };
    const net = await docker.createNetwork({ Name: `${PREFIX}-${id}`, Internal: true, Labels: labels });
    await docker.createContainer({
      name: `${PREFIX}-${id}-bigdata01`,
      Image: 'kafkalab/node:latest',
      Labels: { ...labels, [LABELS.node]: 'bigdata01' },
      HostConfig: { NetworkMode: net.id },
    });
    const fresh = testEnvironments(PREFIX).backend; // a "restarted server": knows nothing in memory
    const report = await fresh.reconcile();
    expect(report.removed).toEqual([id]);
    expect(report.adopted.sort()).toEqual([install.id, ready.id].sort());
    expect(await fresh.status({ id, owner: 'itest-half' })).toBeUndefined();
  });

  it('remove leaves no container, network or volume behind and is safe to repeat', async () => {
    await backend.remove(install);
    await backend.remove(install);
    await backend.remove(ready);
    expect(await leftovers(docker, PREFIX)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
