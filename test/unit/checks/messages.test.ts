import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckContext } from '../../../server/checks/CheckType.ts';
import { CompiledPattern } from '../../../server/checks/pattern.ts';
import { sharedPatternPool } from '../../../server/checks/PatternPool.ts';
import { checkTypes, runCheck, type CheckResult } from '../../../server/checks/registry.ts';
import { AgentError, clusterAgentFrom } from '../../../server/cluster/ClusterAgent.ts';
import type { ExecResult, NodeName } from '../../../server/env/EnvironmentBackend.ts';
import { execResult } from '../../../server/env/InMemoryEnvironments.ts';
import { loadCourse } from '../../../server/labs/loader.ts';
import type { Bilingual, CheckExercise } from '../../../server/labs/model.ts';
import {
  clusterAnswering,
  groupInfo,
  hangingCluster,
  kafkaDown,
  partitionDoc,
  zookeeperDown,
  type AgentAnswers,
} from './fakes.ts';

/**
 * Every message a check can show a student, rendered in both languages and read the way a student
 * reads it: whole sentences, one number format per language, and nothing of the answer key.
 */

/** Pattern syntax that has no business in a sentence (the author's regex leaking into a message). */
const REGEX_SYNTAX: readonly [RegExp, string][] = [
  [/\/\^|\$\//, 'a /^...$/ regex literal'],
  [/\\[dDwWsSbBnrt.]/, 'a regex escape such as \\d or a literal \\n'],
  [/\(\?[:=!<]/, 'a regex group such as (?:'],
  [/\[[^\]\s]*(?:\\|[0-9A-Za-z]-[0-9A-Za-z])[^\]]*\]/, 'a regex character class such as [1-9]'],
  [/\.\*|\.\+/, 'a regex wildcard .* or .+'],
  [/\{\d+(?:,\d*)?\}/, 'a regex quantifier such as {3}'],
];

/** The sources of the compiled patterns among a check's parameters: its answer key. */
function patternsIn(params: unknown): string[] {
  if (params instanceof CompiledPattern) return [params.source];
  if (Array.isArray(params)) return params.flatMap(patternsIn);
  if (typeof params === 'object' && params !== null) return Object.values(params).flatMap(patternsIn);
  return [];
}

/**
 * Whatever is wrong with a message, in words; [] when it reads well.
 */
function problemsOf(message: Bilingual, patterns: readonly string[] = []): string[] {
  const problems: string[] = [];
  for (const [lang, text] of [
    ['zh', message.zh],
    ['en', message.en],
  ] as const) {
    const say = (what: string) => problems.push(`${lang}: ${what} in ${JSON.stringify(text)}`);
    for (const [syntax, what] of REGEX_SYNTAX) if (syntax.test(text)) say(what);
    // A pattern with any regex syntax in it must not show; a plain word ("TODO") may be quoted as found.
    for (const p of patterns) if (/[\\^$.*+?()[\]{}|]/.test(p) && text.includes(p)) say(`the pattern ${p}`);
    if (/\s{2}/.test(text)) say('doubled spaces');
    if (text !== text.trim()) say('spaces at an end');
    if (text.trim() === '') say('no text');
    if (lang === 'zh') {
      if (!/[。！？]$/.test(text)) say('no closing 。, ！ or ？');
      // Quoted output is the student's own text, in whatever punctuation it has.
      const own = text.replace(/“[^”]*”/g, '“…”');
      if (/[()]/.test(own)) say('an ASCII bracket in Chinese text');
      if (/（[^）]*$|^[^（]*）/.test(own) || own.split('（').length !== own.split('）').length)
        say('unpaired full-width brackets');
      if (/[:,;.!?](?:\s|$)/.test(own)) say('ASCII punctuation in Chinese text');
      if (/[：，；、。（）！？]\s/.test(own)) say('a space after full-width punctuation');
      // Latin words and numbers sit apart from Chinese characters: "有 3 个 broker 在运行".
      if (/[\u4e00-\u9fff][A-Za-z0-9/]|[A-Za-z0-9][\u4e00-\u9fff]/.test(own))
        say('no space between Chinese and Latin');
      if (/[“”]/.test(own.replace(/“…”/g, ''))) say('an unpaired Chinese quote');
    } else {
      if (!/[.!?]$/.test(text)) say('no closing . ! or ?');
      const own = text.replace(/"[^"]*"/g, '"…"');
      if (/[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/.test(own)) say('Chinese text or punctuation');
      if (/\s[.,;:!?)]|\(\s/.test(own)) say('a space before punctuation or inside brackets');
      if (own.split('(').length !== own.split(')').length) say('unpaired brackets');
    }
  }
  return problems;
}

// ---- What the fake cluster answers ----

const part = partitionDoc;
const three = [part(0, [1, 2, 3]), part(1, [2, 3, 1]), part(2, [3, 1, 2])];
const topicDoc = (name: string, over: Record<string, unknown> = {}) => ({
  name,
  exists: true,
  partitions: three,
  replicationFactor: 3,
  configs: { 'retention.ms': '3600000' },
  records: 300,
  ...over,
});
const noTopicDoc = (name: string) => ({
  name,
  exists: false,
  partitions: [],
  replicationFactor: null,
  configs: {},
  records: null,
});
const broker = (id: number, up = true) => ({ id, host: `bigdata0${id}`, port: 9092, up });
const snapshot = (up: number[], topics: unknown[] = []) => ({
  snapshot: {
    brokers: [1, 2, 3].map((id) => broker(id, up.includes(id))),
    controller: up[0] ?? -1,
    topics,
    groups: [],
    errors: [],
  },
});
const record = (partition: number, offset: number, key: string | null, value: string) => ({
  partition,
  offset,
  key,
  value,
  timestamp: 0,
  headers: {},
});
const messagesOf = (topic: string, messages: ReturnType<typeof record>[], max = 1000) => ({
  [`messages --topic ${topic} --max ${max}`]: {
    topic,
    exists: true,
    count: messages.length,
    truncated: false,
    messages,
  },
});
const groupDoc = (over: Record<string, unknown> = {}) => ({ 'group g': groupInfo(over) });
const znode = (p: string, children: string[], data?: string | null, version = 0) => ({
  [`zk ls ${p}`]: { path: p, exists: true, children },
  [`zk get ${p}`]: {
    path: p,
    exists: true,
    data: data ?? null,
    stat: { version, numChildren: children.length, ctime: 0, mtime: 0 },
  },
});
const noZnode = (p: string) => ({ [`zk ls ${p}`]: { path: p, exists: false, children: [] } });
const brokerConfig = (value: string | null) => ({
  'broker-config --broker 2 --key log.retention.hours': {
    broker: 2,
    configs: { 'log.retention.hours': { value, source: 'STATIC_BROKER_CONFIG', isDefault: false } },
  },
});

/** A server answering every command with this result. */
const printing =
  (stdout: string, exitCode = 0, stderr = '') =>
  (): Partial<ExecResult> => ({ exitCode, stdout, stderr });

/** A context whose agent and servers fail the way a broken environment does (not the student's doing). */
const broken: CheckContext = {
  patterns: sharedPatternPool,
  cluster: clusterAgentFrom(() => Promise.reject(new AgentError('timeout', 'the agent ran out of time'))),
  exec: () => Promise.reject(new Error('the container is not running')),
};

/** One situation a check can meet: its parameters and what the environment answers. */
interface Scenario {
  readonly type: string;
  readonly params: Record<string, unknown>;
  readonly answers?: AgentAnswers;
  readonly exec?: (node: NodeName, argv: readonly string[]) => Partial<ExecResult>;
  /** Instead of answers and exec. */
  readonly ctx?: CheckContext;
  readonly timeoutSec?: number;
}

const label = {
  zh: '每个分区都回到 3 个同步副本。',
  en: 'every partition is back to 3 in-sync replicas.',
};
const controllerData = '{"version":2,"brokerid":2,"timestamp":"1700000000000","kraftControllerEpoch":-1}';
const kraftData = '{"version":2,"brokerid":3000,"timestamp":"1700000000000","kraftControllerEpoch":4}';
const topicData = '{"partitions":{"0":[1,2,3]},"adding_replicas":{},"removing_replicas":{},"version":3}';

/** Every branch of every check type's messages, as far as its parameters reach. */
const scenarios: readonly Scenario[] = [
  // command
  { type: 'command', params: { run: 'kafka-topics.sh --version' }, exec: printing('3.9.2') },
  { type: 'command', params: { run: 'x', label }, exec: printing('') },
  { type: 'command', params: { run: 'x' }, exec: printing('', 1, 'kafka-topics.sh: command not found') },
  { type: 'command', params: { run: 'x', exitCode: 2 }, exec: printing('', 0) },
  {
    type: 'command',
    params: { run: 'x', stdout: '^PartitionCount: 3\\n' },
    exec: printing('PartitionCount 1'),
  },
  { type: 'command', params: { run: 'x', stdout: '^[1-9]\\d*$' }, exec: printing('') },
  { type: 'command', params: { run: 'x', stderr: 'WARN (.*)' }, exec: printing('', 0, 'all good') },
  { type: 'command', params: { run: 'x', stderr: '\\w+' }, exec: printing('') },
  { type: 'command', params: { run: 'x', label, stdout: '^3$' }, exec: printing('no topic cc-grow') },
  { type: 'command', params: { run: 'x', label, stdout: '^3$' }, exec: printing('') },
  { type: 'command', params: { node: 'bigdata02', run: 'x', label }, exec: printing('', 1, 'refused') },
  { type: 'command', params: { run: 'x' }, ctx: broken },
  { type: 'command', params: { run: 'x' }, ctx: hangingCluster, timeoutSec: 0.05 },
  // file
  { type: 'file', params: { path: '/root/a' }, exec: printing('', 3) },
  { type: 'file', params: { path: '/opt/data/kafka', directory: true }, exec: printing('', 3) },
  { type: 'file', params: { path: '/root/a' }, exec: printing('anything') },
  { type: 'file', params: { path: '/root/a', exists: false }, exec: printing('x') },
  { type: 'file', params: { path: '/opt/data', exists: false, directory: true }, exec: printing('') },
  { type: 'file', params: { path: '/root/a', exists: false }, exec: printing('', 3) },
  {
    type: 'file',
    params: { path: '/root/a', matches: ['^broker\\.id=[1-3]$', '^log\\.dirs=/opt/.*'] },
    exec: printing('broker.id=1\nlog.dirs=/tmp\n'),
  },
  { type: 'file', params: { path: '/root/a', matches: '^zookeeper\\.connect=.+:2181' }, exec: printing('x') },
  { type: 'file', params: { path: '/root/a', notMatches: 'TO+DO' }, exec: printing('x TODO y') },
  { type: 'file', params: { path: '/root/a', notMatches: '(?m)^#?x*' }, exec: printing('abc') },
  { type: 'file', params: { path: '/root/a', matches: 'a', notMatches: 'z{2,}' }, exec: printing('a') },
  { type: 'file', params: { path: '/root/a' }, ctx: broken },
  // kafka.brokers
  { type: 'kafka.brokers', params: { count: 3, ids: [3, 1, 2] }, answers: snapshot([1, 2, 3]) },
  { type: 'kafka.brokers', params: { count: 0 }, answers: snapshot([]) },
  { type: 'kafka.brokers', params: { ids: [2] }, answers: snapshot([2]) },
  { type: 'kafka.brokers', params: { count: 3, ids: [1, 2, 3] }, answers: snapshot([1, 3]) },
  { type: 'kafka.brokers', params: { count: 3, ids: [1, 2] }, answers: snapshot([1]) },
  { type: 'kafka.brokers', params: { ids: [1] }, answers: snapshot([2, 3]) },
  { type: 'kafka.brokers', params: { count: 3 }, answers: snapshot([]) },
  { type: 'kafka.brokers', params: { count: 3 }, answers: { snapshot: kafkaDown } },
  { type: 'kafka.brokers', params: { count: 3 }, answers: { snapshot: zookeeperDown } },
  { type: 'kafka.brokers', params: { count: 3 }, ctx: broken },
  // kafka.topic
  {
    type: 'kafka.topic',
    params: { topic: 'orders', partitions: 3, replicationFactor: 3, configs: { 'retention.ms': 3600000 } },
    answers: { 'topic orders': topicDoc('orders') },
  },
  {
    type: 'kafka.topic',
    params: { topic: 'orders', inSync: true, preferredLeaders: true, minRecords: 300 },
    answers: { 'topic orders': topicDoc('orders') },
  },
  {
    type: 'kafka.topic',
    params: { topic: 'orders', exists: false },
    answers: { 'topic orders': noTopicDoc('orders') },
  },
  {
    type: 'kafka.topic',
    params: { topic: 'orders', exists: false },
    answers: { 'topic orders': topicDoc('orders') },
  },
  { type: 'kafka.topic', params: { topic: 'orders' }, answers: { 'topic orders': noTopicDoc('orders') } },
  {
    type: 'kafka.topic',
    params: { topic: 'orders', partitions: 1 },
    answers: { 'topic orders': topicDoc('orders') },
  },
  {
    type: 'kafka.topic',
    params: { topic: 'orders', partitions: 3 },
    answers: { 'topic orders': topicDoc('orders', { partitions: [part(0, [1])], replicationFactor: 1 }) },
  },
  {
    type: 'kafka.topic',
    params: { topic: 'orders', replicationFactor: 2 },
    answers: { 'topic orders': topicDoc('orders') },
  },
  {
    type: 'kafka.topic',
    params: { topic: 'orders', configs: { 'cleanup.policy': 'compact' } },
    answers: { 'topic orders': topicDoc('orders') },
  },
  {
    type: 'kafka.topic',
    params: { topic: 'orders', configs: { 'retention.ms': 60000 } },
    answers: { 'topic orders': topicDoc('orders') },
  },
  {
    type: 'kafka.topic',
    params: { topic: 'orders', inSync: true },
    answers: { 'topic orders': topicDoc('orders', { partitions: [part(0, [1, 2, 3], [1, 2]), three[1]] }) },
  },
  {
    type: 'kafka.topic',
    params: { topic: 'orders', inSync: true },
    answers: {
      'topic orders': topicDoc('orders', { partitions: [part(0, [1, 2, 3], [1]), part(1, [2, 3, 1], [2])] }),
    },
  },
  {
    type: 'kafka.topic',
    params: { topic: 'orders', preferredLeaders: true },
    answers: { 'topic orders': topicDoc('orders', { partitions: [part(0, [1, 2, 3], [1, 2, 3], 2)] }) },
  },
  {
    type: 'kafka.topic',
    params: { topic: 'orders', preferredLeaders: true },
    answers: {
      'topic orders': topicDoc('orders', {
        partitions: [part(0, [1, 2, 3], [1, 2, 3], 2), part(1, [2, 3, 1], [2, 3, 1], 3)],
      }),
    },
  },
  {
    type: 'kafka.topic',
    params: { topic: 'orders', minRecords: 1 },
    answers: { 'topic orders': topicDoc('orders', { records: null }) },
  },
  {
    type: 'kafka.topic',
    params: { topic: 'orders', minRecords: 400 },
    answers: { 'topic orders': topicDoc('orders', { records: 1 }) },
  },
  {
    type: 'kafka.topic',
    params: { anyTopic: true, partitions: 3 },
    answers: snapshot([1], [{ name: '__consumer_offsets', internal: true, partitions: three }]),
  },
  {
    type: 'kafka.topic',
    params: { anyTopic: true, excluding: '^(intro|cc)-.*$', partitions: 3, replicationFactor: 3 },
    answers: snapshot(
      [1],
      [
        { name: 'intro-perf', internal: false, partitions: three },
        { name: 'mine', internal: false, partitions: [part(0, [1])] },
      ],
    ),
  },
  {
    type: 'kafka.topic',
    params: { anyTopic: true, partitions: 3, minRecords: 10 },
    answers: {
      ...snapshot([1], [{ name: 'mine', internal: false, partitions: three }]),
      'topic mine': topicDoc('mine'),
    },
  },
  { type: 'kafka.topic', params: { topic: 'orders' }, answers: { 'topic orders': kafkaDown } },
  { type: 'kafka.topic', params: { topic: 'orders' }, ctx: broken },
  // kafka.messages
  {
    type: 'kafka.messages',
    params: { topic: 'clicks', minCount: 1 },
    answers: messagesOf('clicks', [record(0, 0, 'u1', 'click-1')]),
  },
  {
    type: 'kafka.messages',
    params: { topic: 'clicks', key: 'u1', value: '^click-\\d+$', count: 1 },
    answers: messagesOf('clicks', [record(0, 0, 'u1', 'click-1'), record(0, 1, 'u2', 'click-2')]),
  },
  {
    type: 'kafka.messages',
    params: { topic: 'clicks', key: 'u1', count: 2 },
    answers: messagesOf('clicks', [record(0, 0, 'u1', 'click-1')]),
  },
  {
    type: 'kafka.messages',
    params: { topic: 'clicks', value: '^view-[0-9]+', minCount: 3 },
    answers: messagesOf('clicks', [record(0, 0, 'u1', 'view-1')]),
  },
  {
    type: 'kafka.messages',
    params: { topic: 'clicks', key: 'u1', value: '(?i)^click', minCount: 2 },
    answers: messagesOf('clicks', [record(0, 0, 'u1', 'click-1')]),
  },
  {
    type: 'kafka.messages',
    params: { topic: 'clicks', count: 1 },
    answers: messagesOf('clicks', []),
  },
  {
    type: 'kafka.messages',
    params: { topic: 'clicks', minCount: 1, minKeys: 3 },
    answers: messagesOf('clicks', [record(0, 0, 'u1', 'a'), record(0, 1, 'u2', 'b')]),
  },
  {
    type: 'kafka.messages',
    params: { topic: 'clicks', minCount: 2, perKeyOrder: true },
    answers: messagesOf('clicks', [record(0, 0, 'a', 'a-1'), record(1, 0, 'a', 'a-2')]),
  },
  {
    type: 'kafka.messages',
    params: { topic: 'clicks', minCount: 2, perKeyOrder: true },
    answers: messagesOf('clicks', [record(0, 0, 'a', 'a-2'), record(0, 1, 'a', 'a-1')]),
  },
  {
    type: 'kafka.messages',
    params: { topic: 'clicks', minCount: 2, perKeyOrder: true },
    answers: messagesOf('clicks', [record(0, 0, null, 'x'), record(0, 1, null, 'y')]),
  },
  {
    type: 'kafka.messages',
    params: { topic: 'clicks', count: 1 },
    answers: {
      'messages --topic clicks --max 1000': { exists: false, count: 0, truncated: false, messages: [] },
    },
  },
  { type: 'kafka.messages', params: { topic: 'clicks', count: 1 }, ctx: broken },
  // kafka.group
  {
    type: 'kafka.group',
    params: { group: 'g', state: 'Stable', members: 1, topic: 't', maxLag: 5 },
    answers: groupDoc(),
  },
  {
    type: 'kafka.group',
    params: { group: 'g', minMembers: 1, minLag: 1 },
    answers: groupDoc({ members: [], state: 'Empty' }),
  },
  { type: 'kafka.group', params: { group: 'g', exists: false }, answers: groupDoc() },
  {
    type: 'kafka.group',
    params: { group: 'g', exists: false },
    answers: groupDoc({ exists: false, state: 'Dead', members: [], offsets: [] }),
  },
  {
    type: 'kafka.group',
    params: { group: 'g' },
    answers: groupDoc({ exists: false, members: [], offsets: [] }),
  },
  { type: 'kafka.group', params: { group: 'g', members: 2 }, answers: groupDoc() },
  { type: 'kafka.group', params: { group: 'g', minMembers: 2 }, answers: groupDoc() },
  { type: 'kafka.group', params: { group: 'g', state: 'Empty' }, answers: groupDoc() },
  { type: 'kafka.group', params: { group: 'g', topic: 'other' }, answers: groupDoc() },
  { type: 'kafka.group', params: { group: 'g', maxLag: 0 }, answers: groupDoc() },
  { type: 'kafka.group', params: { group: 'g', minLag: 100 }, answers: groupDoc() },
  { type: 'kafka.group', params: { group: 'g' }, answers: { 'group g': kafkaDown } },
  { type: 'kafka.group', params: { group: 'g' }, ctx: broken },
  // zk.path
  {
    type: 'zk.path',
    params: { path: '/kafka/brokers/ids', childCount: 3 },
    answers: znode('/kafka/brokers/ids', ['1', '2', '3']),
  },
  {
    type: 'zk.path',
    params: { path: '/kafka/brokers/ids', children: ['1'] },
    answers: znode('/kafka/brokers/ids', ['1']),
  },
  { type: 'zk.path', params: { path: '/kafka' }, answers: znode('/kafka', []) },
  { type: 'zk.path', params: { path: '/kafka', exists: false }, answers: noZnode('/kafka') },
  { type: 'zk.path', params: { path: '/kafka', exists: false }, answers: znode('/kafka', ['brokers']) },
  { type: 'zk.path', params: { path: '/kafka' }, answers: noZnode('/kafka') },
  { type: 'zk.path', params: { path: '/kafka/controller' }, answers: noZnode('/kafka/controller') },
  {
    type: 'zk.path',
    params: { path: '/kafka/brokers/ids', children: ['1', '2', '3'] },
    answers: znode('/kafka/brokers/ids', []),
  },
  {
    type: 'zk.path',
    params: { path: '/kafka/brokers/ids', children: ['1', '2', '3'] },
    answers: znode('/kafka/brokers/ids', ['1']),
  },
  {
    type: 'zk.path',
    params: { path: '/kafka/brokers/ids', children: ['3'] },
    answers: znode('/kafka/brokers/ids', ['1', '2']),
  },
  {
    type: 'zk.path',
    params: { path: '/kafka/brokers/ids', childCount: 3 },
    answers: znode('/kafka/brokers/ids', ['1']),
  },
  {
    type: 'zk.path',
    params: { path: '/kafka/controller' },
    answers: znode('/kafka/controller', [], controllerData),
  },
  {
    type: 'zk.path',
    params: { path: '/kafka/controller', data: '"brokerid":[123]' },
    answers: znode('/kafka/controller', [], controllerData),
  },
  {
    type: 'zk.path',
    params: { path: '/kafka/controller', data: '"brokerid":[13]' },
    answers: znode('/kafka/controller', [], controllerData),
  },
  {
    type: 'zk.path',
    params: { path: '/kafka/controller', data: '"kraftControllerEpoch":\\d+' },
    answers: znode('/kafka/controller', [], kraftData),
  },
  {
    type: 'zk.path',
    params: { path: '/kafka/controller', data: '"brokerid":[123]' },
    answers: {
      ...noZnode('/kafka/controller'),
      'zk ls /kafka/controller': { path: '/kafka/controller', exists: true, children: [] },
      'zk get /kafka/controller': { path: '/kafka/controller', exists: false, data: null, stat: null },
    },
  },
  {
    type: 'zk.path',
    params: { path: '/kafka/config/topics/t', data: '"retention\\.ms":"\\d+"' },
    answers: znode('/kafka/config/topics/t', [], '{"version":1,"config":{}}'),
  },
  {
    type: 'zk.path',
    params: { path: '/kafka/config/topics/t', data: '"retention\\.ms"' },
    answers: znode('/kafka/config/topics/t', [], '{"version":1,"config":{"retention.ms":"60000"}}'),
  },
  { type: 'zk.path', params: { path: '/kafka/x', data: '^.+$' }, answers: znode('/kafka/x', [], '') },
  {
    type: 'zk.path',
    params: {
      path: '/kafka/brokers/topics/t',
      data: '"partitions":\\{("\\d+":\\[[\\d,]*\\],?){3}\\}',
      minVersion: 1,
    },
    answers: znode('/kafka/brokers/topics/t', ['partitions'], topicData, 0),
  },
  {
    type: 'zk.path',
    params: { path: '/kafka/brokers/topics/t', minVersion: 3 },
    answers: znode('/kafka/brokers/topics/t', ['partitions'], topicData, 2),
  },
  {
    type: 'zk.path',
    params: { path: '/kafka/brokers/topics/t', minVersion: 1 },
    answers: znode('/kafka/brokers/topics/t', ['partitions'], topicData, 1),
  },
  { type: 'zk.path', params: { path: '/kafka' }, answers: { 'zk ls /kafka': zookeeperDown } },
  { type: 'zk.path', params: { path: '/kafka' }, ctx: broken },
  // broker.config
  {
    type: 'broker.config',
    params: { broker: 2, key: 'log.retention.hours', value: 168 },
    answers: brokerConfig('168'),
  },
  {
    type: 'broker.config',
    params: { broker: 2, key: 'log.retention.hours', value: 24 },
    answers: brokerConfig('168'),
  },
  {
    type: 'broker.config',
    params: { broker: 2, key: 'log.retention.hours', matches: '^(24|48)$' },
    answers: brokerConfig('48'),
  },
  {
    type: 'broker.config',
    params: { broker: 2, key: 'log.retention.hours', matches: '^(24|48)$' },
    answers: brokerConfig('168'),
  },
  {
    type: 'broker.config',
    params: { broker: 2, key: 'log.retention.hours', value: 24 },
    answers: brokerConfig(null),
  },
  {
    type: 'broker.config',
    params: { broker: 2, key: 'log.retention.hours', matches: '\\d+' },
    answers: brokerConfig(''),
  },
  {
    type: 'broker.config',
    params: { broker: 2, key: 'log.retention.hours', value: 24 },
    answers: { 'broker-config --broker 2 --key log.retention.hours': kafkaDown },
  },
  {
    type: 'broker.config',
    params: { broker: 2, key: 'log.retention.hours', value: 24 },
    answers: {
      'broker-config --broker 2 --key log.retention.hours': new AgentError('not_found', ''),
    },
  },
  { type: 'broker.config', params: { broker: 2, key: 'log.retention.hours', value: 24 }, ctx: broken },
];

/** A check exercise as the loader makes it (parameters validated by the type). */
function exercise(type: string, raw: Record<string, unknown>, timeoutSec?: number): CheckExercise {
  const t = checkTypes.get(type);
  if (!t) throw new Error(`no check type ${type}`);
  return {
    kind: 'check',
    id: 'x',
    title: { zh: '检查', en: 'Check' },
    type,
    params: t.params.parse(raw),
    points: 10,
    hints: [],
    timeoutSec,
    line: 1,
  };
}

interface Rendered {
  readonly type: string;
  readonly result: CheckResult;
  readonly problems: string[];
}

async function render(s: Scenario): Promise<Rendered> {
  const e = exercise(s.type, s.params, s.timeoutSec);
  const result = await runCheck(e, s.ctx ?? clusterAnswering(s.answers ?? {}, s.exec));
  return {
    type: s.type,
    result,
    problems: problemsOf(result.message, patternsIn(e.params)),
  };
}

describe('check messages, in both languages', () => {
  it('read as sentences with one number format and no pattern syntax, for every branch', async () => {
    const rendered = await Promise.all(scenarios.map(render));
    expect(rendered.flatMap((r) => r.problems)).toEqual([]);
    // A fake that does not answer (a broken scenario) would hide the branch it was written for.
    expect(
      rendered
        .filter((r) => /the fake agent has no answer/.test(r.result.message.en))
        .map((r) => r.result.message.en),
    ).toEqual([]);
  });

  it('cover the pass, fail and error messages of every registered check type', async () => {
    const rendered = await Promise.all(scenarios.map(render));
    const seen = new Set(rendered.map((r) => `${r.type} ${r.result.status}`));
    const wanted = [...checkTypes.keys()].flatMap((type) =>
      (['pass', 'fail', 'error'] as const).map((status) => `${type} ${status}`),
    );
    expect(wanted.filter((w) => !seen.has(w))).toEqual([]);
  });

  it('give every check of the course reading messages, labels included', async () => {
    const course = loadCourse(path.resolve(import.meta.dirname, '../../../labs'), checkTypes);
    const checks = course.labs.flatMap((l) => l.exercises).filter((e) => e.kind === 'check');
    expect(checks.length).toBeGreaterThan(40);
    expect(checks.filter((c) => c.type === 'command' && c.params.label !== undefined).length).toBeGreaterThan(
      0,
    );
    const outcomes = await Promise.all(
      checks.flatMap((c) =>
        // A first, empty-handed attempt; one that prints something that is not it; one that exits 0.
        [
          studentCluster(printing('', 1)),
          studentCluster(printing('not yet')),
          studentCluster(printing('')),
        ].map(async (ctx) => {
          const r = await runCheck(c, ctx);
          // Every question the check asks has an answer here: an error is a gap in this fake.
          if (r.status === 'error') return [`${c.id}: could not run: ${r.message.en}`];
          return problemsOf(r.message, patternsIn(c.params)).map((p) => `${c.id}: ${p}`);
        }),
      ),
    );
    expect(outcomes.flat()).toEqual([]);
  });

  it('the rules catch what the issue saw', () => {
    const said = (zh: string, en: string) => problemsOf({ zh, en }).join('\n');
    const issue = said('发现 2 个存活的 broker（id：1, 3），应为 3 (id： 1, 2, 3)', 'Found 2.');
    expect(issue).toContain('an ASCII bracket in Chinese text');
    expect(issue).toContain('ASCII punctuation in Chinese text');
    expect(issue).toContain('a space after full-width punctuation');
    expect(issue).toContain('no closing 。');
    const regex = said(
      '还没有做到。',
      'The stdout of Topic cc-grow was created does not match /^PartitionCount: 3\\n.../; it was: no topic cc-grow',
    );
    expect(regex).toContain('a /^...$/ regex literal');
    expect(regex).toContain('a regex escape such as \\d or a literal \\n');
    expect(regex).toContain('no closing . ! or ?');
    expect(said('应为 [1-9] 个。', 'Two  brokers are up.')).toMatch(
      /regex character class[\s\S]*doubled spaces/,
    );
    expect(said('有3个broker在运行。', '3 brokers are up.')).toContain('no space between Chinese and Latin');
    expect(
      said(
        'broker 2 是 controller（/kafka/controller）。',
        'Broker 2 is the controller (/kafka/controller).',
      ),
    ).toBe('');
  });
});

/**
 * A cluster as a student may leave it, answering whatever a check asks: three brokers, one down;
 * a topic of theirs with one partition; an empty group; znodes with a child and some data.
 */
function studentCluster(exec: () => Partial<ExecResult>): CheckContext {
  return {
    patterns: sharedPatternPool,
    exec: () => Promise.resolve(execResult(exec())),
    cluster: clusterAgentFrom(<T>(args: readonly string[]): Promise<T> => {
      const [command, first = '', second = ''] = args;
      const answer = (() => {
        switch (command) {
          case 'snapshot':
            return snapshot([1, 3], [{ name: 'mine', internal: false, partitions: [part(0, [1])] }]).snapshot;
          case 'topic':
            return topicDoc(first, {
              partitions: [part(0, [1, 3], [1])],
              replicationFactor: 2,
              configs: {},
              records: 2,
            });
          case 'messages':
            return {
              topic: args[2],
              exists: true,
              count: 2,
              truncated: false,
              messages: [record(0, 0, 'k', 'v-2'), record(1, 1, 'k', 'v-1')],
            };
          case 'group':
            return groupDoc({ groupId: first, state: 'Empty', members: [] })['group g'];
          case 'zk':
            return first === 'ls'
              ? { path: second, exists: true, children: ['1'] }
              : {
                  path: second,
                  exists: true,
                  data: second.endsWith('/controller') ? controllerData : 'some data',
                  stat: { version: 0, numChildren: 1, ctime: 0, mtime: 0 },
                };
          case 'broker-config':
            return { broker: Number(first === '--broker' ? second : 0), configs: {} };
          default:
            return undefined;
        }
      })();
      return answer === undefined
        ? Promise.reject(new Error(`the fake cluster has no answer for "${args.join(' ')}"`))
        : Promise.resolve(answer as T);
    }),
  };
}
