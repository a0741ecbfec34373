/** `topic <name>`: one topic's partitions, replication factor and explicit configs. */
import { LiveCluster } from '../cluster.ts';
import type { CommandContext, CommandOutcome } from '../command.ts';
import { shapePartitions } from '../shape.ts';
import { lookupTopic } from '../topicLookup.ts';
import { ResourceType } from '../wire/kafkaProtocol.ts';

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
    return { doc: { name, exists: false, partitions: [], replicationFactor: null, configs: {} } };
  }
  const partitions = shapePartitions(found.topic);
  const configs = await ctx.deadline.race(topicConfigs(cluster, name), `configs of ${name}`);
  return {
    doc: {
      name,
      exists: true,
      partitions,
      // Partitions can differ after a manual reassignment; report the largest, as a check expects.
      replicationFactor: Math.max(0, ...partitions.map((p) => p.replicas.length)),
      configs,
    },
  };
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
