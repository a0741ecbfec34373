/**
 * Finding one topic by name without ever listing all topics, and without mistaking the moments
 * after `kafka-topics.sh --create` (ZooKeeper knows the topic, brokers' caches do not yet; or
 * partitions have no leader yet) for "no such topic" or "partition offline".
 */
import type { Deadline } from './deadline.ts';
import { AgentError } from './errors.ts';
import { KafkaErr, kafkaErrorName, type MetadataResponse, type MetadataTopic } from './wire/kafkaProtocol.ts';

/** What topic lookup needs from a cluster. */
export interface TopicSource {
  metadata(topics: readonly string[] | null): Promise<MetadataResponse>;
  /** Whether ZooKeeper has the topic; null when ZooKeeper cannot be asked. */
  topicRegistered(topic: string): Promise<boolean | null>;
}

/** How long to wait for a fresh topic's metadata to settle (ms). */
export const SETTLE_MS = 5000;
const POLL_MS = 250;

/**
 * True when some leaderless partition still has a live replica that could become leader:
 * worth waiting for. A partition whose replicas are all on stopped brokers stays offline, so
 * waiting would only delay the answer.
 */
export function leaderExpected(topic: MetadataTopic, liveIds: ReadonlySet<number>): boolean {
  return topic.partitions.some((p) => p.leader < 0 && p.replicas.some((r) => liveIds.has(r)));
}

/** The topic's metadata, or null when it does not exist. */
export async function lookupTopic(
  src: TopicSource,
  name: string,
  deadline: Deadline,
  now: () => number = Date.now,
): Promise<{ topic: MetadataTopic; meta: MetadataResponse } | null> {
  const started = now();
  const settling = (): boolean => now() - started < SETTLE_MS && deadline.remaining() > POLL_MS;
  let unknownWithoutZk = 0;
  for (;;) {
    const meta = await src.metadata([name]);
    const topic = meta.topics.find((t) => t.name === name);
    const liveIds = new Set(meta.brokers.map((b) => b.nodeId));

    if (topic === undefined || topic.errorCode === KafkaErr.unknownTopicOrPartition) {
      const registered = await src.topicRegistered(name);
      if (registered === false) return null;
      // ZooKeeper cannot be asked: a few quick retries cover the common creation race.
      if (registered === null && ++unknownWithoutZk >= 3) return null;
      if (!settling()) return null;
    } else if (topic.errorCode === KafkaErr.leaderNotAvailable) {
      if (!settling()) return { topic, meta };
    } else if (topic.errorCode !== KafkaErr.none) {
      throw new AgentError('kafka_error', `metadata for ${name}: ${kafkaErrorName(topic.errorCode)}`);
    } else if (leaderExpected(topic, liveIds) && settling()) {
      // fall through to wait: leaders are being elected
    } else {
      return { topic, meta };
    }
    await deadline.sleep(POLL_MS);
  }
}
