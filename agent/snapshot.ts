/**
 * The live picture of a cluster, assembled from whatever answers. Partial failure is normal
 * here (a stopped broker, ZooKeeper down, Kafka not installed yet), so every step that can fail
 * on its own is caught and reported in `errors` instead of failing the whole document.
 */
import { messageOf } from './errors.ts';
import { AGENT_GROUP_PREFIX } from './kafka.ts';
import {
  mergeBrokers,
  partitionKey,
  partitionsNeeded,
  replicaIds,
  shapeGroup,
  shapeMembers,
  shapeTopics,
  type CommittedOffsets,
} from './shape.ts';
import type { GroupInfo, Snapshot } from './types.ts';
import {
  KafkaErr,
  kafkaErrorName,
  type GroupDescription,
  type ListGroupsResponse,
  type ListOffsetsPartition,
  type MetadataBroker,
  type MetadataResponse,
} from './wire/kafkaProtocol.ts';
import type { ZkBroker } from './zkView.ts';

/**
 * Everything the snapshot asks of a cluster. The live implementation combines the agent's own
 * wire client and ZooKeeper; tests use fakes named for the situation they play.
 */
export interface ClusterSource {
  /** Cluster metadata for `topics` (null = all) from any live broker; throws when none answers. */
  metadata(topics: readonly string[] | null): Promise<MetadataResponse>;
  /** Groups one broker coordinates. */
  listGroups(broker: MetadataBroker): Promise<ListGroupsResponse>;
  /** Descriptions of groups (state "Dead" for unknown ids). */
  describeGroups(groupIds: string[]): Promise<GroupDescription[]>;
  /** Committed offsets of one group. */
  fetchOffsets(groupId: string): Promise<CommittedOffsets>;
  /** Latest offsets of partitions, asked of their leader. */
  latestOffsets(
    leader: MetadataBroker,
    partitions: Array<{ topic: string; partition: number }>,
  ): Promise<ListOffsetsPartition[]>;
  /** Brokers registered in ZooKeeper; throws when ZooKeeper is unreachable. */
  registeredBrokers(): Promise<ZkBroker[]>;
  /** Broker ids in ZooKeeper's replica assignments; throws when ZooKeeper is unreachable. */
  assignedBrokerIds(): Promise<number[]>;
}

/** Groups plus what went wrong collecting them. */
export interface GroupsResult {
  groups: GroupInfo[];
  errors: string[];
}

/** Options of takeSnapshot. */
export interface SnapshotOptions {
  /** The clock for `at`. */
  now?: () => Date;
  /** Bounds each independent step (e.g. by the command's deadline) so one slow part degrades alone. */
  limit?: <T>(work: Promise<T>, what: string) => Promise<T>;
}

/** Builds the `snapshot` document. Never throws for cluster trouble; see `errors`. */
export async function takeSnapshot(src: ClusterSource, options: SnapshotOptions = {}): Promise<Snapshot> {
  const limit = options.limit ?? (<T>(work: Promise<T>): Promise<T> => work);
  const kafkaErrors: string[] = [];
  const zkErrors: string[] = [];
  const [meta, registered] = await Promise.all([
    limit(src.metadata(null), 'reading cluster metadata').catch((err: unknown) => {
      kafkaErrors.push(`kafka: ${messageOf(err)}`);
      return null;
    }),
    limit(src.registeredBrokers(), 'reading broker registrations').catch((err: unknown) => {
      zkErrors.push(`zookeeper: ${messageOf(err)}`);
      return null;
    }),
  ]);
  const at = (options.now ?? (() => new Date()))().toISOString();

  if (meta === null) {
    // "Cluster down" is an answer, not an agent failure: name the brokers ZooKeeper remembers.
    const assigned =
      registered === null
        ? []
        : await limit(src.assignedBrokerIds(), 'reading replica assignments').catch(() => []);
    return {
      at,
      brokers: mergeBrokers([], registered, assigned),
      controller: null,
      topics: [],
      groups: [],
      errors: [...kafkaErrors, ...zkErrors],
    };
  }

  const topics = shapeTopics(meta.topics);
  const groups = await limit(collectGroups(src, meta), 'reading consumer groups').catch(
    (err: unknown): GroupsResult => ({ groups: [], errors: [`groups: ${messageOf(err)}`] }),
  );
  return {
    at,
    brokers: mergeBrokers(meta.brokers, registered, replicaIds(topics)),
    controller: meta.controllerId >= 0 ? meta.controllerId : null,
    topics,
    groups: groups.groups,
    errors: [...kafkaErrors, ...zkErrors, ...groups.errors],
  };
}

/** Whether a group is one of the agent's own short-lived consumers. */
export function isAgentGroup(groupId: string): boolean {
  return groupId.startsWith(AGENT_GROUP_PREFIX);
}

/**
 * Every consumer group with members, offsets and lag. ListGroups goes to each live broker
 * separately, so one that fails (e.g. just stopping) costs only its own groups.
 */
export async function collectGroups(src: ClusterSource, meta: MetadataResponse): Promise<GroupsResult> {
  const errors: string[] = [];
  const listed = await Promise.all(
    meta.brokers.map(async (b) => {
      try {
        const res = await src.listGroups(b);
        if (res.errorCode !== KafkaErr.none) {
          errors.push(`broker ${b.nodeId}: listing groups failed: ${kafkaErrorName(res.errorCode)}`);
        }
        return res.groups;
      } catch (err) {
        errors.push(`broker ${b.nodeId}: listing groups failed: ${messageOf(err)}`);
        return [];
      }
    }),
  );
  const ids = [...new Set(listed.flat().map((g) => g.groupId))].filter((id) => !isAgentGroup(id)).sort();
  if (ids.length === 0) return { groups: [], errors };
  const described = await describeWithOffsets(src, meta, ids, errors);
  return { groups: described, errors };
}

/**
 * Describes `ids` and attaches committed and end offsets. Failures add to `errors`; a group
 * whose offsets could not be read is still shown with its members.
 */
export async function describeWithOffsets(
  src: ClusterSource,
  meta: MetadataResponse,
  ids: string[],
  errors: string[],
): Promise<GroupInfo[]> {
  let descriptions: GroupDescription[];
  try {
    descriptions = await src.describeGroups(ids);
  } catch (err) {
    errors.push(`describing groups failed: ${messageOf(err)}`);
    return [];
  }
  const committed = await Promise.all(
    descriptions.map(async (d): Promise<CommittedOffsets> => {
      if (d.state === 'Dead') return [];
      try {
        return await src.fetchOffsets(d.groupId);
      } catch (err) {
        errors.push(`group ${d.groupId}: reading committed offsets failed: ${messageOf(err)}`);
        return [];
      }
    }),
  );
  const members = descriptions.map(shapeMembers);
  const ends = await endOffsets(src, meta, partitionsNeeded(committed, members), errors);
  return descriptions
    .map((d, i) => shapeGroup(d, members[i] ?? [], committed[i] ?? [], ends))
    .sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
}

/**
 * Latest offsets, one ListOffsets per leader. Partitions without a leader (or of topics that no
 * longer exist) stay unknown, and so does their lag.
 */
export async function endOffsets(
  src: ClusterSource,
  meta: MetadataResponse,
  wanted: Array<{ topic: string; partition: number }>,
  errors: string[],
): Promise<Map<string, number>> {
  const leaders = new Map<string, number>();
  for (const t of meta.topics)
    for (const p of t.partitions) leaders.set(partitionKey(t.name, p.partition), p.leader);
  const brokers = new Map(meta.brokers.map((b) => [b.nodeId, b]));
  const byLeader = new Map<number, Array<{ topic: string; partition: number }>>();
  for (const tp of wanted) {
    const leader = leaders.get(partitionKey(tp.topic, tp.partition)) ?? -1;
    if (leader < 0 || !brokers.has(leader)) continue;
    const list = byLeader.get(leader) ?? [];
    list.push(tp);
    byLeader.set(leader, list);
  }
  const ends = new Map<string, number>();
  await Promise.all(
    [...byLeader].map(async ([leader, partitions]) => {
      const broker = brokers.get(leader);
      if (!broker) return;
      try {
        for (const r of await src.latestOffsets(broker, partitions)) {
          if (r.errorCode === KafkaErr.none) ends.set(partitionKey(r.topic, r.partition), r.offset);
        }
      } catch (err) {
        errors.push(`broker ${leader}: reading end offsets failed: ${messageOf(err)}`);
      }
    }),
  );
  return ends;
}
