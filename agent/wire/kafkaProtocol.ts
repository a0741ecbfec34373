/**
 * The Kafka requests the agent speaks itself, all in old non-flexible versions that Kafka 2.0
 * through 3.9 accept: Metadata v5, ListOffsets v1, ListGroups v1, FindCoordinator v1,
 * DescribeGroups v1, OffsetFetch v3, DescribeConfigs v1, DeleteGroups v0, CreateTopics v2 and
 * DeleteTopics v1.
 *
 * Why not kafkajs's admin client: it refreshes metadata for *all* topics before most calls and
 * throws the whole answer away when any one partition has no leader. One replication-factor-1
 * topic on a stopped broker would then break groups, configs and clean-up everywhere, exactly in
 * the "a broker is down" lessons the live picture exists for. kafkajs still produces and consumes.
 *
 * Non-flexible encoding: STRING has a 16-bit length, ARRAY a 32-bit count (-1 = null).
 * Request header v1: api_key int16, api_version int16, correlation_id int32, client_id STRING.
 * Response header v0: correlation_id int32.
 */
import { BinaryWriter, type BinaryReader } from './binary.ts';

/** Kafka API keys used here. */
export const ApiKey = {
  listOffsets: 2,
  metadata: 3,
  offsetFetch: 9,
  findCoordinator: 10,
  describeGroups: 15,
  listGroups: 16,
  createTopics: 19,
  deleteTopics: 20,
  describeConfigs: 32,
  deleteGroups: 42,
} as const;

/** Error codes that change what the agent does. */
export const KafkaErr = {
  none: 0,
  unknownTopicOrPartition: 3,
  leaderNotAvailable: 5,
  notLeaderOrFollower: 6,
  coordinatorLoadInProgress: 14,
  coordinatorNotAvailable: 15,
  notCoordinator: 16,
  topicAlreadyExists: 36,
  notController: 41,
} as const;

/** A broker in a Metadata answer: only live (registered) brokers are listed. */
export interface MetadataBroker {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

/** One partition in a Metadata answer; leader is -1 when there is none. */
export interface MetadataPartition {
  errorCode: number;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offline: number[];
}

/** One topic in a Metadata answer. */
export interface MetadataTopic {
  errorCode: number;
  name: string;
  isInternal: boolean;
  partitions: MetadataPartition[];
}

/** A decoded Metadata v5 response. */
export interface MetadataResponse {
  brokers: MetadataBroker[];
  clusterId: string | null;
  /** -1 when the answering broker knows no controller. */
  controllerId: number;
  topics: MetadataTopic[];
}

/** One partition's answer to ListOffsets. */
export interface ListOffsetsPartition {
  topic: string;
  partition: number;
  errorCode: number;
  offset: number;
}

/** One group from ListGroups. */
export interface ListedGroup {
  groupId: string;
  protocolType: string;
}

/** A decoded ListGroups v1 response. */
export interface ListGroupsResponse {
  errorCode: number;
  groups: ListedGroup[];
}

/** Frames a request: header v1 then the body. */
export function encodeRequest(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  clientId: string,
  body: Buffer,
): Buffer {
  return new BinaryWriter()
    .int16(apiKey)
    .int16(apiVersion)
    .int32(correlationId)
    .string16(clientId)
    .raw(body)
    .framed();
}

/** Reads the correlation id of a response frame; the caller matches it to its request. */
export function correlationIdOf(frame: Buffer): number {
  return frame.readInt32BE(0);
}

/**
 * Metadata v5 body: topics ARRAY(STRING) (null = every topic), allow_auto_topic_creation.
 * Auto-creation is always off: looking at a topic must never create it.
 */
export function encodeMetadataV5(topics: readonly string[] | null): Buffer {
  return new BinaryWriter()
    .array(topics, (w, t) => w.string16(t))
    .bool(false)
    .bytes();
}

/** Metadata v5 response body (after the correlation id). */
export function decodeMetadataV5(r: BinaryReader): MetadataResponse {
  r.int32(); // throttle_time_ms
  const brokers = r.array((b) => ({
    nodeId: b.int32(),
    host: b.requiredString16(),
    port: b.int32(),
    rack: b.string16(),
  }));
  const clusterId = r.string16();
  const controllerId = r.int32();
  const topics = r.array((t) => ({
    errorCode: t.int16(),
    name: t.requiredString16(),
    isInternal: t.bool(),
    partitions: t.array((p) => ({
      errorCode: p.int16(),
      partition: p.int32(),
      leader: p.int32(),
      replicas: p.array((x) => x.int32()),
      isr: p.array((x) => x.int32()),
      offline: p.array((x) => x.int32()),
    })),
  }));
  return { brokers, clusterId, controllerId, topics };
}

/** The special ListOffsets timestamps: -1 = the end (next offset to be written), -2 = log start. */
export const OffsetSpec = { latest: -1n, earliest: -2n } as const;

/** ListOffsets v1 body asking each partition's latest (default) or earliest offset. */
export function encodeListOffsetsV1(
  partitions: ReadonlyArray<{ topic: string; partition: number }>,
  spec: bigint = OffsetSpec.latest,
): Buffer {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = byTopic.get(topic) ?? [];
    list.push(partition);
    byTopic.set(topic, list);
  }
  return new BinaryWriter()
    .int32(-1) // replica_id: -1 for a client
    .array([...byTopic], (w, [topic, parts]) =>
      w.string16(topic).array(parts, (w2, p) => w2.int32(p).int64(spec)),
    )
    .bytes();
}

/** ListOffsets v1 response body. */
export function decodeListOffsetsV1(r: BinaryReader): ListOffsetsPartition[] {
  return r
    .array((t) => {
      const topic = t.requiredString16();
      return t.array((p) => {
        const partition = p.int32();
        const errorCode = p.int16();
        p.int64(); // timestamp
        return { topic, partition, errorCode, offset: p.int64n() };
      });
    })
    .flat();
}

/** ListGroups v1 has an empty body. */
export function encodeListGroupsV1(): Buffer {
  return Buffer.alloc(0);
}

/** ListGroups v1 response body. */
export function decodeListGroupsV1(r: BinaryReader): ListGroupsResponse {
  r.int32(); // throttle_time_ms
  const errorCode = r.int16();
  const groups = r.array((g) => ({ groupId: g.requiredString16(), protocolType: g.string16() ?? '' }));
  return { errorCode, groups };
}

/** FindCoordinator v1 body: the group id, key type 0 (group). */
export function encodeFindCoordinatorV1(groupId: string): Buffer {
  return new BinaryWriter().string16(groupId).int8(0).bytes();
}

/** The broker coordinating a group. */
export interface Coordinator {
  errorCode: number;
  nodeId: number;
  host: string;
  port: number;
}

/** FindCoordinator v1 response body. */
export function decodeFindCoordinatorV1(r: BinaryReader): Coordinator {
  r.int32(); // throttle_time_ms
  const errorCode = r.int16();
  r.string16(); // error_message
  return { errorCode, nodeId: r.int32(), host: r.requiredString16(), port: r.int32() };
}

/** A group member; metadata and assignment are the protocol's opaque bytes. */
export interface GroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}

/** A described group; state is "Dead" (with no error) for an id the coordinator does not know. */
export interface GroupDescription {
  errorCode: number;
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMember[];
}

/** DescribeGroups v1 body. */
export function encodeDescribeGroupsV1(groupIds: readonly string[]): Buffer {
  return new BinaryWriter().array(groupIds, (w, id) => w.string16(id)).bytes();
}

/** DescribeGroups v1 response body. */
export function decodeDescribeGroupsV1(r: BinaryReader): GroupDescription[] {
  r.int32(); // throttle_time_ms
  return r.array((g) => ({
    errorCode: g.int16(),
    groupId: g.requiredString16(),
    state: g.string16() ?? '',
    protocolType: g.string16() ?? '',
    protocol: g.string16() ?? '',
    members: g.array((m) => ({
      memberId: m.requiredString16(),
      clientId: m.string16() ?? '',
      clientHost: m.string16() ?? '',
      memberMetadata: m.bytes32() ?? Buffer.alloc(0),
      memberAssignment: m.bytes32() ?? Buffer.alloc(0),
    })),
  }));
}

/** OffsetFetch v3 body: null topics asks for every partition the group committed. */
export function encodeOffsetFetchV3(groupId: string): Buffer {
  return new BinaryWriter().string16(groupId).int32(-1).bytes();
}

/** One committed offset; -1 when none. */
export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  errorCode: number;
}

/** OffsetFetch v3 response body. */
export function decodeOffsetFetchV3(r: BinaryReader): { errorCode: number; offsets: CommittedOffset[] } {
  r.int32(); // throttle_time_ms
  const offsets = r
    .array((t) => {
      const topic = t.requiredString16();
      return t.array((p) => {
        const partition = p.int32();
        const offset = p.int64n();
        p.string16(); // metadata
        return { topic, partition, offset, errorCode: p.int16() };
      });
    })
    .flat();
  return { errorCode: r.int16(), offsets };
}

/** DescribeConfigs resource types. */
export const ResourceType = { topic: 2, broker: 4 } as const;

/** One configuration entry; source is Kafka's ConfigSource code. */
export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  source: number;
  isSensitive: boolean;
}

/** ConfigSource code for defaults; every other source counts as set somewhere. */
export const DEFAULT_CONFIG_SOURCE = 5;

/** DescribeConfigs v1 body for one resource; null keys asks for every config. */
export function encodeDescribeConfigsV1(type: number, name: string, keys: readonly string[] | null): Buffer {
  return new BinaryWriter()
    .array([{ type, name, keys }], (w, res) => {
      w.int8(res.type)
        .string16(res.name)
        .array(res.keys, (w2, k) => w2.string16(k));
    })
    .bool(false) // include_synonyms
    .bytes();
}

/** DescribeConfigs v1 response body (the first resource). */
export function decodeDescribeConfigsV1(r: BinaryReader): {
  errorCode: number;
  errorMessage: string | null;
  entries: ConfigEntry[];
} {
  r.int32(); // throttle_time_ms
  const results = r.array((res) => {
    const errorCode = res.int16();
    const errorMessage = res.string16();
    res.int8(); // resource_type
    res.string16(); // resource_name
    const entries = res.array((c) => {
      const entry = {
        name: c.requiredString16(),
        value: c.string16(),
        readOnly: c.bool(),
        source: c.int8(),
        isSensitive: c.bool(),
      };
      c.array((s) => [s.string16(), s.string16(), s.int8()]); // synonyms (none asked)
      return entry;
    });
    return { errorCode, errorMessage, entries };
  });
  return results[0] ?? { errorCode: -1, errorMessage: 'no result', entries: [] };
}

/** DeleteGroups v0 body. */
export function encodeDeleteGroupsV0(groupIds: readonly string[]): Buffer {
  return new BinaryWriter().array(groupIds, (w, id) => w.string16(id)).bytes();
}

/** DeleteGroups v0 response body: per group, its error code. */
export function decodeDeleteGroupsV0(r: BinaryReader): Array<{ groupId: string; errorCode: number }> {
  r.int32(); // throttle_time_ms
  return r.array((g) => ({ groupId: g.requiredString16(), errorCode: g.int16() }));
}

/** A topic to create with the cluster's default placement. */
export interface NewTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
}

/** CreateTopics v2 body. */
export function encodeCreateTopicsV2(topics: readonly NewTopic[], timeoutMs: number): Buffer {
  return new BinaryWriter()
    .array(topics, (w, t) => {
      w.string16(t.name)
        .int32(t.partitions)
        .int16(t.replicationFactor)
        .int32(0) // no manual assignments: the controller places replicas
        .int32(0); // no configs
    })
    .int32(timeoutMs)
    .bool(false) // validate_only
    .bytes();
}

/** CreateTopics v2 response body. */
export function decodeCreateTopicsV2(
  r: BinaryReader,
): Array<{ name: string; errorCode: number; errorMessage: string | null }> {
  r.int32(); // throttle_time_ms
  return r.array((t) => ({ name: t.requiredString16(), errorCode: t.int16(), errorMessage: t.string16() }));
}

/** DeleteTopics v1 body. */
export function encodeDeleteTopicsV1(names: readonly string[], timeoutMs: number): Buffer {
  return new BinaryWriter()
    .array(names, (w, name) => w.string16(name))
    .int32(timeoutMs)
    .bytes();
}

/** DeleteTopics v1 response body: per topic, its error code. */
export function decodeDeleteTopicsV1(r: BinaryReader): Array<{ name: string; errorCode: number }> {
  r.int32(); // throttle_time_ms
  return r.array((t) => ({ name: t.requiredString16(), errorCode: t.int16() }));
}

/** Names for the error codes a student is likely to meet in messages. */
export function kafkaErrorName(code: number): string {
  const names: Record<number, string> = {
    [-1]: 'UNKNOWN_SERVER_ERROR',
    3: 'UNKNOWN_TOPIC_OR_PARTITION',
    5: 'LEADER_NOT_AVAILABLE',
    6: 'NOT_LEADER_OR_FOLLOWER',
    7: 'REQUEST_TIMED_OUT',
    14: 'COORDINATOR_LOAD_IN_PROGRESS',
    15: 'COORDINATOR_NOT_AVAILABLE',
    16: 'NOT_COORDINATOR',
    17: 'INVALID_TOPIC_EXCEPTION',
    29: 'TOPIC_AUTHORIZATION_FAILED',
    36: 'TOPIC_ALREADY_EXISTS',
    37: 'INVALID_PARTITIONS',
    38: 'INVALID_REPLICATION_FACTOR',
    41: 'NOT_CONTROLLER',
    68: 'NON_EMPTY_GROUP',
    69: 'GROUP_ID_NOT_FOUND',
  };
  return names[code] ?? `error ${code}`;
}
