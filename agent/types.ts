/**
 * The JSON documents the agent prints. The server and the graded checks parse these, so the
 * field names are a contract: change them only together with their readers.
 */

/** A broker: live ones come from cluster metadata, down ones from ZooKeeper or replica lists. */
export interface BrokerInfo {
  id: number;
  host: string | null;
  port: number | null;
  up: boolean;
}

/** A partition as `kafka-topics.sh --describe` shows it; leader -1 when there is none. */
export interface PartitionInfo {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offline: number[];
}

/** A topic; internal when its name starts with "__" (Kafka's own and the agent's). */
export interface TopicInfo {
  name: string;
  internal: boolean;
  partitions: PartitionInfo[];
}

/** Which partitions of which topic a group member consumes. */
export interface MemberAssignment {
  topic: string;
  partitions: number[];
}

/** A member of a consumer group. */
export interface MemberInfo {
  memberId: string;
  clientId: string;
  host: string;
  assignments: MemberAssignment[];
}

/**
 * A partition a group has committed to or is assigned. committed is -1 when nothing is
 * committed; end is null when the partition's leader could not be asked; lag is null unless both
 * are known.
 */
export interface GroupOffset {
  topic: string;
  partition: number;
  committed: number;
  end: number | null;
  lag: number | null;
}

/** A consumer group with members, offsets and lag. */
export interface GroupInfo {
  groupId: string;
  state: string;
  protocolType: string;
  members: MemberInfo[];
  offsets: GroupOffset[];
  totalLag: number;
}

/** The `snapshot` document. */
export interface Snapshot {
  at: string;
  brokers: BrokerInfo[];
  controller: number | null;
  topics: TopicInfo[];
  groups: GroupInfo[];
  errors: string[];
}
