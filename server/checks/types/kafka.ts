import { z } from 'zod';
import type { TopicDoc } from '../../../agent/types.ts';
import { AgentError } from '../../cluster/ClusterAgent.ts';
import { fail, pass, type CheckContext, type CheckOutcome, type CheckType } from '../CheckType.ts';
import { patternString } from '../pattern.ts';
import { isAre, listEn, listZh, plural, quoted } from '../messages.ts';

/**
 * Runs a check that needs a reachable cluster. "No broker answers" is the student's state to fix,
 * so it is a fail with a clear message; other agent failures propagate and become `error`.
 */
export async function withCluster(run: () => Promise<CheckOutcome>): Promise<CheckOutcome> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AgentError && err.code === 'kafka_unreachable') {
      const said = reported(err.message);
      return fail(
        `bigdata01、bigdata02、bigdata03 的 9092 端口上都没有 Kafka broker 应答，请确认 Kafka 已经启动。${said.zh}`,
        `No Kafka broker answers on port 9092 of bigdata01, bigdata02 or bigdata03; is Kafka running?${said.en}`,
      );
    }
    if (err instanceof AgentError && err.code === 'zk_unreachable') {
      const said = reported(err.message);
      return fail(
        `bigdata01、bigdata02、bigdata03 的 2181 端口上都没有 ZooKeeper 应答，请确认 ZooKeeper 已经启动。${said.zh}`,
        `ZooKeeper does not answer on port 2181 of bigdata01, bigdata02 or bigdata03; is it running?${said.en}`,
      );
    }
    throw err;
  }
}

/**
 * The agent's own words on a failure, as a closing sentence in each language ('' when it said
 * nothing); the English one starts with the space that separates it from the sentence before.
 */
export function reported(detail: string): { zh: string; en: string } {
  const said = quoted(detail, 200);
  return said ? { zh: `详情：${said.zh}。`, en: ` The agent reported: ${said.en}.` } : { zh: '', en: '' };
}

/**
 * The number at the end of a message value (`a-12` → 12), NaN when there is none. Read by hand:
 * `/(\d+)\s*$/` backtracks quadratically on a long run of digits not at the end, and message
 * values are the student's.
 */
export function trailingNumber(value: string): number {
  const text = value.trimEnd();
  let start = text.length;
  while (start > 0 && text.charCodeAt(start - 1) >= 48 && text.charCodeAt(start - 1) <= 57) start--;
  return start === text.length ? NaN : Number(text.slice(start));
}

const brokersParams = z
  .object({
    count: z.number().int().min(0).max(3).optional(),
    ids: z.array(z.number().int().min(0)).optional(),
  })
  .strict()
  .refine((p) => p.count !== undefined || p.ids !== undefined, 'give count, ids or both');

/** `kafka.brokers`: how many brokers are up, and which ids. */
export const brokersCheck: CheckType<z.infer<typeof brokersParams>> = {
  id: 'kafka.brokers',
  describe: 'The number of live brokers and/or their ids',
  params: brokersParams,
  run: (ctx, p, signal) =>
    withCluster(async () => {
      const snap = await ctx.cluster.snapshot({ signal });
      const up = snap.brokers
        .filter((b) => b.up)
        .map((b) => b.id)
        .sort((a, b) => a - b);
      const want = p.ids ? [...p.ids].sort((a, b) => a - b) : undefined;
      const found =
        up.length === 0
          ? { zh: '没有 broker 在运行', en: 'No broker is up' }
          : {
              zh: `有 ${up.length} 个 broker 在运行（id：${listZh(up)}）`,
              en: `${plural(up.length, 'broker')} ${isAre(up.length)} up (${up.length === 1 ? 'id' : 'ids'} ${listEn(up)})`,
            };
      if ((p.count !== undefined && up.length !== p.count) || (want && want.join() !== up.join())) {
        // Ids say more than a count; a count that disagrees with them is said too.
        const expected = want
          ? {
              zh: `应为 broker ${listZh(want)}${p.count !== undefined && p.count !== want.length ? `，共 ${p.count} 个` : ''}`,
              en: `the exercise expects ${want.length === 1 ? 'broker' : 'brokers'} ${listEn(want)}${p.count !== undefined && p.count !== want.length ? `, ${p.count} in all` : ''}`,
            }
          : { zh: `应有 ${p.count} 个`, en: `the exercise expects ${p.count}` };
        return fail(`${found.zh}，${expected.zh}。`, `${found.en}; ${expected.en}.`);
      }
      return up.length === 0
        ? pass('没有 broker 在运行，符合要求。', 'No broker is up, as expected.')
        : pass(`${found.zh}。`, `${found.en}.`);
    }),
};

const topicParams = z
  .object({
    /** The topic's name... */
    topic: z.string().min(1).optional(),
    /** ...or any topic of the student's own (not internal, not starting with __) that fits. */
    anyTopic: z.literal(true).optional(),
    /** With anyTopic: names matching this pattern do not count (topics earlier labs made). */
    excluding: patternString.optional(),
    exists: z.boolean().default(true),
    partitions: z.number().int().min(1).optional(),
    replicationFactor: z.number().int().min(1).optional(),
    /** Topic-level settings that must be set, e.g. { retention.ms: 3600000 }. */
    configs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    /** Every partition's ISR holds all its replicas. */
    inSync: z.literal(true).optional(),
    /** Every partition is led by its preferred (first-listed) replica. */
    preferredLeaders: z.literal(true).optional(),
    /** At least this many records between log start and end, over all partitions. */
    minRecords: z.number().int().min(1).optional(),
  })
  .strict()
  .refine(
    (p) => (p.topic === undefined) !== (p.anyTopic === undefined),
    'give either topic or anyTopic: true',
  )
  .refine((p) => p.anyTopic === undefined || p.exists, 'anyTopic cannot be combined with exists: false')
  .refine((p) => p.excluding === undefined || p.anyTopic !== undefined, 'excluding goes with anyTopic');

/** `kafka.topic`: a topic exists (or not) with partitions, replication factor and configs. */
export const topicCheck: CheckType<z.infer<typeof topicParams>> = {
  id: 'kafka.topic',
  describe: 'A topic exists (or not), with a number of partitions, a replication factor and topic configs',
  params: topicParams,
  run: (ctx, p, signal) =>
    withCluster(async () => {
      if (p.topic === undefined) return anyTopic(ctx, p, signal);
      const t = await ctx.cluster.topic(p.topic, { signal });
      return judgeTopic(t, { ...p, topic: p.topic });
    }),
};

type TopicParams = z.infer<typeof topicParams> & { topic: string };

/** Whether some topic of the student's own has the wanted shape; names the closest miss. */
async function anyTopic(
  ctx: CheckContext,
  p: z.infer<typeof topicParams>,
  signal: AbortSignal,
): Promise<CheckOutcome> {
  const snap = await ctx.cluster.snapshot({ signal });
  const candidates = snap.topics.filter((t) => !t.internal && !t.name.startsWith('__'));
  const excluded =
    p.excluding === undefined
      ? candidates.map(() => false)
      : await ctx.patterns.testEach(
          p.excluding,
          candidates.map((t) => t.name),
          signal,
        );
  const own = candidates.filter((_, i) => excluded[i] !== true);
  if (own.length === 0)
    return fail('你还没有创建自己的主题。', 'You have not created a topic of your own yet.');
  let last: CheckOutcome | undefined;
  for (const t of own) {
    const shapeFits =
      (p.partitions === undefined || t.partitions.length === p.partitions) &&
      (p.replicationFactor === undefined || t.partitions[0]?.replicas.length === p.replicationFactor);
    const needsDetail = p.configs !== undefined || p.minRecords !== undefined;
    const detail = shapeFits && needsDetail ? await ctx.cluster.topic(t.name, { signal }) : undefined;
    const answer: TopicDoc = detail ?? {
      name: t.name,
      exists: true,
      partitions: t.partitions,
      replicationFactor: t.partitions[0]?.replicas.length ?? 0,
      configs: {},
      records: null,
    };
    last = judgeTopic(
      answer,
      detail ? { ...p, topic: t.name } : { ...p, topic: t.name, configs: undefined, minRecords: undefined },
    );
    if (last.status === 'pass') return last;
  }
  return last ?? fail('你的主题都还不符合要求。', 'None of your topics fits yet.');
}

function judgeTopic(t: TopicDoc, p: TopicParams): CheckOutcome {
  if (!p.exists) {
    return t.exists
      ? fail(`主题 ${p.topic} 仍然存在。`, `Topic ${p.topic} still exists.`)
      : pass(`主题 ${p.topic} 不存在，符合要求。`, `Topic ${p.topic} does not exist, as expected.`);
  }
  if (!t.exists) return noTopic(p.topic);
  const n = t.partitions.length;
  if (p.partitions !== undefined && n !== p.partitions) {
    return fail(
      `主题 ${p.topic} 有 ${n} 个分区，应为 ${p.partitions} 个。`,
      `Topic ${p.topic} has ${plural(n, 'partition')}; the exercise expects ${p.partitions}.`,
    );
  }
  if (p.replicationFactor !== undefined && t.replicationFactor !== p.replicationFactor) {
    return fail(
      `主题 ${p.topic} 的副本数是 ${t.replicationFactor}，应为 ${p.replicationFactor}。`,
      `Topic ${p.topic} has replication factor ${t.replicationFactor}; the exercise expects ${p.replicationFactor}.`,
    );
  }
  for (const [key, value] of Object.entries(p.configs ?? {})) {
    const actual = t.configs[key];
    if (actual !== String(value)) {
      return actual === undefined
        ? fail(
            `主题 ${p.topic} 的 ${key} 还是默认值，应为 ${String(value)}。`,
            `Topic ${p.topic} leaves ${key} at its default; the exercise expects ${String(value)}.`,
          )
        : fail(
            `主题 ${p.topic} 的 ${key} 是 ${actual}，应为 ${String(value)}。`,
            `Topic ${p.topic} has ${key} set to ${actual}; the exercise expects ${String(value)}.`,
          );
    }
  }
  if (p.inSync) {
    const behind = t.partitions.filter((x) => x.replicas.some((r) => !x.isr.includes(r)));
    if (behind.length > 0) {
      const parts = behind.map((x) => x.partition);
      return fail(
        `主题 ${p.topic} 的分区 ${listZh(parts)} 还有副本不在 ISR 中，没有同步。`,
        `Topic ${p.topic} has replicas out of sync (not in the ISR) in ${parts.length === 1 ? 'partition' : 'partitions'} ${listEn(parts)}.`,
      );
    }
  }
  if (p.preferredLeaders) {
    const moved = t.partitions.filter((x) => x.leader !== x.replicas[0]);
    if (moved.length > 0) {
      const parts = moved.map((x) => x.partition);
      return fail(
        `主题 ${p.topic} 的分区 ${listZh(parts)} 的 leader 还不是首选副本。`,
        moved.length === 1
          ? `In topic ${p.topic}, partition ${listEn(parts)} is not led by its preferred replica.`
          : `In topic ${p.topic}, partitions ${listEn(parts)} are not led by their preferred replicas.`,
      );
    }
  }
  if (p.minRecords !== undefined) {
    if (t.records === null) {
      return fail(
        `主题 ${p.topic} 有分区没有 leader，数不出它有多少条消息。`,
        `Topic ${p.topic} has a partition without a leader, so its records cannot be counted.`,
      );
    }
    if (t.records < p.minRecords) {
      return fail(
        `主题 ${p.topic} 中有 ${t.records} 条消息，应至少有 ${p.minRecords} 条。`,
        `Topic ${p.topic} holds ${plural(t.records, 'record')}; the exercise expects at least ${p.minRecords}.`,
      );
    }
  }
  return pass(
    `主题 ${p.topic} 有 ${n} 个分区，副本数为 ${t.replicationFactor}。`,
    `Topic ${p.topic} has ${plural(n, 'partition')} and replication factor ${t.replicationFactor}.`,
  );
}

/** A topic that should be there and is not. */
function noTopic(topic: string): CheckOutcome {
  return fail(`还没有主题 ${topic}。`, `There is no topic ${topic} yet.`);
}

const messagesParams = z
  .object({
    topic: z.string().min(1),
    /** Only messages with this key count. */
    key: z.string().optional(),
    /** Only messages whose value matches count. */
    value: patternString.optional(),
    count: z.number().int().min(0).optional(),
    minCount: z.number().int().min(1).optional(),
    /** At least this many distinct keys among the counted messages. */
    minKeys: z.number().int().min(1).optional(),
    /**
     * Per-key ordering: every key's messages sit in one partition and the number at the end of
     * their values grows with the offset (what Kafka guarantees for keyed messages).
     */
    perKeyOrder: z.boolean().default(false),
  })
  .strict()
  .refine((p) => p.count !== undefined || p.minCount !== undefined, 'give count or minCount');

/** `kafka.messages`: how many messages (with a key / value pattern) a topic holds, and their order. */
export const messagesCheck: CheckType<z.infer<typeof messagesParams>> = {
  id: 'kafka.messages',
  describe:
    'Messages in a topic: count (exact or minimum), key and value patterns, distinct keys, per-key order',
  params: messagesParams,
  run: (ctx, p, signal) =>
    withCluster(async () => {
      const max = Math.max(1000, (p.count ?? p.minCount ?? 0) + 100);
      const m = await ctx.cluster.messages(p.topic, max, { signal });
      if (!m.exists) return noTopic(p.topic);
      const keyed = m.messages.filter((x) => p.key === undefined || x.key === p.key);
      const valueFits =
        p.value === undefined
          ? keyed.map(() => true)
          : await ctx.patterns.testEach(
              p.value,
              keyed.map((x) => x.value ?? ''),
              signal,
            );
      const counted = keyed.filter((_, i) => valueFits[i] === true);
      // The value pattern stays unsaid: it is part of the answer.
      // zh spaces an ASCII key off the Chinese around it: "2 条 key 为 u1 且值符合要求的消息".
      const what = {
        zh:
          p.key !== undefined
            ? ` key 为 ${p.key} ${p.value !== undefined ? '且值符合要求' : ''}的`
            : p.value !== undefined
              ? '值符合要求的'
              : '',
        en: [
          ...(p.key !== undefined ? [`with key ${p.key}`] : []),
          ...(p.value !== undefined ? ['with the expected value'] : []),
        ].join(' and '),
      };
      const n = counted.length;
      const holds = {
        zh: `主题 ${p.topic} 中有 ${n} 条${what.zh}消息`,
        en: `Topic ${p.topic} holds ${plural(n, 'message')}${what.en ? ` ${what.en}` : ''}`,
      };
      if ((p.count !== undefined && n !== p.count) || (p.minCount !== undefined && n < p.minCount)) {
        const want =
          p.count !== undefined
            ? { zh: `应为 ${p.count} 条`, en: `the exercise expects ${p.count}` }
            : { zh: `应至少有 ${p.minCount} 条`, en: `the exercise expects at least ${p.minCount}` };
        return fail(`${holds.zh}，${want.zh}。`, `${holds.en}; ${want.en}.`);
      }
      const keys = new Set(counted.map((x) => x.key));
      if (p.minKeys !== undefined && keys.size < p.minKeys) {
        return fail(
          `这些消息只用了 ${keys.size} 个不同的 key，应至少有 ${p.minKeys} 个。`,
          `The messages use ${plural(keys.size, 'distinct key')}; the exercise expects at least ${p.minKeys}.`,
        );
      }
      if (p.perKeyOrder) {
        for (const key of keys) {
          const mine = counted
            .filter((x) => x.key === key)
            .sort((a, b) => Number(a.offset) - Number(b.offset));
          const whose =
            key === null
              ? { zh: '没有 key 的消息', en: 'Messages without a key' }
              : { zh: `key 为 ${key} 的消息`, en: `Messages with key ${key}` };
          const parts = new Set(mine.map((x) => x.partition));
          if (parts.size > 1) {
            return fail(
              `${whose.zh}分布在 ${parts.size} 个分区中，应该都在同一个分区里。`,
              `${whose.en} are spread over ${parts.size} partitions; they should all be in one.`,
            );
          }
          const nums = mine.map((x) => trailingNumber(x.value ?? ''));
          const bad = nums.findIndex((v, i) => i > 0 && !(v > (nums[i - 1] ?? -Infinity)));
          if (nums.some(Number.isNaN) || bad > 0) {
            const values = mine.map((x) => x.value ?? '');
            const zh = quoted(values.join('、'), 100);
            const en = quoted(values.join(', '), 100);
            return fail(
              `${whose.zh}顺序不对${zh ? `，按 offset 排列的值是${zh.zh}` : ''}。`,
              `${whose.en} are out of order${en ? `; by offset, their values are ${en.en}` : ''}.`,
            );
          }
        }
      }
      return pass(`${holds.zh}。`, `${holds.en}.`);
    }),
};

const groupParams = z
  .object({
    group: z.string().min(1),
    exists: z.boolean().default(true),
    members: z.number().int().min(0).optional(),
    minMembers: z.number().int().min(1).optional(),
    state: z.enum(['Stable', 'Empty', 'PreparingRebalance', 'CompletingRebalance', 'Dead']).optional(),
    /** The group must have committed offsets on this topic. */
    topic: z.string().optional(),
    /** Total lag at most this (on `topic` when given). */
    maxLag: z.number().int().min(0).optional(),
    /** Total lag at least this: a backlog the student is meant to create. */
    minLag: z.number().int().min(1).optional(),
  })
  .strict();

/** `kafka.group`: a consumer group exists, with members, state, committed offsets and lag. */
export const groupCheck: CheckType<z.infer<typeof groupParams>> = {
  id: 'kafka.group',
  describe: 'A consumer group: exists, members, state, committed offsets on a topic, lag bounds',
  params: groupParams,
  run: (ctx, p, signal) =>
    withCluster(async () => {
      const g = await ctx.cluster.group(p.group, { signal });
      if (!p.exists) {
        return g.exists
          ? fail(`消费者组 ${p.group} 仍然存在。`, `Consumer group ${p.group} still exists.`)
          : pass(
              `没有消费者组 ${p.group}，符合要求。`,
              `There is no consumer group ${p.group}, as expected.`,
            );
      }
      if (!g.exists) return fail(`还没有消费者组 ${p.group}。`, `There is no consumer group ${p.group} yet.`);
      const members = g.members.length;
      if (
        (p.members !== undefined && members !== p.members) ||
        (p.minMembers !== undefined && members < p.minMembers)
      ) {
        const want =
          p.members !== undefined
            ? { zh: `应为 ${p.members} 个`, en: `the exercise expects ${p.members}` }
            : { zh: `应至少有 ${p.minMembers} 个`, en: `the exercise expects at least ${p.minMembers}` };
        return fail(
          `消费者组 ${p.group} 有 ${members} 个成员，${want.zh}。`,
          `Consumer group ${p.group} has ${plural(members, 'member')}; ${want.en}.`,
        );
      }
      if (p.state !== undefined && g.state !== p.state) {
        return fail(
          `消费者组 ${p.group} 的状态是 ${g.state}，应为 ${p.state}。`,
          `Consumer group ${p.group} is in state ${g.state}; the exercise expects ${p.state}.`,
        );
      }
      const offsets = g.offsets.filter((o) => p.topic === undefined || o.topic === p.topic);
      if (p.topic !== undefined && !offsets.some((o) => o.committed >= 0)) {
        return fail(
          `消费者组 ${p.group} 还没有在主题 ${p.topic} 上提交过 offset。`,
          `Consumer group ${p.group} has not committed any offsets on topic ${p.topic} yet.`,
        );
      }
      const lag = offsets.reduce((sum, o) => sum + (o.lag ?? 0), 0);
      if (p.maxLag !== undefined && lag > p.maxLag) {
        return fail(
          `消费者组 ${p.group} 的积压（lag）是 ${lag}，应不超过 ${p.maxLag}。`,
          `Consumer group ${p.group} has a lag of ${lag}; the exercise expects at most ${p.maxLag}.`,
        );
      }
      if (p.minLag !== undefined && lag < p.minLag) {
        return fail(
          `消费者组 ${p.group} 的积压（lag）是 ${lag}，应至少为 ${p.minLag}。`,
          `Consumer group ${p.group} has a lag of ${lag}; the exercise expects at least ${p.minLag}.`,
        );
      }
      return pass(
        `消费者组 ${p.group} 处于 ${g.state} 状态，有 ${members} 个成员，积压（lag）为 ${lag}。`,
        `Consumer group ${p.group} is ${g.state}, with ${plural(members, 'member')} and a lag of ${lag}.`,
      );
    }),
};
