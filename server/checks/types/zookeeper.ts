import { z } from 'zod';
import { AgentError } from '../../cluster/ClusterAgent.ts';
import type { BrokerConfigDoc } from '../../../agent/types.ts';
import { fail, pass, type CheckType } from '../CheckType.ts';
import { multilinePatternString, patternString } from '../pattern.ts';
import { withCluster } from './kafka.ts';
import { excerpt } from './basic.ts';

const zkParams = z
  .object({
    path: z.string().regex(/^\//, 'an absolute znode path, e.g. /kafka/brokers/ids'),
    exists: z.boolean().default(true),
    /** These children must all be present. */
    children: z.array(z.string()).optional(),
    childCount: z.number().int().min(0).optional(),
    /** The znode's data must match. */
    data: multilinePatternString.optional(),
    /** Its data was changed at least this many times since it was created (the stat's version). */
    minVersion: z.number().int().min(1).optional(),
  })
  .strict();

/** `zk.path`: a znode exists (or not), with children and data. */
export const zkPathCheck: CheckType<z.infer<typeof zkParams>> = {
  id: 'zk.path',
  describe:
    'A ZooKeeper znode exists (or not), has given children or a child count, or data matching a pattern',
  params: zkParams,
  run: (ctx, p, signal) =>
    withCluster(async () => {
      const ls = await ctx.cluster.zkLs(p.path, { signal });
      if (!p.exists) {
        return ls.exists
          ? fail(`ZooKeeper 中仍有 ${p.path}`, `${p.path} still exists in ZooKeeper`)
          : pass(`ZooKeeper 中没有 ${p.path}，正确`, `${p.path} does not exist in ZooKeeper, as expected`);
      }
      if (!ls.exists) return fail(`ZooKeeper 中没有 ${p.path}`, `There is no ${p.path} in ZooKeeper`);
      const missing = (p.children ?? []).filter((c) => !ls.children.includes(c));
      if (missing.length > 0) {
        return fail(
          `${p.path} 的子节点是 [${ls.children.join(', ')}]，缺少 ${missing.join(', ')}`,
          `${p.path} has children [${ls.children.join(', ')}], missing ${missing.join(', ')}`,
        );
      }
      if (p.childCount !== undefined && ls.children.length !== p.childCount) {
        return fail(
          `${p.path} 有 ${ls.children.length} 个子节点，应为 ${p.childCount}`,
          `${p.path} has ${ls.children.length} children, expected ${p.childCount}`,
        );
      }
      if (p.data !== undefined || p.minVersion !== undefined) {
        const got = await ctx.cluster.zkGet(p.path, { signal });
        if (p.data !== undefined && !(await ctx.patterns.test(p.data, got.data ?? '', signal))) {
          return fail(
            `${p.path} 的数据不符合要求：${excerpt(got.data ?? '')}`,
            `The data of ${p.path} is not what was expected: ${excerpt(got.data ?? '')}`,
          );
        }
        const version = got.stat?.version ?? 0;
        if (p.minVersion !== undefined && version < p.minVersion) {
          return fail(
            `${p.path} 的数据版本是 ${version}（创建后改过 ${version} 次），应至少为 ${p.minVersion}`,
            `${p.path} has data version ${version} (changed ${version} times since it was created), expected at least ${p.minVersion}`,
          );
        }
      }
      return pass(
        `ZooKeeper 中有 ${p.path}（子节点：${ls.children.join(', ') || '无'}）`,
        `${p.path} exists in ZooKeeper (children: ${ls.children.join(', ') || 'none'})`,
      );
    }),
};

const brokerConfigParams = z
  .object({
    broker: z.number().int().min(0),
    key: z.string().min(1),
    /** The effective value must equal this... */
    value: z.union([z.string(), z.number(), z.boolean()]).optional(),
    /** ...or match this pattern. */
    matches: patternString.optional(),
  })
  .strict()
  .refine((p) => p.value !== undefined || p.matches !== undefined, 'give value or matches');

/** `broker.config`: a broker's effective value of a setting (as the broker itself reports it). */
export const brokerConfigCheck: CheckType<z.infer<typeof brokerConfigParams>> = {
  id: 'broker.config',
  describe: "A broker's effective value of a setting, as reported by the running broker",
  params: brokerConfigParams,
  async run(ctx, p, signal) {
    let answer: BrokerConfigDoc;
    try {
      answer = await ctx.cluster.brokerConfig(p.broker, p.key, { signal });
    } catch (err) {
      if (err instanceof AgentError && (err.code === 'kafka_unreachable' || err.code === 'not_found')) {
        return fail(
          `读不到 broker ${p.broker} 的配置 ${p.key}：${err.message}`,
          `Cannot read ${p.key} of broker ${p.broker}: ${err.message}`,
        );
      }
      throw err;
    }
    const actual = answer.configs[p.key]?.value ?? null;
    const ok =
      p.value !== undefined
        ? actual === String(p.value)
        : p.matches !== undefined && (await ctx.patterns.test(p.matches, actual ?? '', signal));
    // An exact value is what the exercise text asks for; a pattern stays unsaid.
    const want =
      p.value !== undefined
        ? { zh: `，应为 ${String(p.value)}`, en: `, expected ${String(p.value)}` }
        : { zh: '，不符合要求', en: ', which is not what was expected' };
    return ok
      ? pass(`broker ${p.broker} 的 ${p.key} = ${actual}`, `Broker ${p.broker} has ${p.key}=${actual}`)
      : fail(
          `broker ${p.broker} 的 ${p.key} 是 ${actual ?? '空'}${want.zh}`,
          `Broker ${p.broker} has ${p.key}=${actual ?? '(none)'}${want.en}`,
        );
  },
};
