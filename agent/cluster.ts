/**
 * The live ClusterSource: the agent's own wire client for every admin-style request (see
 * wire/kafkaProtocol.ts for why not kafkajs's admin) and the small ZooKeeper client. Each is
 * opened lazily, so a command only pays for what it asks.
 */
import type { GlobalOptions, HostPort } from './args.ts';
import { withTimeout, type Deadline } from './deadline.ts';
import { AgentError } from './errors.ts';
import { KafkaWire } from './kafkaWire.ts';
import type { CommittedOffsets } from './shape.ts';
import type { ClusterSource } from './snapshot.ts';
import type { TopicSource } from './topicLookup.ts';
import {
  KafkaErr,
  kafkaErrorName,
  type ConfigEntry,
  type GroupDescription,
  type ListGroupsResponse,
  type ListOffsetsPartition,
  type MetadataBroker,
  type MetadataResponse,
  type NewTopic,
} from './wire/kafkaProtocol.ts';
import { ZkClient } from './zk.ts';
import { readAssignedBrokerIds, readBrokerRegistrations, topicRegistered, type ZkBroker } from './zkView.ts';

/** A cluster reached through the command-line options, bounded by one deadline. */
export class LiveCluster implements ClusterSource, TopicSource {
  readonly wire: KafkaWire;
  private zkClient: Promise<ZkClient> | null = null;
  /** The latest metadata, for choosing whom to ask. */
  private latest: (MetadataResponse & { answeredBy: string }) | null = null;

  constructor(
    readonly options: GlobalOptions,
    readonly deadline: Deadline,
  ) {
    this.wire = new KafkaWire(options.bootstrap, {
      connectTimeoutMs: deadline.budget(1500),
      requestTimeoutMs: deadline.budget(4000),
    });
  }

  /** See ClusterSource.metadata. */
  async metadata(topics: readonly string[] | null): Promise<MetadataResponse> {
    const meta = await this.wire.metadata(topics);
    this.latest = meta;
    return meta;
  }

  /** Live brokers, answering one first, as "host:port" for kafkajs (which tries them in order). */
  get liveBrokers(): string[] {
    if (this.latest === null) return this.options.bootstrap.map((b) => `${b.host}:${b.port}`);
    const { answeredBy, brokers } = this.latest;
    return [answeredBy, ...brokers.map((b) => `${b.host}:${b.port}`).filter((a) => a !== answeredBy)];
  }

  /** See ClusterSource.listGroups. */
  listGroups(broker: MetadataBroker): Promise<ListGroupsResponse> {
    return this.wire.listGroups(broker);
  }

  /** See ClusterSource.latestOffsets. */
  latestOffsets(
    leader: MetadataBroker,
    partitions: Array<{ topic: string; partition: number }>,
  ): Promise<ListOffsetsPartition[]> {
    return this.wire.listOffsets(leader, partitions);
  }

  /** The broker coordinating `groupId`. */
  async coordinator(groupId: string): Promise<HostPort> {
    const res = await this.wire.findCoordinator(await this.anyBroker(), groupId);
    if (res.errorCode !== KafkaErr.none) {
      throw new AgentError(
        'kafka_error',
        `finding the coordinator of ${groupId}: ${kafkaErrorName(res.errorCode)}`,
      );
    }
    return { host: res.host, port: res.port };
  }

  /** See ClusterSource.describeGroups. Groups are asked of their own coordinators, in parallel. */
  async describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    const coordinators = await Promise.all(
      groupIds.map(async (id) => ({ id, at: await this.coordinator(id) })),
    );
    const byCoordinator = new Map<string, { at: HostPort; ids: string[] }>();
    for (const { id, at } of coordinators) {
      const key = `${at.host}:${at.port}`;
      const entry = byCoordinator.get(key) ?? { at, ids: [] };
      entry.ids.push(id);
      byCoordinator.set(key, entry);
    }
    const answers = await Promise.all(
      [...byCoordinator.values()].map(({ at, ids }) => this.wire.describeGroups(at, ids)),
    );
    const groups = answers.flat();
    const failed = groups.find((g) => g.errorCode !== KafkaErr.none);
    if (failed) {
      throw new AgentError(
        'kafka_error',
        `describing group ${failed.groupId}: ${kafkaErrorName(failed.errorCode)}`,
      );
    }
    return groups;
  }

  /** See ClusterSource.fetchOffsets. */
  async fetchOffsets(groupId: string): Promise<CommittedOffsets> {
    const res = await this.wire.offsetFetch(await this.coordinator(groupId), groupId);
    if (res.errorCode !== KafkaErr.none) {
      throw new AgentError('kafka_error', `offsets of ${groupId}: ${kafkaErrorName(res.errorCode)}`);
    }
    const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
    for (const o of res.offsets) {
      const list = byTopic.get(o.topic) ?? [];
      list.push({ partition: o.partition, offset: String(o.errorCode === KafkaErr.none ? o.offset : -1) });
      byTopic.set(o.topic, list);
    }
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
  }

  /** Deletes an empty group; false (not an error) when it could not be deleted. */
  async deleteGroup(groupId: string): Promise<boolean> {
    const [result] = await this.wire.deleteGroups(await this.coordinator(groupId), [groupId]);
    return result?.errorCode === KafkaErr.none;
  }

  /** One resource's configs; broker configs are asked of that broker, topic configs of any. */
  async describeConfigs(
    type: number,
    name: string,
    keys: readonly string[] | null,
    broker?: HostPort,
  ): Promise<ConfigEntry[]> {
    const res = await this.wire.describeConfigs(broker ?? (await this.anyBroker()), type, name, keys);
    if (res.errorCode !== KafkaErr.none) {
      throw new AgentError(
        'kafka_error',
        `configs of ${name}: ${res.errorMessage ?? kafkaErrorName(res.errorCode)}`,
      );
    }
    return res.entries;
  }

  /** Creates a topic via the controller; resolves false when it already existed. */
  async createTopic(topic: NewTopic, timeoutMs: number): Promise<boolean> {
    const meta = await this.metadata([]);
    const controller = meta.brokers.find((b) => b.nodeId === meta.controllerId);
    if (!controller) throw new AgentError('kafka_error', 'no controller elected yet');
    const [result] = await this.wire.createTopics(controller, [topic], timeoutMs);
    if (result === undefined || result.errorCode === KafkaErr.topicAlreadyExists) return false;
    if (result.errorCode !== KafkaErr.none) {
      throw new AgentError(
        'kafka_error',
        `creating ${topic.name}: ${result.errorMessage ?? kafkaErrorName(result.errorCode)}`,
      );
    }
    return true;
  }

  /** Deletes topics via the controller; resolves the names it accepted (missing ones count). */
  async deleteTopics(names: readonly string[], timeoutMs: number): Promise<string[]> {
    if (names.length === 0) return [];
    const meta = await this.metadata([]);
    const controller = meta.brokers.find((b) => b.nodeId === meta.controllerId);
    if (!controller) throw new AgentError('kafka_error', 'no controller elected yet');
    const results = await this.wire.deleteTopics(controller, names, timeoutMs);
    return results
      .filter((r) => r.errorCode === KafkaErr.none || r.errorCode === KafkaErr.unknownTopicOrPartition)
      .map((r) => r.name);
  }

  /** See ClusterSource.registeredBrokers. */
  async registeredBrokers(): Promise<ZkBroker[]> {
    return readBrokerRegistrations(await this.zk(), this.options.chroot);
  }

  /** See ClusterSource.assignedBrokerIds. */
  async assignedBrokerIds(): Promise<number[]> {
    return readAssignedBrokerIds(await this.zk(), this.options.chroot);
  }

  /** Whether ZooKeeper has the topic; null when ZooKeeper cannot be asked. */
  async topicRegistered(topic: string): Promise<boolean | null> {
    try {
      return await topicRegistered(await this.zk(), this.options.chroot, topic);
    } catch {
      return null;
    }
  }

  /** The ZooKeeper session, opened on first use. */
  zk(): Promise<ZkClient> {
    this.zkClient ??= ZkClient.connect(this.options.zookeeper, {
      connectTimeoutMs: this.deadline.budget(1000),
      requestTimeoutMs: this.deadline.budget(3000),
    });
    return this.zkClient;
  }

  /** Closes everything that was opened, spending at most about a second on politeness. */
  async close(): Promise<void> {
    const steps: Array<Promise<unknown>> = [this.wire.close()];
    if (this.zkClient) steps.push(this.zkClient.then((zk) => zk.close()));
    await withTimeout(Promise.allSettled(steps), 1000, () => new Error('close timed out')).catch(
      () => undefined,
    );
  }

  /** A broker known to answer: the one that gave the latest metadata (fetched if needed). */
  private async anyBroker(): Promise<HostPort> {
    if (this.latest === null) await this.metadata([]);
    const [host = '', port = '0'] = (this.latest?.answeredBy ?? '').split(/:(?=\d+$)/);
    return { host, port: Number(port) };
  }
}
