import { describe, expect, it } from 'vitest';
import type { CheckOutcome, CheckType } from '../../../server/checks/CheckType.ts';
import { checkTypes } from '../../../server/checks/registry.ts';
import { clusterAnswering, partitionDoc, type AgentAnswers } from './fakes.ts';

/**
 * The parameters that replaced JVM tools in command checks (kafka-topics.sh --describe,
 * kafka-get-offsets.sh, zookeeper-shell.sh stat): the same facts, from the agent.
 */
async function run(type: string, raw: Record<string, unknown>, answers: AgentAnswers): Promise<CheckOutcome> {
  const t = checkTypes.get(type) as CheckType<Record<string, unknown>>;
  return t.run(clusterAnswering(answers), t.params.parse(raw), new AbortController().signal);
}
const en = (o: CheckOutcome): string => `${o.status}: ${o.message.en}`;

const part = partitionDoc;
const ha = (partitions: ReturnType<typeof part>[], records: number | null = 0) => ({
  'topic intro-ha': {
    name: 'intro-ha',
    exists: true,
    partitions,
    replicationFactor: 3,
    configs: {},
    records,
  },
});

describe('kafka.topic: in sync, preferred leaders, records', () => {
  const healthy = [part(0, [1, 2, 3]), part(1, [2, 3, 1]), part(2, [3, 1, 2])];

  it('passes when every ISR is full and every leader is the preferred replica', async () => {
    expect(
      (await run('kafka.topic', { topic: 'intro-ha', inSync: true, preferredLeaders: true }, ha(healthy)))
        .status,
    ).toBe('pass');
  });

  it('names the partitions whose ISR lacks a replica', async () => {
    const shrunk = [part(0, [1, 2, 3], [1, 2]), part(1, [2, 3, 1], [2, 1]), part(2, [3, 1, 2])];
    expect(en(await run('kafka.topic', { topic: 'intro-ha', inSync: true }, ha(shrunk)))).toBe(
      'fail: Topic intro-ha has replicas out of sync (not in the ISR) in partitions 0 and 1.',
    );
  });

  it('names the partitions led by another than the preferred replica', async () => {
    const moved = [part(0, [1, 2, 3]), part(1, [2, 3, 1], [2, 3, 1], 3), part(2, [3, 1, 2])];
    expect(en(await run('kafka.topic', { topic: 'intro-ha', preferredLeaders: true }, ha(moved)))).toBe(
      'fail: In topic intro-ha, partition 1 is not led by its preferred replica.',
    );
  });

  it('counts records against a minimum, and says so when a partition cannot be counted', async () => {
    expect(en(await run('kafka.topic', { topic: 'intro-ha', minRecords: 400000 }, ha(healthy, 200000)))).toBe(
      'fail: Topic intro-ha holds 200000 records; the exercise expects at least 400000.',
    );
    expect(
      (await run('kafka.topic', { topic: 'intro-ha', minRecords: 400000 }, ha(healthy, 400000))).status,
    ).toBe('pass');
    expect(en(await run('kafka.topic', { topic: 'intro-ha', minRecords: 1 }, ha(healthy, null)))).toMatch(
      /^fail: .*without a leader/,
    );
  });
});

describe('zk.path: minVersion', () => {
  const answers = (version: number): AgentAnswers => ({
    'zk ls /kafka/brokers/topics/cc-grow': {
      path: '/kafka/brokers/topics/cc-grow',
      exists: true,
      children: ['partitions'],
    },
    'zk get /kafka/brokers/topics/cc-grow': {
      path: '/kafka/brokers/topics/cc-grow',
      exists: true,
      data: '{"partitions":{"0":[1,2,3],"2":[3,1,2],"1":[2,3,1]},"adding_replicas":{},"removing_replicas":{},"version":3}',
      stat: { version, numChildren: 1, ctime: 0, mtime: 0 },
    },
  });
  const grown = {
    path: '/kafka/brokers/topics/cc-grow',
    data: '"partitions":\\{("\\d+":\\[[\\d,]*\\],?){3}\\}',
    minVersion: 1,
  };

  it('fails a topic created with its partitions at once (never changed since)', async () => {
    expect(en(await run('zk.path', grown, answers(0)))).toBe(
      'fail: The data of /kafka/brokers/topics/cc-grow has not changed since it was created (data version 0); it should have changed at least once.',
    );
  });

  it('passes a topic grown afterwards', async () => {
    expect((await run('zk.path', grown, answers(1))).status).toBe('pass');
  });
});
