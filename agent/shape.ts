/**
 * Pure functions that turn protocol answers into the agent's documents: sorting, merging live
 * and registered brokers, decoding member assignments and computing lag.
 */
import kafkajs from 'kafkajs';
import type { GroupDescription, MetadataBroker, MetadataTopic } from './wire/kafkaProtocol.ts';
import type { ZkBroker } from './zkView.ts';
import type {
  BrokerInfo,
  GroupInfo,
  GroupOffset,
  MemberAssignment,
  MemberInfo,
  PartitionInfo,
  TopicInfo,
} from './types.ts';

/** Committed offsets per topic, as kafkajs's admin.fetchOffsets shapes them ("-1" = none). */
export type CommittedOffsets = Array<{
  topic: string;
  partitions: Array<{ partition: number; offset: string }>;
}>;

/** Latest offsets keyed by `partitionKey(topic, partition)`. */
export type EndOffsets = ReadonlyMap<string, number>;

/** The key used for per-partition maps. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

const byNumber = (a: number, b: number): number => a - b;
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Metadata partitions in the agent's shape, sorted by number. */
export function shapePartitions(topic: MetadataTopic): PartitionInfo[] {
  return topic.partitions
    .map((p) => ({
      partition: p.partition,
      leader: p.leader >= 0 ? p.leader : -1,
      replicas: [...p.replicas],
      isr: [...p.isr],
      offline: [...p.offline],
    }))
    .sort((a, b) => a.partition - b.partition);
}

/** Topics sorted by name with their partitions; internal means the name starts with "__". */
export function shapeTopics(topics: readonly MetadataTopic[]): TopicInfo[] {
  return topics
    .map((t) => ({ name: t.name, internal: t.name.startsWith('__'), partitions: shapePartitions(t) }))
    .sort((a, b) => byString(a.name, b.name));
}

/**
 * Live brokers (up) plus every id ZooKeeper registered or a replica list names that is not live
 * (down), sorted by id. A broker that stopped cleanly deregisters from ZooKeeper, so replica
 * lists are often the only trace of it; its address then comes from ZooKeeper when known.
 */
export function mergeBrokers(
  live: readonly MetadataBroker[],
  registered: readonly ZkBroker[] | null,
  referencedIds: Iterable<number>,
): BrokerInfo[] {
  const out = new Map<number, BrokerInfo>();
  for (const b of live) out.set(b.nodeId, { id: b.nodeId, host: b.host, port: b.port, up: true });
  for (const r of registered ?? []) {
    if (!out.has(r.id)) out.set(r.id, { id: r.id, host: r.host, port: r.port, up: false });
  }
  for (const id of referencedIds) {
    if (id >= 0 && !out.has(id)) out.set(id, { id, host: null, port: null, up: false });
  }
  return [...out.values()].sort((a, b) => a.id - b.id);
}

/** Every replica id of every partition. */
export function replicaIds(topics: readonly TopicInfo[]): Set<number> {
  const ids = new Set<number>();
  for (const t of topics) for (const p of t.partitions) for (const r of p.replicas) ids.add(r);
  return ids;
}

/**
 * A member's assignment. Only the "consumer" protocol has a format kafkajs (and the agent)
 * understands; anything else, or bytes that do not decode, shows as no assignment.
 */
export function decodeAssignment(protocolType: string, bytes: Buffer | null | undefined): MemberAssignment[] {
  if (protocolType !== 'consumer' || !bytes || bytes.length === 0) return [];
  try {
    const decoded = kafkajs.AssignerProtocol.MemberAssignment.decode(bytes);
    if (!decoded) return [];
    return Object.entries(decoded.assignment)
      .map(([topic, partitions]) => ({ topic, partitions: [...partitions].sort(byNumber) }))
      .sort((a, b) => byString(a.topic, b.topic));
  } catch {
    return [];
  }
}

/** end - committed, or null when nothing is committed or the end is unknown. Never negative. */
export function computeLag(committed: number, end: number | null): number | null {
  if (committed < 0 || end === null) return null;
  // After a topic is truncated (retention, DeleteRecords) a stale commit can pass the end.
  return Math.max(0, end - committed);
}

/** Sum of the known lags; partitions with unknown lag are left out, not counted as zero lag. */
export function totalLag(offsets: readonly GroupOffset[]): number {
  return offsets.reduce((sum, o) => sum + (o.lag ?? 0), 0);
}

/**
 * The offsets table of a group: every committed partition plus every assigned one (a new member
 * has an assignment before its first commit), sorted by topic and partition.
 */
export function groupOffsets(
  committed: CommittedOffsets,
  members: readonly MemberInfo[],
  ends: EndOffsets,
): GroupOffset[] {
  const rows = new Map<string, { topic: string; partition: number; committed: number }>();
  for (const t of committed) {
    for (const p of t.partitions) {
      const offset = Number(p.offset);
      rows.set(partitionKey(t.topic, p.partition), {
        topic: t.topic,
        partition: p.partition,
        committed: Number.isFinite(offset) ? offset : -1,
      });
    }
  }
  for (const m of members) {
    for (const a of m.assignments) {
      for (const partition of a.partitions) {
        const key = partitionKey(a.topic, partition);
        if (!rows.has(key)) rows.set(key, { topic: a.topic, partition, committed: -1 });
      }
    }
  }
  return [...rows.entries()]
    .map(([key, row]) => {
      const end = ends.get(key) ?? null;
      return { ...row, end, lag: computeLag(row.committed, end) };
    })
    .sort((a, b) => byString(a.topic, b.topic) || a.partition - b.partition);
}

/** A group's members sorted by id, with hosts cleaned and assignments decoded. */
export function shapeMembers(desc: GroupDescription): MemberInfo[] {
  return desc.members
    .map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      host: m.clientHost.replace(/^\//, ''), // Kafka reports hosts as "/10.0.0.2"
      assignments: decodeAssignment(desc.protocolType, m.memberAssignment),
    }))
    .sort((a, b) => byString(a.memberId, b.memberId));
}

/** A group description plus its offsets, in the agent's shape. */
export function shapeGroup(
  desc: GroupDescription,
  members: MemberInfo[],
  committed: CommittedOffsets,
  ends: EndOffsets,
): GroupInfo {
  const offsets = groupOffsets(committed, members, ends);
  return {
    groupId: desc.groupId,
    state: desc.state,
    protocolType: desc.protocolType,
    members,
    offsets,
    totalLag: totalLag(offsets),
  };
}

/** Topic-partitions whose end offsets a set of groups needs. */
export function partitionsNeeded(
  committed: Iterable<CommittedOffsets>,
  members: Iterable<readonly MemberInfo[]>,
): Array<{ topic: string; partition: number }> {
  const seen = new Map<string, { topic: string; partition: number }>();
  for (const c of committed) {
    for (const t of c)
      for (const p of t.partitions)
        seen.set(partitionKey(t.topic, p.partition), { topic: t.topic, partition: p.partition });
  }
  for (const ms of members) {
    for (const m of ms) {
      for (const a of m.assignments)
        for (const p of a.partitions) seen.set(partitionKey(a.topic, p), { topic: a.topic, partition: p });
    }
  }
  return [...seen.values()];
}
