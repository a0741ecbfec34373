/** `broker-config --broker <id> [--key <name>]`: a broker's effective configuration. */
import { LiveCluster } from '../cluster.ts';
import type { CommandContext, CommandOutcome } from '../command.ts';
import { AgentError } from '../errors.ts';
import { DEFAULT_CONFIG_SOURCE, ResourceType } from '../wire/kafkaProtocol.ts';
import type { BrokerConfigEntry } from '../types.ts';

/** Kafka's ConfigEntry.ConfigSource names, by the code DescribeConfigs returns. */
const SOURCES: Record<number, string> = {
  0: 'UNKNOWN',
  1: 'DYNAMIC_TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
  7: 'CLIENT_METRICS_CONFIG',
  8: 'GROUP_CONFIG',
};

/** The name of a DescribeConfigs source code. */
export function sourceName(code: number): string {
  return SOURCES[code] ?? `UNKNOWN_${code}`;
}

/**
 * Runs `broker-config`. Only a running broker can describe its configuration (values from its
 * server.properties are STATIC_BROKER_CONFIG), so a stopped one is `kafka_unreachable`.
 */
export async function brokerConfigCommand(
  command: { name: 'broker-config'; broker: number; key: string | null },
  ctx: CommandContext,
): Promise<CommandOutcome> {
  const cluster = new LiveCluster(ctx.options, ctx.deadline);
  ctx.defer(() => cluster.close());
  const { broker, key } = command;
  const meta = await ctx.deadline.race(cluster.metadata(null), 'reading cluster metadata');
  if (!meta.brokers.some((b) => b.nodeId === broker)) {
    const known = meta.topics.some((t) => t.partitions.some((p) => p.replicas.includes(broker)));
    const registered = await cluster.registeredBrokers().catch(() => []);
    if (known || registered.some((r) => r.id === broker)) {
      throw new AgentError('kafka_unreachable', `broker ${broker} is not running`);
    }
    throw new AgentError(
      'not_found',
      `no broker with id ${broker} (running: ${running(meta.brokers) || 'none'})`,
    );
  }

  const live = meta.brokers.find((b) => b.nodeId === broker);
  const entries = await ctx.deadline.race(
    cluster.describeConfigs(ResourceType.broker, String(broker), key === null ? null : [key], live),
    `configs of broker ${broker}`,
  );
  const configs: Record<string, BrokerConfigEntry> = {};
  for (const e of [...entries].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (key !== null && e.name !== key) continue;
    configs[e.name] = {
      value: e.isSensitive ? null : e.value,
      source: sourceName(e.source),
      isDefault: e.source === DEFAULT_CONFIG_SOURCE,
      readOnly: e.readOnly,
    };
  }
  if (key !== null && !(key in configs)) {
    throw new AgentError('not_found', `broker ${broker} has no config "${key}"`);
  }
  return { doc: { broker, configs } };
}

function running(brokers: ReadonlyArray<{ nodeId: number }>): string {
  return brokers
    .map((b) => b.nodeId)
    .sort((a, b) => a - b)
    .join(', ');
}
