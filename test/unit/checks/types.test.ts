import { describe, expect, it } from 'vitest';
import type { CheckOutcome, CheckType } from '../../../server/checks/CheckType.ts';
import { checkTypes } from '../../../server/checks/registry.ts';
import { trailingNumber } from '../../../server/checks/types/kafka.ts';
import { clusterAnswering, groupInfo, kafkaDown, zookeeperDown, type AgentAnswers } from './fakes.ts';

/** Runs a check type by id with raw parameters (validated like the loader does). */
async function run(
  type: string,
  raw: Record<string, unknown>,
  answers: AgentAnswers,
  exec?: Parameters<typeof clusterAnswering>[1],
): Promise<CheckOutcome> {
  const t = checkTypes.get(type) as CheckType<Record<string, unknown>> | undefined;
  if (!t) throw new Error(`no check type ${type}`);
  const params = t.params.parse(raw);
  return t.run(clusterAnswering(answers, exec), params, new AbortController().signal);
}
const en = (o: CheckOutcome): string => `${o.status}: ${o.message.en}`;

const partition = (partition: number, replicas: number[], isr = replicas, leader = replicas[0] ?? -1) => ({
  partition,
  leader,
  replicas,
  isr,
  offline: [],
});
const topic = (
  name: string,
  partitions: ReturnType<typeof partition>[],
  configs: Record<string, string> = {},
) => ({
  name,
  exists: true,
  partitions,
  replicationFactor: partitions[0]?.replicas.length ?? 0,
  configs,
});
const broker = (id: number, up = true) => ({ id, host: `bigdata0${id}`, port: 9092, up });

describe('kafka.brokers', () => {
  it('passes with the expected count and ids', async () => {
    const snap = {
      brokers: [broker(1), broker(2), broker(3)],
      controller: 1,
      topics: [],
      groups: [],
      errors: [],
    };
    expect(en(await run('kafka.brokers', { count: 3, ids: [3, 1, 2] }, { snapshot: snap }))).toBe(
      'pass: 3 brokers are up (ids 1, 2 and 3).',
    );
  });
  it('says how many are up and which, against the expectation', async () => {
    const snap = {
      brokers: [broker(1), broker(2, false), broker(3)],
      controller: 1,
      topics: [],
      groups: [],
      errors: [],
    };
    expect(en(await run('kafka.brokers', { count: 3, ids: [1, 2, 3] }, { snapshot: snap }))).toBe(
      'fail: 2 brokers are up (ids 1 and 3); the exercise expects brokers 1, 2 and 3.',
    );
  });
  it('fails with a clear message when no broker answers', async () => {
    expect(en(await run('kafka.brokers', { count: 3 }, { snapshot: kafkaDown }))).toMatch(
      /^fail: No Kafka broker answers on port 9092 of bigdata01, bigdata02 or bigdata03; is Kafka running\?/,
    );
  });
  it('rejects parameters without count or ids', () => {
    expect(() => checkTypes.get('kafka.brokers')?.params.parse({})).toThrow(/give count, ids or both/);
  });
});

describe('kafka.topic', () => {
  const orders = topic(
    'orders',
    [partition(0, [1, 2, 3]), partition(1, [2, 3, 1]), partition(2, [3, 1, 2])],
    { 'retention.ms': '3600000' },
  );
  it('passes with partitions, replication factor and configs', async () => {
    const r = await run(
      'kafka.topic',
      { topic: 'orders', partitions: 3, replicationFactor: 3, configs: { 'retention.ms': 3600000 } },
      { 'topic orders': orders },
    );
    expect(en(r)).toBe('pass: Topic orders has 3 partitions and replication factor 3.');
    expect(r.message.zh).toBe('主题 orders 有 3 个分区，副本数为 3。');
  });
  it('names what differs', async () => {
    const one = topic('orders', [partition(0, [1])]);
    expect(en(await run('kafka.topic', { topic: 'orders', partitions: 3 }, { 'topic orders': one }))).toBe(
      'fail: Topic orders has 1 partition; the exercise expects 3.',
    );
    expect(
      en(await run('kafka.topic', { topic: 'orders', replicationFactor: 3 }, { 'topic orders': one })),
    ).toBe('fail: Topic orders has replication factor 1; the exercise expects 3.');
    expect(
      en(
        await run(
          'kafka.topic',
          { topic: 'orders', configs: { 'cleanup.policy': 'compact' } },
          { 'topic orders': orders },
        ),
      ),
    ).toBe('fail: Topic orders leaves cleanup.policy at its default; the exercise expects compact.');
    expect(
      en(
        await run(
          'kafka.topic',
          { topic: 'nope' },
          {
            'topic nope': {
              name: 'nope',
              exists: false,
              partitions: [],
              replicationFactor: null,
              configs: {},
            },
          },
        ),
      ),
    ).toBe('fail: There is no topic nope yet.');
  });
  it('checks absence', async () => {
    expect(en(await run('kafka.topic', { topic: 'orders', exists: false }, { 'topic orders': orders }))).toBe(
      'fail: Topic orders still exists.',
    );
  });
  it('accepts any topic of the student’s own with anyTopic, ignoring internal ones', async () => {
    const snap = (topics: unknown[]) => ({
      snapshot: { brokers: [], controller: 1, groups: [], errors: [], topics },
    });
    const internal = {
      name: '__consumer_offsets',
      internal: true,
      partitions: [partition(0, [1, 2, 3]), partition(1, [1, 2, 3]), partition(2, [1, 2, 3])],
    };
    const small = { name: 'a', internal: false, partitions: [partition(0, [1])] };
    const e2e = {
      name: 'e2e',
      internal: false,
      partitions: [partition(0, [1, 2, 3]), partition(1, [2, 3, 1]), partition(2, [3, 1, 2])],
    };
    expect(
      en(await run('kafka.topic', { anyTopic: true, partitions: 3, replicationFactor: 3 }, snap([internal]))),
    ).toBe('fail: You have not created a topic of your own yet.');
    expect(
      en(
        await run(
          'kafka.topic',
          { anyTopic: true, partitions: 3, replicationFactor: 3 },
          snap([internal, small]),
        ),
      ),
    ).toBe('fail: Topic a has 1 partition; the exercise expects 3.');
    expect(
      en(
        await run(
          'kafka.topic',
          { anyTopic: true, partitions: 3, replicationFactor: 3 },
          snap([internal, small, e2e]),
        ),
      ),
    ).toBe('pass: Topic e2e has 3 partitions and replication factor 3.');
    expect(() => checkTypes.get('kafka.topic')?.params.parse({ anyTopic: true, topic: 'x' })).toThrow(
      /either topic or anyTopic/,
    );
  });
});

describe('kafka.messages', () => {
  const m = (partition: number, offset: number, key: string | null, value: string) => ({
    partition,
    offset,
    key,
    value,
    timestamp: 0,
    headers: {},
  });
  const answer = (messages: ReturnType<typeof m>[]) => ({
    topic: 'clicks',
    exists: true,
    count: messages.length,
    truncated: false,
    messages,
  });
  const key = 'messages --topic clicks --max 1000';
  it('counts messages with a key and a value pattern', async () => {
    const msgs = [m(0, 0, 'u1', 'click 1'), m(0, 1, 'u1', 'click 2'), m(1, 0, 'u2', 'view 1')];
    expect(
      en(await run('kafka.messages', { topic: 'clicks', key: 'u1', count: 2 }, { [key]: answer(msgs) })),
    ).toBe('pass: Topic clicks holds 2 messages with key u1.');
    expect(
      en(
        await run(
          'kafka.messages',
          { topic: 'clicks', value: '^click', minCount: 3 },
          { [key]: answer(msgs) },
        ),
      ),
    ).toBe('fail: Topic clicks holds 2 messages with the expected value; the exercise expects at least 3.');
    expect(
      en(await run('kafka.messages', { topic: 'clicks', minCount: 1, minKeys: 3 }, { [key]: answer(msgs) })),
    ).toBe('fail: The messages use 2 distinct keys; the exercise expects at least 3.');
  });
  it('checks per-key order: one partition per key and growing sequence numbers', async () => {
    const ordered = [m(0, 0, 'a', 'a-1'), m(1, 0, 'b', 'b-1'), m(0, 1, 'a', 'a-2'), m(1, 1, 'b', 'b-2')];
    expect(
      (
        await run(
          'kafka.messages',
          { topic: 'clicks', minCount: 4, perKeyOrder: true },
          { [key]: answer(ordered) },
        )
      ).status,
    ).toBe('pass');
    const split = [m(0, 0, 'a', 'a-1'), m(1, 0, 'a', 'a-2')];
    expect(
      en(
        await run(
          'kafka.messages',
          { topic: 'clicks', minCount: 2, perKeyOrder: true },
          { [key]: answer(split) },
        ),
      ),
    ).toBe('fail: Messages with key a are spread over 2 partitions; they should all be in one.');
    const swapped = [m(0, 0, 'a', 'a-2'), m(0, 1, 'a', 'a-1')];
    expect(
      en(
        await run(
          'kafka.messages',
          { topic: 'clicks', minCount: 2, perKeyOrder: true },
          { [key]: answer(swapped) },
        ),
      ),
    ).toBe('fail: Messages with key a are out of order; by offset, their values are "a-2, a-1".');
  });
  it('fails for a missing topic and asks for a count', async () => {
    expect(
      en(
        await run(
          'kafka.messages',
          { topic: 'clicks', count: 1 },
          { [key]: { exists: false, count: 0, truncated: false, messages: [] } },
        ),
      ),
    ).toBe('fail: There is no topic clicks yet.');
    expect(() => checkTypes.get('kafka.messages')?.params.parse({ topic: 'x' })).toThrow(
      /give count or minCount/,
    );
  });
});

describe('kafka.group', () => {
  const group = (over: Record<string, unknown> = {}) => groupInfo(over);

  it('passes with state, members, offsets and lag within bounds', async () => {
    expect(
      en(
        await run(
          'kafka.group',
          { group: 'g', state: 'Stable', members: 1, topic: 't', maxLag: 5 },
          { 'group g': group() },
        ),
      ),
    ).toBe('pass: Consumer group g is Stable, with 1 member and a lag of 5.');
  });
  it('names the lag, the member count, the state or missing offsets that differ', async () => {
    expect(en(await run('kafka.group', { group: 'g', maxLag: 0 }, { 'group g': group() }))).toBe(
      'fail: Consumer group g has a lag of 5; the exercise expects at most 0.',
    );
    expect(en(await run('kafka.group', { group: 'g', minLag: 100 }, { 'group g': group() }))).toBe(
      'fail: Consumer group g has a lag of 5; the exercise expects at least 100.',
    );
    expect(en(await run('kafka.group', { group: 'g', minMembers: 2 }, { 'group g': group() }))).toBe(
      'fail: Consumer group g has 1 member; the exercise expects at least 2.',
    );
    expect(en(await run('kafka.group', { group: 'g', state: 'Empty' }, { 'group g': group() }))).toBe(
      'fail: Consumer group g is in state Stable; the exercise expects Empty.',
    );
    expect(en(await run('kafka.group', { group: 'g', topic: 'other' }, { 'group g': group() }))).toBe(
      'fail: Consumer group g has not committed any offsets on topic other yet.',
    );
    expect(
      en(
        await run(
          'kafka.group',
          { group: 'g' },
          { 'group g': group({ exists: false, state: 'Dead', members: [], offsets: [] }) },
        ),
      ),
    ).toBe('fail: There is no consumer group g yet.');
  });
});

describe('zk.path', () => {
  it('checks children, child count and data', async () => {
    const answers = {
      'zk ls /kafka/brokers/ids': { path: '/kafka/brokers/ids', exists: true, children: ['1', '3'] },
      'zk ls /kafka/controller': { path: '/kafka/controller', exists: true, children: [] },
      'zk get /kafka/controller': {
        path: '/kafka/controller',
        exists: true,
        data: '{"version":2,"brokerid":3}',
      },
    };
    expect(en(await run('zk.path', { path: '/kafka/brokers/ids', children: ['1', '2', '3'] }, answers))).toBe(
      'fail: /kafka/brokers/ids has children 1 and 3, but 2 is missing.',
    );
    expect(en(await run('zk.path', { path: '/kafka/brokers/ids', childCount: 2 }, answers))).toBe(
      'pass: /kafka/brokers/ids exists in ZooKeeper, with children 1 and 3.',
    );
    expect(en(await run('zk.path', { path: '/kafka/controller', data: '"brokerid":[12]' }, answers))).toBe(
      'fail: According to /kafka/controller, broker 3 is the controller, which is not what the exercise expects yet.',
    );
  });
  it('names the controller from /kafka/controller, with or without a data pattern', async () => {
    const controller = {
      'zk ls /kafka/controller': { path: '/kafka/controller', exists: true, children: [] },
      'zk get /kafka/controller': {
        path: '/kafka/controller',
        exists: true,
        data: '{"version":2,"brokerid":1,"timestamp":"1700000000000","kraftControllerEpoch":-1}',
      },
    };
    const named = await run('zk.path', { path: '/kafka/controller' }, controller);
    expect(en(named)).toBe('pass: Broker 1 is the controller (/kafka/controller).');
    expect(named.message.zh).toBe('broker 1 是 controller（/kafka/controller）。');
    expect(
      en(await run('zk.path', { path: '/kafka/controller', data: '"brokerid":[123]' }, controller)),
    ).toBe('pass: Broker 1 is the controller (/kafka/controller).');
    expect(
      en(
        await run(
          'zk.path',
          { path: '/kafka/controller' },
          { 'zk ls /kafka/controller': { path: '/kafka/controller', exists: false, children: [] } },
        ),
      ),
    ).toBe('fail: There is no /kafka/controller in ZooKeeper yet, so no controller has been elected.');
  });
  it('fails clearly when the node or ZooKeeper is missing', async () => {
    expect(
      en(
        await run(
          'zk.path',
          { path: '/kafka' },
          { 'zk ls /kafka': { path: '/kafka', exists: false, children: [] } },
        ),
      ),
    ).toBe('fail: There is no /kafka in ZooKeeper yet.');
    expect(en(await run('zk.path', { path: '/kafka' }, { 'zk ls /kafka': zookeeperDown }))).toMatch(
      /^fail: ZooKeeper does not answer/,
    );
  });
});

describe('broker.config', () => {
  const answer = (value: string | null) => ({
    broker: 2,
    configs: { 'log.retention.hours': { value, source: 'STATIC_BROKER_CONFIG', isDefault: false } },
  });
  const key = 'broker-config --broker 2 --key log.retention.hours';
  it('compares the effective value', async () => {
    expect(
      en(
        await run(
          'broker.config',
          { broker: 2, key: 'log.retention.hours', value: 168 },
          { [key]: answer('168') },
        ),
      ),
    ).toBe('pass: Broker 2 has log.retention.hours set to 168.');
    expect(
      en(
        await run(
          'broker.config',
          { broker: 2, key: 'log.retention.hours', value: 24 },
          { [key]: answer('168') },
        ),
      ),
    ).toBe('fail: Broker 2 has log.retention.hours set to 168; the exercise expects 24.');
    expect(
      en(
        await run(
          'broker.config',
          { broker: 2, key: 'log.retention.hours', matches: '^(24|48)$' },
          { [key]: answer('48') },
        ),
      ),
    ).toBe('pass: Broker 2 has log.retention.hours set to 48.');
  });
});

describe('command and file', () => {
  it('command: exit code and output patterns, quoting what it saw', async () => {
    const exec = () => ({ exitCode: 1, stdout: '', stderr: 'kafka-topics.sh: command not found' });
    expect(en(await run('command', { run: 'kafka-topics.sh --version' }, {}, exec))).toBe(
      'fail: The check\'s command on bigdata01 exited with code 1 instead of 0. It printed "kafka-topics.sh: command not found".',
    );
    const ok = () => ({ exitCode: 0, stdout: '3.9.2\n' });
    expect(en(await run('command', { run: 'kafka-topics.sh --version', stdout: '^3\\.9' }, {}, ok))).toBe(
      "pass: The check's command on bigdata01 gave the expected result.",
    );
    expect(en(await run('command', { node: 'bigdata02', run: 'x', stdout: '^4' }, {}, ok))).toBe(
      'fail: The check\'s command on bigdata02 printed "3.9.2", which is not the expected output yet.',
    );
  });
  it('file: existence, content patterns and absence', async () => {
    const content =
      (stdout: string, exitCode = 0) =>
      () => ({ exitCode, stdout });
    expect(en(await run('file', { path: '/root/a' }, {}, content('', 3)))).toBe(
      'fail: There is no file /root/a on bigdata01.',
    );
    expect(
      en(
        await run(
          'file',
          { path: '/root/a', matches: ['^broker\\.id=1$', '^log\\.dirs=/opt'] },
          {},
          content('broker.id=1\nlog.dirs=/tmp\n'),
        ),
      ),
    ).toBe('fail: /root/a on bigdata01 does not meet content requirement 2 of 2 yet.');
    expect(en(await run('file', { path: '/root/a', notMatches: 'TODO' }, {}, content('x TODO y')))).toBe(
      'fail: /root/a on bigdata01 still contains "TODO".',
    );
    expect(en(await run('file', { path: '/opt/data/kafka', directory: true }, {}, content('')))).toBe(
      'pass: /opt/data/kafka on bigdata01 is as expected.',
    );
    expect(en(await run('file', { path: '/root/a', exists: false }, {}, content('x')))).toBe(
      'fail: The file /root/a still exists on bigdata01.',
    );
  });
});

describe('check parameters added for lab authors', () => {
  it('kafka.topic anyTopic ignores topics matching `excluding`', async () => {
    const three = [partition(0, [1, 2, 3]), partition(1, [2, 3, 1]), partition(2, [3, 1, 2])];
    const snap = {
      snapshot: {
        brokers: [],
        controller: 1,
        groups: [],
        errors: [],
        topics: [{ name: 'intro-perf', internal: false, partitions: three }],
      },
    };
    expect(en(await run('kafka.topic', { anyTopic: true, excluding: '^intro-', partitions: 3 }, snap))).toBe(
      'fail: You have not created a topic of your own yet.',
    );
    expect(() => checkTypes.get('kafka.topic')?.params.parse({ topic: 'a', excluding: 'x' })).toThrow(
      /excluding goes with anyTopic/,
    );
  });

  it('command names its label instead of the command line', async () => {
    const label = { zh: '每个分区都回到 3 个 ISR', en: 'every partition is back to 3 in-sync replicas' };
    const failing = () => ({ exitCode: 1, stdout: 'partition 0: isr 2/3' });
    expect(en(await run('command', { run: 'a very long pipeline | awk ...', label }, {}, failing))).toBe(
      'fail: Not yet: every partition is back to 3 in-sync replicas. On bigdata01 the check found: "partition 0: isr 2/3".',
    );
    expect(en(await run('command', { run: 'x', label }, {}, () => ({ exitCode: 0 })))).toBe(
      'pass: Done: every partition is back to 3 in-sync replicas.',
    );
  });
});

describe('messages a student reads after a failed attempt', () => {
  /** The answer key of each check below: none of it may show up in its messages. */
  const secrets = [
    'kafka-topics.sh --describe --topic secret-orders',
    '^PartitionCount: 3$',
    'SECRET_KEY=\\w+',
    'FORBID+EN',
    '"brokerid":[12]',
    '^(24|48)$',
    '^click-\\d+$',
  ];
  const command = 'kafka-topics.sh --describe --topic secret-orders';
  const said = async (outcome: Promise<CheckOutcome>): Promise<string> => {
    const o = await outcome;
    expect(o.status).toBe('fail');
    return `${o.message.zh}\n${o.message.en}`;
  };

  it('say what was found, never the hidden command line or a pattern', async () => {
    const printing =
      (stdout: string, exitCode = 0) =>
      () => ({ exitCode, stdout, stderr: '' });
    const messages = [
      await said(
        run('command', { run: command, stdout: '^PartitionCount: 3$' }, {}, printing('PartitionCount: 1')),
      ),
      await said(run('command', { run: command }, {}, printing('Error: topic not found', 1))),
      await said(
        run(
          'command',
          { run: command, label: { zh: '分区数', en: 'partition count' }, stdout: '^PartitionCount: 3$' },
          {},
          printing('PartitionCount: 1'),
        ),
      ),
      await said(run('file', { path: '/root/a', matches: ['x', 'SECRET_KEY=\\w+'] }, {}, printing('x\n'))),
      await said(run('file', { path: '/root/a', notMatches: 'FORBID+EN' }, {}, printing('a FORBIDDEN b'))),
      await said(
        run(
          'zk.path',
          { path: '/kafka/controller', data: '"brokerid":[12]' },
          {
            'zk ls /kafka/controller': { path: '/kafka/controller', exists: true, children: [] },
            'zk get /kafka/controller': { path: '/kafka/controller', exists: true, data: '{"brokerid":3}' },
          },
        ),
      ),
      await said(
        run(
          'broker.config',
          { broker: 2, key: 'log.retention.hours', matches: '^(24|48)$' },
          {
            'broker-config --broker 2 --key log.retention.hours': {
              broker: 2,
              configs: { 'log.retention.hours': { value: '168', source: 'DEFAULT', isDefault: true } },
            },
          },
        ),
      ),
      await said(
        run(
          'kafka.messages',
          { topic: 'clicks', value: '^click-\\d+$', minCount: 1 },
          {
            'messages --topic clicks --max 1000': {
              exists: true,
              count: 1,
              truncated: false,
              messages: [{ partition: 0, offset: 0, key: null, value: 'view-1' }],
            },
          },
        ),
      ),
    ];
    for (const message of messages) {
      for (const secret of secrets) {
        expect(message).not.toContain(secret);
      }
    }
    expect(messages[0]).toContain('PartitionCount: 1');
    expect(messages[3]).toContain('requirement 2 of 2');
    expect(messages[4]).toContain('still contains "FORBIDDEN"');
  });
});

describe('trailingNumber', () => {
  it('reads the number at the end of a message value, in time linear in its length', () => {
    expect(trailingNumber('a-12')).toBe(12);
    expect(trailingNumber('order 7 \n')).toBe(7);
    expect(trailingNumber('no number')).toBeNaN();
    // `/(\d+)\s*$/` took 13 s on this 50 KB value.
    expect(trailingNumber(`${'1'.repeat(50_000)} x`)).toBeNaN();
  });
});
