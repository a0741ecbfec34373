/**
 * Fake clusters for the snapshot tests, each named for the situation it plays. They answer with
 * the same shapes the live wire client and ZooKeeper reader produce.
 */
import kafkajs from 'kafkajs';
import { AgentError } from '../../../agent/errors.ts';
import type { CommittedOffsets } from '../../../agent/shape.ts';
import type { ClusterSource } from '../../../agent/snapshot.ts';
import type {
  GroupDescription,
  ListGroupsResponse,
  ListOffsetsPartition,
  MetadataBroker,
  MetadataPartition,
  MetadataResponse,
  MetadataTopic,
} from '../../../agent/wire/kafkaProtocol.ts';
import type { ZkBroker } from '../../../agent/zkView.ts';

/** A consumer-protocol assignment as a Java or kafkajs consumer would send it. */
export function assignmentBytes(assignment: Record<string, number[]>): Buffer {
  return kafkajs.AssignerProtocol.MemberAssignment.encode({
    version: 0,
    assignment,
    userData: Buffer.alloc(0),
  });
}

export function broker(id: number): MetadataBroker {
  return { nodeId: id, host: `bigdata0${id}`, port: 9092, rack: null };
}

export function partition(
  p: number,
  leader: number,
  replicas: number[],
  isr: number[] = replicas,
  offline: number[] = [],
): MetadataPartition {
  return { errorCode: leader < 0 ? 5 : 0, partition: p, leader, replicas, isr, offline };
}

export function topic(name: string, partitions: MetadataPartition[]): MetadataTopic {
  return { errorCode: 0, name, isInternal: name === '__consumer_offsets', partitions };
}

/** Three brokers, a replicated "orders" topic and one stable consumer group "billing". */
export class HealthyCluster implements ClusterSource {
  brokers = [broker(3), broker(1), broker(2)];
  topics = [
    topic('orders', [partition(2, 3, [3, 1, 2]), partition(0, 1, [1, 2, 3]), partition(1, 2, [2, 3, 1])]),
    topic('__consumer_offsets', [partition(0, 1, [1, 2, 3])]),
  ];
  registered: ZkBroker[] = [1, 2, 3].map((id) => ({ id, host: `bigdata0${id}`, port: 9092 }));
  groupsByBroker: Record<number, string[]> = { 1: ['billing'], 2: [], 3: [] };
  ends: Record<string, number> = { 'orders:0': 10, 'orders:1': 5, 'orders:2': 7 };
  calls: string[] = [];

  metadata(): Promise<MetadataResponse> {
    return Promise.resolve({ brokers: this.brokers, clusterId: 'c', controllerId: 1, topics: this.topics });
  }

  listGroups(b: MetadataBroker): Promise<ListGroupsResponse> {
    this.calls.push(`listGroups:${b.nodeId}`);
    const ids = this.groupsByBroker[b.nodeId] ?? [];
    return Promise.resolve({
      errorCode: 0,
      groups: ids.map((groupId) => ({ groupId, protocolType: 'consumer' })),
    });
  }

  describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    return Promise.resolve(
      groupIds.map((groupId) => ({
        errorCode: 0,
        groupId,
        state: 'Stable',
        protocolType: 'consumer',
        protocol: 'range',
        members: [
          {
            memberId: 'm-b',
            clientId: 'c2',
            clientHost: '/10.0.0.3',
            memberMetadata: Buffer.alloc(0),
            memberAssignment: assignmentBytes({ orders: [2] }),
          },
          {
            memberId: 'm-a',
            clientId: 'c1',
            clientHost: '/10.0.0.2',
            memberMetadata: Buffer.alloc(0),
            memberAssignment: assignmentBytes({ orders: [1, 0] }),
          },
        ],
      })),
    );
  }

  fetchOffsets(): Promise<CommittedOffsets> {
    return Promise.resolve([
      {
        topic: 'orders',
        partitions: [
          { partition: 0, offset: '8' },
          { partition: 1, offset: '-1' },
          { partition: 2, offset: '7' },
        ],
      },
    ]);
  }

  latestOffsets(
    leader: MetadataBroker,
    partitions: Array<{ topic: string; partition: number }>,
  ): Promise<ListOffsetsPartition[]> {
    this.calls.push(`latestOffsets:${leader.nodeId}:${partitions.map((p) => p.partition).join(',')}`);
    return Promise.resolve(
      partitions.map(({ topic: t, partition: p }) => ({
        topic: t,
        partition: p,
        errorCode: 0,
        offset: this.ends[`${t}:${p}`] ?? 0,
      })),
    );
  }

  registeredBrokers(): Promise<ZkBroker[]> {
    return Promise.resolve(this.registered);
  }

  assignedBrokerIds(): Promise<number[]> {
    return Promise.resolve([1, 2, 3]);
  }
}

/**
 * Broker 2 stopped cleanly: gone from metadata and from ZooKeeper, leadership moved, ISRs
 * shrunk. Partition orders-1 had broker 2 as leader and now has 3.
 */
export class OneBrokerDownCluster extends HealthyCluster {
  override brokers = [broker(1), broker(3)];
  override topics = [
    topic('orders', [
      partition(0, 1, [1, 2, 3], [1, 3], [2]),
      partition(1, 3, [2, 3, 1], [3, 1], [2]),
      partition(2, 3, [3, 1, 2], [3, 1], [2]),
    ]),
    // Replication factor 1 on the stopped broker: Kafka keeps the last ISR and names it offline.
    topic('single', [partition(0, -1, [2], [2], [2])]),
  ];
  override registered: ZkBroker[] = [1, 3].map((id) => ({ id, host: `bigdata0${id}`, port: 9092 }));
  override groupsByBroker = { 1: ['billing'], 3: [] };
}

/** Broker 3 was killed: metadata still lists it (ZooKeeper session not expired) but it refuses. */
export class CrashedBrokerCluster extends HealthyCluster {
  override groupsByBroker = { 1: [], 2: ['billing'], 3: ['payments'] };

  override listGroups(b: MetadataBroker): Promise<ListGroupsResponse> {
    if (b.nodeId === 3) return Promise.reject(new Error('bigdata03:9092: connect ECONNREFUSED'));
    return super.listGroups(b);
  }
}

/** Broker 4 registered in ZooKeeper a moment ago; the metadata has not caught up. */
export class JustRegisteredCluster extends HealthyCluster {
  override registered: ZkBroker[] = [
    ...new HealthyCluster().registered,
    { id: 4, host: 'bigdata04', port: 9092 },
  ];
}

/** Every broker is stopped (or Kafka is not installed); ZooKeeper still answers. */
export class KafkaDownCluster extends HealthyCluster {
  override registered: ZkBroker[] = [];

  override metadata(): Promise<MetadataResponse> {
    return Promise.reject(new AgentError('kafka_unreachable', 'no Kafka broker answered (ECONNREFUSED)'));
  }
}

/** Kafka answers but ZooKeeper does not. */
export class ZkDownCluster extends HealthyCluster {
  override registeredBrokers(): Promise<ZkBroker[]> {
    return Promise.reject(new AgentError('zk_unreachable', 'no ZooKeeper server answered'));
  }

  override assignedBrokerIds(): Promise<number[]> {
    return this.registeredBrokers().then(() => []);
  }
}

/** Nothing answers at all. */
export class NothingAnswersCluster extends KafkaDownCluster {
  override registeredBrokers(): Promise<ZkBroker[]> {
    return Promise.reject(new AgentError('zk_unreachable', 'no ZooKeeper server answered'));
  }
}

/** The group coordinator never answers DescribeGroups. */
export class HangingCoordinatorCluster extends HealthyCluster {
  override describeGroups(): Promise<GroupDescription[]> {
    return new Promise(() => undefined);
  }
}

/** Partition orders-1's leader refuses ListOffsets; the other leaders answer. */
export class OneLeaderRefusesOffsetsCluster extends HealthyCluster {
  override latestOffsets(
    leader: MetadataBroker,
    partitions: Array<{ topic: string; partition: number }>,
  ): Promise<ListOffsetsPartition[]> {
    if (leader.nodeId === 2) return Promise.reject(new Error('bigdata02:9092: connection closed'));
    return super.latestOffsets(leader, partitions);
  }
}
