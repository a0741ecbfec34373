/**
 * A minimal Kafka client for the read-only requests in wire/kafkaProtocol.ts. It talks to the
 * bootstrap servers in parallel so a stopped broker costs nothing when another answers, and it
 * keeps one connection per broker address for the follow-up requests of one command.
 */
import type { HostPort } from './args.ts';
import { AgentError } from './errors.ts';
import { BinaryReader } from './wire/binary.ts';
import {
  ApiKey,
  correlationIdOf,
  decodeCreateTopicsV2,
  decodeDeleteGroupsV0,
  decodeDeleteTopicsV1,
  decodeDescribeConfigsV1,
  decodeDescribeGroupsV1,
  decodeFindCoordinatorV1,
  decodeOffsetFetchV3,
  encodeCreateTopicsV2,
  encodeDeleteGroupsV0,
  encodeDeleteTopicsV1,
  encodeDescribeConfigsV1,
  encodeDescribeGroupsV1,
  encodeFindCoordinatorV1,
  encodeOffsetFetchV3,
  type CommittedOffset,
  type ConfigEntry,
  type Coordinator,
  type GroupDescription,
  type NewTopic,
  decodeListGroupsV1,
  decodeListOffsetsV1,
  decodeMetadataV5,
  encodeListGroupsV1,
  encodeListOffsetsV1,
  encodeMetadataV5,
  encodeRequest,
  OffsetSpec,
  type ListGroupsResponse,
  type ListOffsetsPartition,
  type MetadataResponse,
} from './wire/kafkaProtocol.ts';
import { FramedConnection } from './wire/socket.ts';

/** Timeouts for one client. */
export interface KafkaWireOptions {
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  clientId: string;
}

/** A Metadata answer and which bootstrap address gave it. */
export type AnsweredMetadata = MetadataResponse & { answeredBy: string };

const DEFAULTS: KafkaWireOptions = {
  connectTimeoutMs: 1500,
  requestTimeoutMs: 4000,
  clientId: 'kafkalab-agent',
};

/** One command's connections to a cluster. Call close() when done. */
export class KafkaWire {
  private readonly options: KafkaWireOptions;
  private readonly connections = new Map<string, Promise<FramedConnection>>();
  private nextCorrelationId = 1;

  constructor(
    private readonly bootstrap: readonly HostPort[],
    options: Partial<KafkaWireOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /**
   * Metadata for `topics` (null = all), from whichever bootstrap server answers first. All are
   * asked at once: in the "cluster down" case every refusal arrives within milliseconds, and
   * a blackholed address costs one connect timeout rather than one per server.
   */
  async metadata(topics: readonly string[] | null): Promise<AnsweredMetadata> {
    const body = encodeMetadataV5(topics);
    const attempts = this.bootstrap.map(async ({ host, port }) => {
      const reader = await this.send(host, port, ApiKey.metadata, 5, body);
      return { ...decodeMetadataV5(reader), answeredBy: `${host}:${port}` };
    });
    try {
      return await Promise.any(attempts);
    } catch (err) {
      const reasons =
        err instanceof AggregateError ? err.errors.map((e) => (e as Error).message) : [String(err)];
      throw new AgentError('kafka_unreachable', `no Kafka broker answered (${reasons.join('; ')})`);
    }
  }

  /** Latest (or earliest) offsets of partitions led by `leader` (ListOffsets must go to the leader). */
  async listOffsets(
    leader: HostPort,
    partitions: ReadonlyArray<{ topic: string; partition: number }>,
    spec: bigint = OffsetSpec.latest,
  ): Promise<ListOffsetsPartition[]> {
    const body = encodeListOffsetsV1(partitions, spec);
    const reader = await this.send(leader.host, leader.port, ApiKey.listOffsets, 1, body);
    return decodeListOffsetsV1(reader);
  }

  /** The groups one broker coordinates (each broker only knows its own). */
  async listGroups(broker: HostPort): Promise<ListGroupsResponse> {
    const reader = await this.send(broker.host, broker.port, ApiKey.listGroups, 1, encodeListGroupsV1());
    return decodeListGroupsV1(reader);
  }

  /** Which broker coordinates `groupId`; any live broker can answer. */
  async findCoordinator(via: HostPort, groupId: string): Promise<Coordinator> {
    const reader = await this.send(
      via.host,
      via.port,
      ApiKey.findCoordinator,
      1,
      encodeFindCoordinatorV1(groupId),
    );
    return decodeFindCoordinatorV1(reader);
  }

  /** Descriptions of groups, asked of their coordinator. */
  async describeGroups(coordinator: HostPort, groupIds: readonly string[]): Promise<GroupDescription[]> {
    const body = encodeDescribeGroupsV1(groupIds);
    return decodeDescribeGroupsV1(
      await this.send(coordinator.host, coordinator.port, ApiKey.describeGroups, 1, body),
    );
  }

  /** Every committed offset of a group, asked of its coordinator. */
  async offsetFetch(
    coordinator: HostPort,
    groupId: string,
  ): Promise<{ errorCode: number; offsets: CommittedOffset[] }> {
    const body = encodeOffsetFetchV3(groupId);
    return decodeOffsetFetchV3(
      await this.send(coordinator.host, coordinator.port, ApiKey.offsetFetch, 3, body),
    );
  }

  /** Deletes empty groups, asked of their coordinator. */
  async deleteGroups(
    coordinator: HostPort,
    groupIds: readonly string[],
  ): Promise<Array<{ groupId: string; errorCode: number }>> {
    const body = encodeDeleteGroupsV0(groupIds);
    return decodeDeleteGroupsV0(
      await this.send(coordinator.host, coordinator.port, ApiKey.deleteGroups, 0, body),
    );
  }

  /** One resource's configs. Broker configs must be asked of that broker; topic configs of any. */
  async describeConfigs(
    broker: HostPort,
    type: number,
    name: string,
    keys: readonly string[] | null,
  ): Promise<{ errorCode: number; errorMessage: string | null; entries: ConfigEntry[] }> {
    const body = encodeDescribeConfigsV1(type, name, keys);
    return decodeDescribeConfigsV1(
      await this.send(broker.host, broker.port, ApiKey.describeConfigs, 1, body),
    );
  }

  /** Creates topics; in ZooKeeper mode only the controller accepts this. */
  async createTopics(
    controller: HostPort,
    topics: readonly NewTopic[],
    timeoutMs: number,
  ): Promise<Array<{ name: string; errorCode: number; errorMessage: string | null }>> {
    const body = encodeCreateTopicsV2(topics, timeoutMs);
    return decodeCreateTopicsV2(
      await this.send(controller.host, controller.port, ApiKey.createTopics, 2, body),
    );
  }

  /** Deletes topics; the controller finishes the deletion in the background. */
  async deleteTopics(
    controller: HostPort,
    names: readonly string[],
    timeoutMs: number,
  ): Promise<Array<{ name: string; errorCode: number }>> {
    const body = encodeDeleteTopicsV1(names, timeoutMs);
    return decodeDeleteTopicsV1(
      await this.send(controller.host, controller.port, ApiKey.deleteTopics, 1, body),
    );
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    const settled = await Promise.allSettled(all);
    for (const s of settled) if (s.status === 'fulfilled') s.value.destroy();
  }

  private async send(
    host: string,
    port: number,
    apiKey: number,
    version: number,
    body: Buffer,
  ): Promise<BinaryReader> {
    const conn = await this.connection(host, port);
    const id = this.nextCorrelationId++;
    const frame = await conn.request(
      encodeRequest(apiKey, version, id, this.options.clientId, body),
      id,
      this.options.requestTimeoutMs,
    );
    const reader = new BinaryReader(frame);
    reader.int32(); // correlation id, already matched
    return reader;
  }

  private connection(host: string, port: number): Promise<FramedConnection> {
    const key = `${host}:${port}`;
    const existing = this.connections.get(key);
    if (existing) {
      // Reuse a live socket; replace one that broke (e.g. the broker restarted).
      return existing.then((c) => (c.closed ? this.reconnect(key, host, port) : c));
    }
    return this.reconnect(key, host, port);
  }

  private reconnect(key: string, host: string, port: number): Promise<FramedConnection> {
    const opening = FramedConnection.open(host, port, this.options.connectTimeoutMs, correlationIdOf);
    this.connections.set(key, opening);
    // Forget failed attempts so a later call may try again; the caller still sees the error.
    opening.catch(() => {
      if (this.connections.get(key) === opening) this.connections.delete(key);
    });
    return opening;
  }
}
