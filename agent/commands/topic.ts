/**
 * `topic <name>`: one topic's partitions, replication factor, explicit configs and how many
 * records it holds (what `kafka-get-offsets.sh` adds up, without starting a JVM).
 */
import { LiveCluster } from '../cluster.ts';
import type { CommandContext, CommandOutcome } from '../command.ts';
import { shapePartitions } from '../shape.ts';
import { lookupTopic } from '../topicLookup.ts';
import { ResourceType } from '../wire/kafkaProtocol.ts';
import { partitionRanges } from './messages.ts';

/** ConfigSource DYNAMIC_TOPIC_CONFIG: set on this topic. */
const TOPIC_CONFIG_SOURCE = 1;

/** Runs `topic`; an absent topic is an answer (exists:false). */
export async function topicCommand(
  command: { name: 'topic'; topic: string },
  ctx: CommandContext,
): Promise<CommandOutcome> {
  const cluster = new LiveCluster(ctx.options, ctx.deadline);
  ctx.defer(() => cluster.close());
  const name = command.topic;
  const found = await ctx.deadline.race(lookupTopic(cluster, name, ctx.deadline), `looking up topic ${name}`);
  if (found === null) {
    return {
      doc: { name, exists: false, partitions: [], replicationFactor: null, configs: {}, records: null },
    };
  }
  const partitions = shapePartitions(found.topic);
  const [configs, records] = await Promise.all([
    ctx.deadline.race(topicConfigs(cluster, name), `configs of ${name}`),
    ctx.deadline.race(recordCount(cluster, found), `offsets of ${name}`),
  ]);
  return {
    doc: {
      name,
      exists: true,
      partitions,
      // Partitions can differ after a manual reassignment; report the largest, as a check expects.
      replicationFactor: Math.max(0, ...partitions.map((p) => p.replicas.length)),
      configs,
      records,
    },
  };
}

/** Records between log start and end over all partitions; null when a partition has no leader. */
async function recordCount(
  cluster: LiveCluster,
  found: NonNullable<Awaited<ReturnType<typeof lookupTopic>>>,
): Promise<number | null> {
  try {
    const ranges = await partitionRanges(cluster, found.meta, found.topic);
    let total = 0;
    for (const r of ranges.values()) total += r.end - r.start;
    return total;
  } catch {
    return null;
  }
}

/**
 * Configs set on the topic itself (`--config` at creation, `kafka-configs.sh --alter`), which is
 * what `kafka-topics.sh --describe` lists; broker-wide settings and defaults are left out.
 */
export async function topicConfigs(
  cluster: LiveCluster,
  name: string,
): Promise<Record<string, string | null>> {
  const entries = await cluster.describeConfigs(ResourceType.topic, name, null);
  return Object.fromEntries(
    entries
      .filter((e) => e.source === TOPIC_CONFIG_SOURCE)
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((e) => [e.name, e.isSensitive ? null : e.value]),
  );
}
