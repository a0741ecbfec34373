import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainFailure } from '../../server/checks/diagnosis.ts';
import { environmentContext, runCheck } from '../../server/checks/registry.ts';
import { bindNodes, type EnvInfo, type NodeName } from '../../server/env/EnvironmentBackend.ts';
import { newEnvId } from '../../server/env/naming.ts';
import { loadCourse } from '../../server/labs/loader.ts';
import type { CheckExercise } from '../../server/labs/model.ts';
import { checkTypes } from '../../server/checks/registry.ts';
import { projectPaths } from '../../server/paths.ts';
import {
  cleanupPrefix,
  dumpLogsOnFailure,
  eventually,
  snapshot,
  testEnvironments,
} from './support/docker.ts';

/**
 * Issue 10's acceptance: the mistakes students made in the install chapter, typed on a real
 * install environment, and the `three-brokers` check's message naming the cause, the file and
 * line it was seen in, and the way out. One environment, the steps in order, as a student
 * would meet them.
 */
const PREFIX = 'kltest-diag';
const { docker, backend, access } = testEnvironments(PREFIX);
const course = loadCourse(projectPaths.labs, checkTypes);
const threeBrokers = course.labs
  .find((l) => l.id === 'install')
  ?.exercises.find((e) => e.id === 'three-brokers') as CheckExercise;

let env: EnvInfo;
const sh = async (node: NodeName, script: string, timeoutMs = 120_000): Promise<string> => {
  const r = await access.exec(env, node, ['bash', '-lc', script], { timeoutMs });
  if (r.exitCode !== 0) throw new Error(`${node}: exit ${r.exitCode}: ${r.stdout}${r.stderr}`);
  return r.stdout;
};
/** The check as a student's Check button runs it: the check, then the diagnosis when it fails. */
const check = async () => {
  const ctx = environmentContext(bindNodes(access, env));
  return explainFailure(threeBrokers, await runCheck(threeBrokers, ctx), ctx.cluster);
};
const brokerRuns = async (node: NodeName): Promise<boolean> =>
  (await access.exec(env, node, ['pgrep', '-f', 'kafka\\.Kafka'])).exitCode === 0;
/** Starts the broker on `node` and waits until its JVM has exited (a failed start) or registered. */
const start = (node: NodeName) =>
  sh(node, 'kafka-server-start.sh -daemon $KAFKA_HOME/config/server.properties');
const waitExited = async (node: NodeName) =>
  expect(await eventually(async () => !(await brokerRuns(node)), 90_000)).toBe(true);

beforeAll(async () => {
  await cleanupPrefix(docker, PREFIX);
  env = await backend.create({ id: newEnvId(), owner: 'itest-diag', mode: 'install' });
  // The install chapter up to "copy to the other two servers", with bigdata02's broker.id left at 1.
  await sh(
    'bigdata01',
    `set -e
     tar -zxf /opt/soft/kafka_2.13-3.9.2.tgz -C /opt/apps && mv /opt/apps/kafka_2.13-3.9.2 /opt/apps/kafka
     printf 'export KAFKA_HOME=/opt/apps/kafka\\nexport PATH=$PATH:$KAFKA_HOME/bin\\n' > /etc/profile.d/hadoop-etc.sh
     mkdir -p /opt/data/kafka
     sed -i -e 's/^broker\\.id=.*/broker.id=1/' -e 's#^log\\.dirs=.*#log.dirs=/opt/data/kafka#' \\
       -e 's#^zookeeper\\.connect=.*#zookeeper.connect=bigdata01:2181,bigdata02:2181,bigdata03:2181/kafka#' \\
       /opt/apps/kafka/config/server.properties
     for host in bigdata02 bigdata03; do
       scp -rq /opt/apps/kafka root@$host:/opt/apps/
       scp -q /etc/profile.d/hadoop-etc.sh root@$host:/etc/profile.d/
       ssh root@$host mkdir -p /opt/data/kafka
     done
     ssh root@bigdata03 "sed -i 's/^broker\\.id=.*/broker.id=3/' /opt/apps/kafka/config/server.properties"`,
  );
}, 240_000);

afterAll(async () => {
  await cleanupPrefix(docker, PREFIX);
});

describe('a broker that will not start, diagnosed', () => {
  it('names a duplicate broker.id on the server that has it, then the meta.properties trap after the fix, and passes after the recovery', async () => {
    dumpLogsOnFailure(docker, PREFIX);
    await start('bigdata01');
    const up = async (id: number) =>
      (await snapshot(access, env).catch(() => undefined))?.brokers.some((b) => b.id === id && b.up) === true;
    expect(await eventually(() => up(1), 90_000)).toBe(true);
    await start('bigdata02');
    await waitExited('bigdata02');
    await start('bigdata03');

    let r = await check();
    expect(r.status).toBe('fail');
    expect(r.causes).toEqual(['duplicate-broker-id']);
    expect(r.message.en).toContain('The broker on bigdata02');
    expect(r.message.en).toMatch(/\/opt\/apps\/kafka\/logs\/server\.log, line \d+/);
    expect(r.message.zh).toMatch(/\/opt\/apps\/kafka\/logs\/server\.log 第 \d+ 行/);

    // What the students did: fix broker.id with sed and start again. The failed start wrote
    // meta.properties with id 1, so this start fails too.
    await sh('bigdata02', "sed -i 's/^broker\\.id=.*/broker.id=2/' $KAFKA_HOME/config/server.properties");
    await start('bigdata02');
    await waitExited('bigdata02');
    r = await check();
    expect(r.causes).toEqual(['meta-properties-mismatch']);
    expect(r.message.en).toContain('meta.properties');
    expect(r.message.en).toContain('remove meta.properties');
    expect(r.message.en).toMatch(/server\.log, line \d+/);

    // The recovery the message gives.
    await sh('bigdata02', 'rm /opt/data/kafka/meta.properties');
    await start('bigdata02');
    expect(await eventually(async () => (await check()).status === 'pass', 120_000)).toBe(true);
  }, 600_000);

  it('names a port that another process holds', async () => {
    await sh('bigdata03', 'kafka-server-stop.sh');
    await waitExited('bigdata03');
    // Something else takes 9092 while the broker is down (a listener the student left running).
    await sh(
      'bigdata03',
      `nohup node -e "require('net').createServer().listen(9092)" >/dev/null 2>&1 & echo $! > /tmp/holder.pid
       for _ in $(seq 1 50); do ss -ltn | grep -q ':9092 ' && exit 0; sleep 0.2; done; exit 1`,
    );
    await start('bigdata03');
    await waitExited('bigdata03');
    const r = await check();
    expect(r.status).toBe('fail');
    expect(r.causes).toEqual(['port-in-use']);
    expect(r.message.en).toContain('The broker on bigdata03');
    expect(r.message.en).toContain('ss -ltnp');
    expect(r.message.en).toMatch(/server\.log, line \d+/);

    await sh('bigdata03', 'kill $(cat /tmp/holder.pid)');
    await start('bigdata03');
    expect(await eventually(async () => (await check()).status === 'pass', 120_000)).toBe(true);
  }, 600_000);
});
