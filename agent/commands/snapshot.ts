/** `snapshot`: the live picture of the cluster (brokers, controller, topics, groups). */
import { LiveCluster } from '../cluster.ts';
import type { CommandContext, CommandOutcome } from '../command.ts';
import { takeSnapshot } from '../snapshot.ts';

/** Runs `snapshot`; cluster trouble goes into `errors`, never into a failed exit. */
export async function snapshotCommand(
  _command: { name: 'snapshot' },
  ctx: CommandContext,
): Promise<CommandOutcome> {
  const cluster = new LiveCluster(ctx.options, ctx.deadline);
  ctx.defer(() => cluster.close());
  return { doc: await takeSnapshot(cluster, { limit: (work, what) => ctx.deadline.race(work, what) }) };
}
