import { z } from 'zod';
import type { TopicDoc } from '../../../agent/types.ts';
import { AgentError } from '../../cluster/ClusterAgent.ts';
import { fail, pass, type CheckContext, type CheckOutcome, type CheckType } from '../CheckType.ts';
import { patternString } from '../pattern.ts';
import { excerpt } from './basic.ts';

/**
 * Runs a check that needs a reachable cluster. "No broker answers" is the student's state to fix,
 * so it is a fail with a clear message; other agent failures propagate and become `error`.
 */
export async function withCluster(run: () => Promise<CheckOutcome>): Promise<CheckOutcome> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AgentError && err.code === 'kafka_unreachable') {
      return fail(
        `连不上任何 Kafka broker（bigdata01..03:9092）：Kafka 启动了吗？(${err.message})`,
        `No Kafka broker answers on bigdata01..03:9092: is Kafka running? (${err.message})`,
      );
    }
    if (err instanceof AgentError && err.code === 'zk_unreachable') {
      return fail(
        `连不上 ZooKeeper（bigdata01..03:2181）(${err.message})`,
        `ZooKeeper does not answer on bigdata01..03:2181 (${err.message})`,
      );
    }
    throw err;
  }
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

const list = (ids: readonly number[]): string => (ids.length === 0 ? '-' : ids.join(', '));

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
      if ((p.count !== undefined && up.length !== p.count) || (want && want.join() !== up.join())) {
        const expected = [p.count !== undefined ? `${p.count}` : '', want ? `(ids ${list(want)})` : '']
          .join(' ')
          .trim();
        return fail(
          `找到 ${up.length} 个运行中的 broker（id：${list(up)}），应为 ${expected.replace('ids', 'id：')}`,
          `Found ${up.length} live broker${up.length === 1 ? '' : 's'} (ids ${list(up)}), expected ${expected}`,
        );
      }
      return pass(
        `${up.length} 个 broker 在运行（id：${list(up)}）`,
        `${up.length} brokers are up (ids ${list(up)})`,
      );
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
  if (own.length === 0) return fail('还没有你自己创建的主题', 'There is no topic of your own yet');
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
  return last ?? fail('没有符合要求的主题', 'No topic fits');
}

function judgeTopic(t: TopicDoc, p: TopicParams): CheckOutcome {
  if (!p.exists) {
    return t.exists
      ? fail(`主题 ${p.topic} 仍然存在`, `Topic ${p.topic} still exists`)
      : pass(`主题 ${p.topic} 不存在，正确`, `Topic ${p.topic} does not exist, as expected`);
  }
  if (!t.exists) return fail(`没有主题 ${p.topic}`, `There is no topic ${p.topic}`);
  const n = t.partitions.length;
  if (p.partitions !== undefined && n !== p.partitions) {
    return fail(
      `主题 ${p.topic} 有 ${n} 个分区，应为 ${p.partitions}`,
      `Topic ${p.topic} has ${n} partition${n === 1 ? '' : 's'}, expected ${p.partitions}`,
    );
  }
  if (p.replicationFactor !== undefined && t.replicationFactor !== p.replicationFactor) {
    return fail(
      `主题 ${p.topic} 的副本数是 ${t.replicationFactor}，应为 ${p.replicationFactor}`,
      `Topic ${p.topic} has replication factor ${t.replicationFactor}, expected ${p.replicationFactor}`,
    );
  }
  for (const [key, value] of Object.entries(p.configs ?? {})) {
    const actual = t.configs[key];
    if (actual !== String(value)) {
      return fail(
        `主题 ${p.topic} 的 ${key} 是 ${actual ?? '默认值'}，应为 ${String(value)}`,
        `Topic ${p.topic} has ${key}=${actual ?? '(default)'}, expected ${String(value)}`,
      );
    }
  }
  if (p.inSync) {
    const behind = t.partitions.filter((x) => x.replicas.some((r) => !x.isr.includes(r)));
    if (behind.length > 0) {
      const parts = behind.map((x) => x.partition).join(', ');
      return fail(
        `主题 ${p.topic} 的分区 ${parts} 还有副本不在 ISR 中（不同步）`,
        `Topic ${p.topic} has replicas out of the ISR (not in sync) in partition${behind.length === 1 ? '' : 's'} ${parts}`,
      );
    }
  }
  if (p.preferredLeaders) {
    const moved = t.partitions.filter((x) => x.leader !== x.replicas[0]);
    if (moved.length > 0) {
      const parts = moved.map((x) => x.partition).join(', ');
      return fail(
        `主题 ${p.topic} 的分区 ${parts} 的 leader 不是首选副本`,
        `Topic ${p.topic} has a leader other than the preferred replica in partition${moved.length === 1 ? '' : 's'} ${parts}`,
      );
    }
  }
  if (p.minRecords !== undefined) {
    if (t.records === null) {
      return fail(
        `主题 ${p.topic} 有分区没有 leader，数不出它有多少条消息`,
        `Topic ${p.topic} has a partition without a leader, so its records cannot be counted`,
      );
    }
    if (t.records < p.minRecords) {
      return fail(
        `主题 ${p.topic} 中有 ${t.records} 条消息，应至少 ${p.minRecords}`,
        `Topic ${p.topic} holds ${t.records} records, expected at least ${p.minRecords}`,
      );
    }
  }
  return pass(
    `主题 ${p.topic}：${n} 个分区，副本数 ${t.replicationFactor}`,
    `Topic ${p.topic}: ${n} partition${n === 1 ? '' : 's'}, replication factor ${t.replicationFactor}`,
  );
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
      if (!m.exists) return fail(`没有主题 ${p.topic}`, `There is no topic ${p.topic}`);
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
      const byKey = p.key !== undefined ? [`key=${p.key}`] : [];
      const zh = [...byKey, ...(p.value !== undefined ? ['值符合要求'] : [])].join('，');
      const en = [...byKey, ...(p.value !== undefined ? ['with the expected value'] : [])].join(', ');
      const what = { zh: zh ? `（${zh}）` : '', en: en ? ` (${en})` : '' };
      const n = counted.length;
      if ((p.count !== undefined && n !== p.count) || (p.minCount !== undefined && n < p.minCount)) {
        const want = p.count !== undefined ? `${p.count}` : `≥ ${p.minCount}`;
        return fail(
          `主题 ${p.topic} 中有 ${n} 条消息${what.zh}，应为 ${want}`,
          `Topic ${p.topic} holds ${n} message${n === 1 ? '' : 's'}${what.en}, expected ${want}`,
        );
      }
      const keys = new Set(counted.map((x) => x.key));
      if (p.minKeys !== undefined && keys.size < p.minKeys) {
        return fail(
          `消息只用了 ${keys.size} 个不同的 key，应至少 ${p.minKeys} 个`,
          `The messages use ${keys.size} distinct key${keys.size === 1 ? '' : 's'}, expected at least ${p.minKeys}`,
        );
      }
      if (p.perKeyOrder) {
        for (const key of keys) {
          const mine = counted
            .filter((x) => x.key === key)
            .sort((a, b) => Number(a.offset) - Number(b.offset));
          const parts = new Set(mine.map((x) => x.partition));
          if (parts.size > 1) {
            return fail(
              `key ${String(key)} 的消息分布在 ${parts.size} 个分区中`,
              `Messages with key ${String(key)} are spread over ${parts.size} partitions`,
            );
          }
          const nums = mine.map((x) => trailingNumber(x.value ?? ''));
          const bad = nums.findIndex((v, i) => i > 0 && !(v > (nums[i - 1] ?? -Infinity)));
          if (nums.some(Number.isNaN) || bad > 0) {
            return fail(
              `key ${String(key)} 的消息没有按顺序：${excerpt(mine.map((x) => x.value).join(', '), 100)}`,
              `Messages with key ${String(key)} are out of order: ${excerpt(mine.map((x) => x.value).join(', '), 100)}`,
            );
          }
        }
      }
      return pass(
        `主题 ${p.topic} 中有 ${n} 条消息${what.zh}`,
        `Topic ${p.topic} holds ${n} message${n === 1 ? '' : 's'}${what.en}`,
      );
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
          ? fail(`消费者组 ${p.group} 仍然存在`, `Consumer group ${p.group} still exists`)
          : pass(`没有消费者组 ${p.group}，正确`, `There is no consumer group ${p.group}, as expected`);
      }
      if (!g.exists) return fail(`没有消费者组 ${p.group}`, `There is no consumer group ${p.group}`);
      const members = g.members.length;
      if (
        (p.members !== undefined && members !== p.members) ||
        (p.minMembers !== undefined && members < p.minMembers)
      ) {
        const want = p.members !== undefined ? `${p.members}` : `≥ ${p.minMembers}`;
        return fail(
          `消费者组 ${p.group} 有 ${members} 个成员，应为 ${want}`,
          `Consumer group ${p.group} has ${members} member${members === 1 ? '' : 's'}, expected ${want}`,
        );
      }
      if (p.state !== undefined && g.state !== p.state) {
        return fail(
          `消费者组 ${p.group} 的状态是 ${g.state}，应为 ${p.state}`,
          `Consumer group ${p.group} is ${g.state}, expected ${p.state}`,
        );
      }
      const offsets = g.offsets.filter((o) => p.topic === undefined || o.topic === p.topic);
      if (p.topic !== undefined && !offsets.some((o) => o.committed >= 0)) {
        return fail(
          `消费者组 ${p.group} 在主题 ${p.topic} 上没有提交过 offset`,
          `Consumer group ${p.group} has no committed offsets on topic ${p.topic}`,
        );
      }
      const lag = offsets.reduce((sum, o) => sum + (o.lag ?? 0), 0);
      if (p.maxLag !== undefined && lag > p.maxLag) {
        return fail(
          `消费者组 ${p.group} 的积压（lag）是 ${lag}，应不超过 ${p.maxLag}`,
          `Consumer group ${p.group} has lag ${lag}, expected at most ${p.maxLag}`,
        );
      }
      if (p.minLag !== undefined && lag < p.minLag) {
        return fail(
          `消费者组 ${p.group} 的积压（lag）是 ${lag}，应至少 ${p.minLag}`,
          `Consumer group ${p.group} has lag ${lag}, expected at least ${p.minLag}`,
        );
      }
      return pass(
        `消费者组 ${p.group}：${g.state}，${members} 个成员，lag ${lag}`,
        `Consumer group ${p.group}: ${g.state}, ${members} member${members === 1 ? '' : 's'}, lag ${lag}`,
      );
    }),
};
