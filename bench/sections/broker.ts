import type Docker from 'dockerode';
import { execIn } from '../../server/docker/exec.ts';
import { LABELS } from '../../server/env/labels.ts';
import { SINGLE_BROKER_OVERRIDES } from '../../test/support/kafka.ts';
import { median, round } from '../stats.ts';
import type { Section } from '../types.ts';

const PREFIX = 'klbench-broker';
const KAFKA = '/opt/apps/kafka';
const IDLE_SECONDS = 30;

/** Upstream's kafka-server-start.sh heap and kafka-run-class.sh JVM options. */
const UPSTREAM =
  'KAFKA_HEAP_OPTS="-Xmx1G -Xms1G" KAFKA_JVM_PERFORMANCE_OPTS="-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 ' +
  '-XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true"';

async function cleanup(docker: Docker): Promise<void> {
  const filters = JSON.stringify({ label: [`${LABELS.prefix}=${PREFIX}`] });
  for (const c of await docker.listContainers({ all: true, filters }))
    await docker.getContainer(c.Id).remove({ force: true });
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove();
}

/** One broker in one container: start time and idle RSS, project defaults vs upstream's heap and GC. */
export const brokerSection: Section = {
  name: 'broker',
  describe: `one broker + standalone ZooKeeper in kafkalab/node: start time, RSS after ${IDLE_SECONDS} s idle`,
  async run(ctx) {
    const { docker } = ctx.runtime;
    await cleanup(docker);
    const labels = { [LABELS.prefix]: PREFIX };
    const net = await docker.createNetwork({ Name: `${PREFIX}-net`, Internal: true, Labels: labels });
    const container = await docker.createContainer({
      name: `${PREFIX}-bigdata01`,
      Image: `${ctx.config.imageRepo}:latest`,
      Hostname: 'bigdata01',
      Env: ['KAFKALAB_ZK_MYID=1', 'KAFKALAB_ZK_SERVERS=bigdata01'],
      Labels: labels,
      HostConfig: { NetworkMode: net.id, Memory: 2 * 2 ** 30 },
    });
    await container.start();
    const sh = async (script: string, timeoutMs = 120_000): Promise<string> => {
      const r = await execIn(docker, container.id, ['bash', '-lc', script], { timeoutMs });
      if (r.exitCode !== 0)
        throw new Error(`bench step failed (${r.exitCode}): ${script}\n${r.stdout}${r.stderr}`);
      return r.stdout.trim();
    };
    try {
      await sh(
        `tar -xzf /opt/soft/kafka_2.13-3.9.2.tgz -C /opt/apps && mv /opt/apps/kafka_2.13-3.9.2 ${KAFKA}`,
      );
      await sh(
        'for i in $(seq 1 60); do /opt/zookeeper/bin/zkServer.sh status 2>/dev/null | grep -q standalone && exit 0; sleep 0.5; done; exit 1',
      );
      const results: Record<string, { start: number[]; rss: number[] }> = {
        ours: { start: [], rss: [] },
        upstream: { start: [], rss: [] },
      };
      for (let i = 0; i < ctx.runs; i++) {
        for (const variant of ['ours', 'upstream'] as const) {
          const env = variant === 'upstream' ? UPSTREAM : '';
          // Launch, then poll server.log for the "started" line; both times come from the container's clock.
          // kafka-server-start.sh -daemon prints a line of its own; the time is the last line.
          const ms = Number(
            (
              await sh(
                `rm -rf /opt/data/kafka ${KAFKA}/logs; t0=$(date +%s%3N); cd ${KAFKA} && ${env} bin/kafka-server-start.sh -daemon config/server.properties ${SINGLE_BROKER_OVERRIDES}; ` +
                  `for i in $(seq 1 600); do grep -q 'started (kafka.server.KafkaServer)' logs/server.log 2>/dev/null && break; sleep 0.05; done; echo $(( $(date +%s%3N) - t0 ))`,
              )
            )
              .split('\n')
              .at(-1),
          );
          await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
          const rssKb = Number(await sh(`ps -o rss= -p $(pgrep -f '[k]afka\\.Kafka')`));
          await sh(
            `bin/kafka-server-stop.sh >/dev/null; for i in $(seq 1 120); do pgrep -f '[k]afka\\.Kafka' >/dev/null || exit 0; sleep 0.25; done; exit 1`.replace(
              'bin/',
              `${KAFKA}/bin/`,
            ),
          );
          results[variant]?.start.push(ms);
          results[variant]?.rss.push(rssKb / 1024);
          ctx.log(`${variant} run ${i + 1}: started in ${ms} ms, RSS ${(rssKb / 1024).toFixed(0)} MiB`);
        }
      }
      const ours = results.ours ?? { start: [], rss: [] };
      const up = results.upstream ?? { start: [], rss: [] };
      return [
        {
          name: 'broker start (ours)',
          value: median(ours.start),
          unit: 'ms',
          runs: ours.start,
          note: '-Xmx256m, SerialGC, C1',
        },
        {
          name: 'broker start (upstream heap)',
          value: median(up.start),
          unit: 'ms',
          runs: up.start,
          note: '-Xmx1G -Xms1G, G1',
        },
        { name: 'broker RSS idle (ours)', value: round(median(ours.rss), 0), unit: 'MiB', runs: ours.rss },
        {
          name: 'broker RSS idle (upstream heap)',
          value: round(median(up.rss), 0),
          unit: 'MiB',
          runs: up.rss,
        },
        { name: 'RSS upstream / ours', value: round(median(up.rss) / median(ours.rss), 2), unit: 'x' },
      ];
    } finally {
      await cleanup(docker);
    }
  },
};
