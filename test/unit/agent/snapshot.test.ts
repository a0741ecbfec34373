import { describe, expect, it } from 'vitest';
import { withTimeout } from '../../../agent/deadline.ts';
import { AgentError } from '../../../agent/errors.ts';
import { collectGroups, takeSnapshot } from '../../../agent/snapshot.ts';
import {
  CrashedBrokerCluster,
  HangingCoordinatorCluster,
  HealthyCluster,
  JustRegisteredCluster,
  KafkaDownCluster,
  NothingAnswersCluster,
  OneBrokerDownCluster,
  OneLeaderRefusesOffsetsCluster,
  ZkDownCluster,
} from './fakes.ts';

const at = (): Date => new Date('2030-01-02T03:04:05.000Z');

describe('takeSnapshot', () => {
  it('shapes a healthy cluster: sorted brokers, topics, partitions and members, with lag', async () => {
    const snap = await takeSnapshot(new HealthyCluster(), { now: at });
    expect(snap.at).toBe('2030-01-02T03:04:05.000Z');
    expect(snap.brokers).toEqual([
      { id: 1, host: 'bigdata01', port: 9092, up: true },
      { id: 2, host: 'bigdata02', port: 9092, up: true },
      { id: 3, host: 'bigdata03', port: 9092, up: true },
    ]);
    expect(snap.controller).toBe(1);
    expect(snap.topics.map((t) => [t.name, t.internal])).toEqual([
      ['__consumer_offsets', true],
      ['orders', false],
    ]);
    expect(snap.topics[1]?.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(snap.errors).toEqual([]);

    const [billing] = snap.groups;
    expect(billing?.members.map((m) => [m.memberId, m.host, m.assignments])).toEqual([
      ['m-a', '10.0.0.2', [{ topic: 'orders', partitions: [0, 1] }]],
      ['m-b', '10.0.0.3', [{ topic: 'orders', partitions: [2] }]],
    ]);
    expect(billing?.offsets).toEqual([
      { topic: 'orders', partition: 0, committed: 8, end: 10, lag: 2 },
      { topic: 'orders', partition: 1, committed: -1, end: 5, lag: null },
      { topic: 'orders', partition: 2, committed: 7, end: 7, lag: 0 },
    ]);
    expect(billing?.totalLag).toBe(2);
  });

  it('shows a cleanly stopped broker as down because replica lists still name it', async () => {
    const snap = await takeSnapshot(new OneBrokerDownCluster(), { now: at });
    expect(snap.brokers).toEqual([
      { id: 1, host: 'bigdata01', port: 9092, up: true },
      { id: 2, host: null, port: null, up: false },
      { id: 3, host: 'bigdata03', port: 9092, up: true },
    ]);
    const single = snap.topics.find((t) => t.name === 'single');
    expect(single?.partitions).toEqual([{ partition: 0, leader: -1, replicas: [2], isr: [2], offline: [2] }]);
    expect(snap.topics.find((t) => t.name === 'orders')?.partitions[1]?.isr).toEqual([3, 1]);
    expect(snap.errors).toEqual([]);
  });

  it('takes a registered-but-not-live broker address from ZooKeeper', async () => {
    const snap = await takeSnapshot(new JustRegisteredCluster(), { now: at });
    expect(snap.brokers.at(-1)).toEqual({ id: 4, host: 'bigdata04', port: 9092, up: false });
  });

  it('keeps the groups of answering brokers when one broker refuses ListGroups', async () => {
    const snap = await takeSnapshot(new CrashedBrokerCluster(), { now: at });
    expect(snap.groups.map((g) => g.groupId)).toEqual(['billing']);
    expect(snap.errors).toEqual(['broker 3: listing groups failed: bigdata03:9092: connect ECONNREFUSED']);
    expect(snap.brokers.every((b) => b.up)).toBe(true);
  });

  it('answers "cluster down" from ZooKeeper when no broker answers', async () => {
    const snap = await takeSnapshot(new KafkaDownCluster(), { now: at });
    expect(snap).toEqual({
      at: '2030-01-02T03:04:05.000Z',
      brokers: [1, 2, 3].map((id) => ({ id, host: null, port: null, up: false })),
      controller: null,
      topics: [],
      groups: [],
      errors: ['kafka: no Kafka broker answered (ECONNREFUSED)'],
    });
  });

  it('still describes Kafka when ZooKeeper is down, with an error entry', async () => {
    const snap = await takeSnapshot(new ZkDownCluster(), { now: at });
    expect(snap.brokers).toHaveLength(3);
    expect(snap.groups).toHaveLength(1);
    expect(snap.errors).toEqual(['zookeeper: no ZooKeeper server answered']);
  });

  it('reports both failures and no brokers when nothing answers', async () => {
    const snap = await takeSnapshot(new NothingAnswersCluster(), { now: at });
    expect(snap.brokers).toEqual([]);
    expect(snap.errors).toHaveLength(2);
  });

  it('gives up on groups alone when the coordinator hangs past the limit', async () => {
    const limit = <T>(work: Promise<T>, what: string): Promise<T> =>
      withTimeout(work, 20, () => new AgentError('timeout', `${what} did not finish in time`));
    const snap = await takeSnapshot(new HangingCoordinatorCluster(), { now: at, limit });
    expect(snap.topics).toHaveLength(2);
    expect(snap.groups).toEqual([]);
    expect(snap.errors).toEqual(['groups: reading consumer groups did not finish in time']);
  });
});

describe('collectGroups', () => {
  it('asks every live broker, and each leader once for its partitions', async () => {
    const cluster = new HealthyCluster();
    await collectGroups(cluster, await cluster.metadata());
    expect(cluster.calls.filter((c) => c.startsWith('listGroups')).sort()).toEqual([
      'listGroups:1',
      'listGroups:2',
      'listGroups:3',
    ]);
    expect(cluster.calls.filter((c) => c.startsWith('latestOffsets')).sort()).toEqual([
      'latestOffsets:1:0',
      'latestOffsets:2:1',
      'latestOffsets:3:2',
    ]);
  });

  it("hides the agent's own groups", async () => {
    const cluster = new HealthyCluster();
    cluster.groupsByBroker = { 1: ['__kafkalab_agent', '__kafkalab_agent_ab12'], 2: ['billing'], 3: [] };
    const { groups } = await collectGroups(cluster, await cluster.metadata());
    expect(groups.map((g) => g.groupId)).toEqual(['billing']);
  });

  it('leaves lag unknown (and out of the total) where a leader cannot be asked', async () => {
    const cluster = new OneLeaderRefusesOffsetsCluster();
    const { groups, errors } = await collectGroups(cluster, await cluster.metadata());
    expect(groups[0]?.offsets.map((o) => o.lag)).toEqual([2, null, 0]);
    expect(groups[0]?.offsets[1]?.end).toBeNull();
    expect(groups[0]?.totalLag).toBe(2);
    expect(errors).toEqual(['broker 2: reading end offsets failed: bigdata02:9092: connection closed']);
  });
});
