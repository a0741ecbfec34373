import { z } from 'zod';
import { AgentError } from '../../cluster/ClusterAgent.ts';
import type { BrokerConfigDoc } from '../../../agent/types.ts';
import { fail, pass, type CheckOutcome, type CheckType } from '../CheckType.ts';
import { listEn, listZh, plural, quoted } from '../messages.ts';
import { multilinePatternString, patternString } from '../pattern.ts';
import { reported, withCluster } from './kafka.ts';

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
          ? fail(`ZooKeeper 中仍然有 ${p.path}。`, `${p.path} still exists in ZooKeeper.`)
          : pass(
              `ZooKeeper 中没有 ${p.path}，符合要求。`,
              `${p.path} does not exist in ZooKeeper, as expected.`,
            );
      }
      if (!ls.exists) return noZnode(p.path);
      const missing = (p.children ?? []).filter((c) => !ls.children.includes(c));
      if (missing.length > 0) {
        return ls.children.length === 0
          ? fail(
              `${p.path} 下还没有子节点，应有 ${listZh(missing)}。`,
              `${p.path} has no children yet; it should have ${listEn(missing)}.`,
            )
          : fail(
              `${p.path} 的子节点是 ${listZh(ls.children)}，还缺少 ${listZh(missing)}。`,
              `${p.path} has ${ls.children.length === 1 ? 'child' : 'children'} ${listEn(ls.children)}, but ${listEn(missing)} ${missing.length === 1 ? 'is' : 'are'} missing.`,
            );
      }
      if (p.childCount !== undefined && ls.children.length !== p.childCount) {
        return fail(
          `${p.path} 有 ${ls.children.length} 个子节点，应为 ${p.childCount} 个。`,
          `${p.path} has ${plural(ls.children.length, 'child', 'children')}; the exercise expects ${p.childCount}.`,
        );
      }
      const exists =
        ls.children.length === 0
          ? pass(`ZooKeeper 中有 ${p.path}。`, `${p.path} exists in ZooKeeper.`)
          : pass(
              `ZooKeeper 中有 ${p.path}，子节点是 ${listZh(ls.children)}。`,
              `${p.path} exists in ZooKeeper, with ${ls.children.length === 1 ? 'child' : 'children'} ${listEn(ls.children)}.`,
            );
      // The controller znode is read whatever the parameters, so the message can name the controller.
      if (p.data === undefined && p.minVersion === undefined && !isControllerPath(p.path)) return exists;
      const got = await ctx.cluster.zkGet(p.path, { signal });
      // An ephemeral znode (the controller's) can go between the two reads.
      if (!got.exists) return noZnode(p.path);
      const data = got.data ?? '';
      const controller = controllerIn(p.path, data);
      if (p.data !== undefined && !(await ctx.patterns.test(p.data, data, signal))) {
        return wrongData(p.path, data, controller);
      }
      const version = got.stat?.version ?? 0;
      if (p.minVersion !== undefined && version < p.minVersion) {
        return fail(
          version === 0
            ? `${p.path} 的数据创建后还没有改过（数据版本 0），应至少改过 ${p.minVersion} 次。`
            : `${p.path} 的数据创建后只改过 ${version} 次，应至少改过 ${p.minVersion} 次。`,
          version === 0
            ? `The data of ${p.path} has not changed since it was created (data version 0); it should have changed at least ${times(p.minVersion)}.`
            : `The data of ${p.path} has changed only ${times(version)} since it was created; it should have changed at least ${times(p.minVersion)}.`,
        );
      }
      if (controller) return pass(`${controller.zh}（${p.path}）。`, `${controller.en} (${p.path}).`);
      if (p.data === undefined && p.minVersion === undefined) return exists;
      return p.minVersion !== undefined
        ? pass(
            `ZooKeeper 中有 ${p.path}，创建后数据改过 ${version} 次。`,
            `${p.path} exists in ZooKeeper, and its data has changed ${times(version)} since it was created.`,
          )
        : pass(
            `ZooKeeper 中有 ${p.path}，数据符合要求。`,
            `${p.path} exists in ZooKeeper with the expected data.`,
          );
    }),
};

/** A znode that should be there and is not; for the controller's, what that means. */
function noZnode(path: string): CheckOutcome {
  return isControllerPath(path)
    ? fail(
        `ZooKeeper 中还没有 ${path}，也就是还没有选出 controller。`,
        `There is no ${path} in ZooKeeper yet, so no controller has been elected.`,
      )
    : fail(`ZooKeeper 中还没有 ${path}。`, `There is no ${path} in ZooKeeper yet.`);
}

/** "once", "twice", "3 times". */
function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}

/** Whether a znode is Kafka's controller znode (`/controller` under the chroot, if any). */
function isControllerPath(path: string): boolean {
  return path.endsWith('/controller');
}

/**
 * Who the controller is, when `data` is Kafka's controller znode (`{"version":..,"brokerid":N,...}`,
 * with `kraftControllerEpoch` since 3.4): a ZooKeeper-mode broker, or a KRaft controller node
 * during a migration (epoch ≥ 0). Undefined for any other znode or data.
 */
export function controllerIn(path: string, data: string): { zh: string; en: string } | undefined {
  if (!isControllerPath(path)) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const { brokerid, version, kraftControllerEpoch } = doc as Record<string, unknown>;
  if (typeof brokerid !== 'number' || typeof version !== 'number') return undefined;
  return typeof kraftControllerEpoch === 'number' && kraftControllerEpoch >= 0
    ? {
        zh: `KRaft controller 节点 ${brokerid} 是当前的 controller`,
        en: `KRaft controller node ${brokerid} is the active controller`,
      }
    : { zh: `broker ${brokerid} 是 controller`, en: `Broker ${brokerid} is the controller` };
}

/** A znode whose data does not fit: what it means when known, else the data quoted. */
function wrongData(
  path: string,
  data: string,
  controller: { zh: string; en: string } | undefined,
): CheckOutcome {
  if (controller) {
    return fail(
      `${path} 显示 ${controller.zh}，这还不符合练习的要求。`,
      `According to ${path}, ${controller.en.charAt(0).toLowerCase()}${controller.en.slice(1)}, which is not what the exercise expects yet.`,
    );
  }
  const seen = quoted(data);
  return seen
    ? fail(
        `${path} 中的数据还不符合要求，现在是${seen.zh}。`,
        `The data in ${path} is not what the exercise expects yet: it is ${seen.en}.`,
      )
    : fail(`${path} 中还没有数据。`, `There is no data in ${path} yet.`);
}

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
        const said = reported(err.message);
        return fail(
          `读不到 broker ${p.broker} 的配置 ${p.key}。${said.zh}`,
          `The setting ${p.key} of broker ${p.broker} could not be read.${said.en}`,
        );
      }
      throw err;
    }
    const actual = answer.configs[p.key]?.value ?? null;
    const ok =
      p.value !== undefined
        ? actual === String(p.value)
        : p.matches !== undefined && (await ctx.patterns.test(p.matches, actual ?? '', signal));
    const has =
      actual === null
        ? { zh: `broker ${p.broker} 没有设置 ${p.key}`, en: `Broker ${p.broker} has no value for ${p.key}` }
        : actual === ''
          ? {
              zh: `broker ${p.broker} 的 ${p.key} 是空值`,
              en: `Broker ${p.broker} has ${p.key} set to an empty value`,
            }
          : {
              zh: `broker ${p.broker} 的 ${p.key} 是 ${actual}`,
              en: `Broker ${p.broker} has ${p.key} set to ${actual}`,
            };
    if (ok) return pass(`${has.zh}。`, `${has.en}.`);
    // An exact value is what the exercise text asks for; a pattern stays unsaid.
    return p.value !== undefined
      ? fail(`${has.zh}，应为 ${String(p.value)}。`, `${has.en}; the exercise expects ${String(p.value)}.`)
      : fail(`${has.zh}，还不符合要求。`, `${has.en}, which is not what the exercise expects yet.`);
  },
};
