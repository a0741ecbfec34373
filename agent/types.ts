/**
 * The JSON documents the agent prints. The server and the graded checks parse these, so the
 * field names are a contract: change them only together with their readers.
 */
import type { Cause } from './causes.ts';

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

/** The `topic <name>` document; an absent topic is `exists: false`, not an error. */
export interface TopicDoc {
  name: string;
  exists: boolean;
  partitions: PartitionInfo[];
  /** The largest replica count over the partitions; null when the topic does not exist. */
  replicationFactor: number | null;
  /** Configs set on the topic itself (not broker defaults). */
  configs: Record<string, string>;
  /** Records from log start to end, all partitions; null when a partition has no leader. */
  records: number | null;
}

/** One message as `messages` prints it. */
export interface MessageInfo {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
  headers: Record<string, string | string[]>;
}

/** The `messages --topic <t> --max <n>` document. */
export interface MessagesDoc {
  topic: string;
  exists: boolean;
  count: number;
  /** More messages exist than were read. */
  truncated: boolean;
  messages: MessageInfo[];
}

/** The `groups` document; partial trouble (one broker not listing) is in `errors`. */
export interface GroupsDoc {
  groups: GroupInfo[];
  errors: string[];
}

/** The `group <id>` document; an unknown group is `exists: false` in state Dead. */
export interface GroupDoc extends GroupInfo {
  exists: boolean;
}

/** The `zk ls <path>` document. */
export interface ZkLsDoc {
  path: string;
  exists: boolean;
  children: string[];
}

/** A znode's stat as `zk get` prints it (the owner session as hex, as zkCli shows it). */
export interface ZkStat {
  version: number;
  numChildren: number;
  ctime: number;
  mtime: number;
  ephemeralOwner: string;
}

/** The `zk get <path>` document. */
export interface ZkGetDoc {
  path: string;
  exists: boolean;
  data: string | null;
  stat: ZkStat | null;
}

/** One broker config; value is null for unset and sensitive entries. */
export interface BrokerConfigEntry {
  value: string | null;
  source: string;
  isDefault: boolean;
  readOnly: boolean;
}

/** The `broker-config --broker <id> [--key <k>]` document. */
export interface BrokerConfigDoc {
  broker: number;
  configs: Record<string, BrokerConfigEntry>;
}

/** One progress line of `ready` (JSON lines), and its last line (`ready`, or what is missing). */
export interface ReadyLine {
  phase?: string;
  ok?: boolean;
  done?: number;
  total?: number;
  id?: number;
  ms?: number;
  ready?: boolean;
  error?: string;
  missing?: (number | string)[];
}

/** What the agent prints when a command fails (exit code 1 or 2). */
export interface AgentErrorDoc {
  error: { code: string; message: string };
}

/** Evidence of one cause: where it was seen. */
export interface Finding {
  cause: Cause;
  /** The file it was seen in (a log, server.properties, meta.properties, a profile script). */
  file: string;
  /** 1-based line in that file; null when unknown. */
  line: number | null;
  /** The line itself (shortened), or a short description. */
  text: string;
}

/** A Kafka process on this server (a broker or a KRaft controller). */
export interface KafkaProcess {
  pid: number;
  /** The properties file it was started with, as given on its command line. */
  config: string | null;
}

/** The `diagnose` document: this one server's Kafka, read locally. */
export interface DiagnoseDoc {
  /** The Kafka installation found (/opt/apps/kafka or /opt/apps/kafka*), or null. */
  kafkaHome: string | null;
  processes: KafkaProcess[];
  /** A broker (not only a controller) runs here. */
  brokerRunning: boolean;
  zookeeperRunning: boolean;
  /** server.properties' settings with their lines; null when there is no such file. */
  config: {
    file: string;
    brokerId: { value: string; line: number } | null;
    zookeeperConnect: { value: string; line: number } | null;
    logDirs: string[];
  } | null;
  /** meta.properties of each log dir that has one. */
  metaProperties: Array<{
    file: string;
    brokerId: string | null;
    clusterId: string | null;
    line: number | null;
  }>;
  /** Causes this server's own files show (cross-server ones are the server's to find). */
  findings: Finding[];
}
