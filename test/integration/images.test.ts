import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execIn } from '../../server/docker/exec.ts';
import type { ExecResult } from '../../server/env/EnvironmentBackend.ts';
import { LABELS } from '../../server/env/labels.ts';
import { SINGLE_BROKER_OVERRIDES } from '../support/kafka.ts';
import { cleanupPrefix, dumpLogsOnFailure, testDocker } from './support/docker.ts';

/**
 * Issue 2's acceptance: the image holds a working Kafka 3.9.2 built from Maven jars and this
 * project's scripts. One server, standalone ZooKeeper, one broker, console producer/consumer.
 */
const PREFIX = 'kltest-images';
const IMAGE = 'kafkalab/node:latest';
const KAFKA = '/opt/apps/kafka';

describe('kafkalab/node image: a single ZooKeeper + broker', () => {
  let docker: Docker;
  let id: string;
  const sh = (script: string, timeoutMs = 60_000): Promise<ExecResult> =>
    execIn(docker, id, ['bash', '-lc', script], { timeoutMs });

  beforeAll(async () => {
    docker = testDocker();
    await cleanupPrefix(docker, PREFIX);
    const labels = { [LABELS.prefix]: PREFIX };
    // An internal network: the broker advertises its hostname, which must resolve, and nothing
    // in this test needs (or gets) a route out.
    const network = await docker.createNetwork({ Name: `${PREFIX}-net`, Internal: true, Labels: labels });
    const container = await docker.createContainer({
      name: `${PREFIX}-bigdata01`,
      Image: IMAGE,
      Hostname: 'bigdata01',
      Env: ['KAFKALAB_ZK_MYID=1', 'KAFKALAB_ZK_SERVERS=bigdata01'],
      Labels: labels,
      HostConfig: { NetworkMode: network.id, Memory: 1024 * 2 ** 20 },
    });
    id = container.id;
    await container.start();
  });

  afterAll(async () => {
    await cleanupPrefix(docker, PREFIX);
  });

  it('unpacks the tarball from /opt/soft and reports version 3.9.2', async () => {
    dumpLogsOnFailure(docker, PREFIX);
    const r = await sh(
      `tar -xzf /opt/soft/kafka_2.13-3.9.2.tgz -C /opt/apps && mv /opt/apps/kafka_2.13-3.9.2 ${KAFKA} && ${KAFKA}/bin/kafka-topics.sh --version`,
    );
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^3\.9\.2\b/m);
  });

  it('moves 10 messages through a broker started with the project scripts, and logs to server.log', async () => {
    dumpLogsOnFailure(docker, PREFIX, async () => (await sh(`tail -n 60 ${KAFKA}/logs/server.log`)).stdout);
    const zk = await sh(
      'for i in $(seq 1 60); do /opt/zookeeper/bin/zkServer.sh status 2>/dev/null | grep -q "Mode: standalone" && exit 0; sleep 0.5; done; exit 1',
    );
    expect(zk.exitCode, 'ZooKeeper reaches standalone mode').toBe(0);

    const start = await sh(
      `cd ${KAFKA} && bin/kafka-server-start.sh -daemon config/server.properties ${SINGLE_BROKER_OVERRIDES}`,
    );
    expect(start.exitCode).toBe(0);
    const started = await sh(
      `for i in $(seq 1 120); do grep -q 'started (kafka.server.KafkaServer)' ${KAFKA}/logs/server.log 2>/dev/null && exit 0; sleep 0.5; done; exit 1`,
    );
    expect(started.exitCode, 'broker logs that it started').toBe(0);

    const create = await sh(
      `${KAFKA}/bin/kafka-topics.sh --bootstrap-server bigdata01:9092 --create --topic smoke --partitions 1 --replication-factor 1`,
    );
    expect(create.stdout).toContain('Created topic smoke');

    const produce = await sh(
      `seq 1 10 | ${KAFKA}/bin/kafka-console-producer.sh --bootstrap-server bigdata01:9092 --topic smoke`,
    );
    expect(produce.exitCode).toBe(0);
    const consume = await sh(
      `${KAFKA}/bin/kafka-console-consumer.sh --bootstrap-server bigdata01:9092 --topic smoke --from-beginning --max-messages 10 --timeout-ms 60000`,
      90_000,
    );
    expect(consume.stdout.trim().split('\n')).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(consume.stderr).toContain('Processed a total of 10 messages');

    const log = await sh(`wc -l < ${KAFKA}/logs/server.log && grep -c 'INFO' ${KAFKA}/logs/server.log`);
    const [lines = 0, infos = 0] = log.stdout.trim().split('\n').map(Number);
    expect(lines).toBeGreaterThan(20);
    expect(infos).toBeGreaterThan(10);

    const stop = await sh(
      `${KAFKA}/bin/kafka-server-stop.sh && for i in $(seq 1 60); do pgrep -f '[k]afka.Kafka' >/dev/null || exit 0; sleep 0.5; done; exit 1`,
    );
    expect(stop.exitCode, 'kafka-server-stop.sh stops the broker').toBe(0);
  });
});
