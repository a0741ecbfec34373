/**
 * `messages --topic T [--max N]`: every message of a topic from the beginning to the end offsets
 * seen at the start. kafkajs consumers need a group, so a throwaway one is used, never
 * committed to, and deleted afterwards so students never find it in `kafka-consumer-groups.sh`.
 */
import { randomBytes } from 'node:crypto';
import { LiveCluster } from '../cluster.ts';
import type { CommandContext, CommandOutcome } from '../command.ts';
import { MessageCollector, type PartitionRange } from '../collector.ts';
import { AgentError, asKafkaError } from '../errors.ts';
import { AGENT_GROUP_PREFIX, createKafka } from '../kafka.ts';
import { lookupTopic } from '../topicLookup.ts';
import {
  KafkaErr,
  kafkaErrorName,
  OffsetSpec,
  type MetadataResponse,
  type MetadataTopic,
} from '../wire/kafkaProtocol.ts';

/** Runs `messages`. */
export async function messagesCommand(
  command: { name: 'messages'; topic: string; max: number },
  ctx: CommandContext,
): Promise<CommandOutcome> {
  const { deadline } = ctx;
  const cluster = new LiveCluster(ctx.options, deadline);
  ctx.defer(() => cluster.close());
  const { topic, max } = command;
  const found = await deadline.race(lookupTopic(cluster, topic, deadline), `looking up topic ${topic}`);
  if (found === null) return { doc: { topic, exists: false, count: 0, truncated: false, messages: [] } };

  const ranges = await deadline.race(
    partitionRanges(cluster, found.meta, found.topic),
    `offsets of ${topic}`,
  );
  const collector = new MessageCollector(ranges, max);
  if (collector.complete) return { doc: { topic, exists: true, ...collector.result() } };

  const groupId = `${AGENT_GROUP_PREFIX}_${randomBytes(6).toString('hex')}`;
  const consumer = createKafka(cluster.liveBrokers, deadline).consumer({
    groupId,
    allowAutoTopicCreation: false,
    // The broker's minimum session is 6 s; 10 s is plenty for a read of a few seconds.
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 1_000,
    // Without this a fetch at a partition's end waits 5 s for data that will not come.
    maxWaitTimeInMs: 250,
    retry: { retries: 2, initialRetryTime: 150, restartOnFailure: () => Promise.resolve(false) },
  });
  ctx.defer(async () => {
    await consumer.disconnect();
    // The group is Empty once the consumer left; deleting it leaves no trace of this read.
    await cluster.deleteGroup(groupId);
  });

  const done = new Promise<void>((resolve, reject) => {
    consumer.on(consumer.events.CRASH, (event) =>
      reject(asKafkaError(event.payload.error, `reading ${topic}`)),
    );
    consumer
      .connect()
      .then(() => consumer.subscribe({ topics: [topic], fromBeginning: true }))
      .then(() =>
        consumer.run({
          autoCommit: false,
          eachBatch: ({ batch }) => {
            collector.addBatch(batch.partition, batch.messages, Number(batch.lastOffset()));
            if (collector.complete) resolve();
            return Promise.resolve();
          },
        }),
      )
      .catch((err: unknown) => reject(asKafkaError(err, `reading ${topic}`)));
  });
  await deadline.race(done, `reading messages of ${topic}`);
  return { doc: { topic, exists: true, ...collector.result() } };
}

/**
 * [log start, end) per partition, asked of each partition's leader. A partition without a
 * leader cannot be read at all, and a silent gap would make a message check lie.
 */
export async function partitionRanges(
  cluster: LiveCluster,
  meta: MetadataResponse,
  topic: MetadataTopic,
): Promise<Map<number, PartitionRange>> {
  const brokers = new Map(meta.brokers.map((b) => [b.nodeId, b]));
  const offline = topic.partitions.filter((p) => !brokers.has(p.leader)).map((p) => p.partition);
  if (offline.length > 0) {
    throw new AgentError(
      'partition_offline',
      `partition${offline.length > 1 ? 's' : ''} ${offline.join(', ')} of ${topic.name} ha${offline.length > 1 ? 've' : 's'} no leader`,
    );
  }
  const byLeader = new Map<number, Array<{ topic: string; partition: number }>>();
  for (const p of topic.partitions) {
    const list = byLeader.get(p.leader) ?? [];
    list.push({ topic: topic.name, partition: p.partition });
    byLeader.set(p.leader, list);
  }
  const ranges = new Map<number, PartitionRange>();
  await Promise.all(
    [...byLeader].map(async ([leader, partitions]) => {
      const broker = brokers.get(leader);
      if (!broker) return;
      const [starts, ends] = await Promise.all([
        cluster.wire.listOffsets(broker, partitions, OffsetSpec.earliest),
        cluster.wire.listOffsets(broker, partitions, OffsetSpec.latest),
      ]);
      for (const s of starts) {
        const e = ends.find((x) => x.partition === s.partition);
        const failed = s.errorCode !== KafkaErr.none ? s.errorCode : (e?.errorCode ?? KafkaErr.none);
        if (failed !== KafkaErr.none || e === undefined) {
          throw new AgentError(
            'kafka_error',
            `offsets of ${topic.name}-${s.partition}: ${kafkaErrorName(failed)}`,
          );
        }
        ranges.set(s.partition, { start: s.offset, end: e.offset });
      }
    }),
  );
  return ranges;
}
