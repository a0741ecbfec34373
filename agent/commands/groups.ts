/** `groups` and `group <id>`: consumer groups with members, committed offsets and lag. */
import { LiveCluster } from '../cluster.ts';
import type { CommandContext, CommandOutcome } from '../command.ts';
import { AgentError } from '../errors.ts';
import { collectGroups, describeWithOffsets } from '../snapshot.ts';

const OFFSETS_TOPIC = '__consumer_offsets';

/** Runs `groups`. Partial trouble (one broker not listing) is reported in `errors`. */
export async function groupsCommand(
  _command: { name: 'groups' },
  ctx: CommandContext,
): Promise<CommandOutcome> {
  const cluster = new LiveCluster(ctx.options, ctx.deadline);
  ctx.defer(() => cluster.close());
  const meta = await ctx.deadline.race(cluster.metadata(null), 'reading cluster metadata');
  const { groups, errors } = await ctx.deadline.race(collectGroups(cluster, meta), 'reading consumer groups');
  return { doc: { groups, errors } };
}

/**
 * Runs `group <id>`. Unlike the live picture, a check must not get a confident wrong answer, so
 * any failure reading offsets fails the command (the check then reports "could not run").
 */
export async function groupCommand(
  command: { name: 'group'; groupId: string },
  ctx: CommandContext,
): Promise<CommandOutcome> {
  const cluster = new LiveCluster(ctx.options, ctx.deadline);
  ctx.defer(() => cluster.close());
  const { groupId } = command;
  const meta = await ctx.deadline.race(cluster.metadata(null), 'reading cluster metadata');
  // No offsets topic means no group ever existed; asking for a coordinator would create the
  // topic as a side effect, which a read-only tool must not do.
  if (!meta.topics.some((t) => t.name === OFFSETS_TOPIC)) {
    return { doc: absentGroup(groupId) };
  }
  const errors: string[] = [];
  const [group] = await ctx.deadline.race(
    describeWithOffsets(cluster, meta, [groupId], errors),
    `reading group ${groupId}`,
  );
  if (errors.length > 0 || group === undefined) {
    throw new AgentError('kafka_error', errors.join('; ') || `group ${groupId} could not be described`);
  }
  return { doc: { ...group, exists: group.state !== 'Dead' } };
}

function absentGroup(groupId: string): Record<string, unknown> {
  return { groupId, state: 'Dead', protocolType: '', members: [], offsets: [], totalLag: 0, exists: false };
}
