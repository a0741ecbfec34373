/** `zk ls <path>` and `zk get <path>`: read one znode, for checks such as "is broker 3 registered". */
import type { CommandContext, CommandOutcome } from '../command.ts';
import { sessionIdHex } from '../wire/jute.ts';
import { ZkClient } from '../zk.ts';

/** Runs `zk ls|get`; a missing node is an answer (exists:false), not an error. */
export async function zkCommand(
  command: { name: 'zk'; op: 'ls' | 'get'; path: string },
  ctx: CommandContext,
): Promise<CommandOutcome> {
  const zk = await ctx.deadline.race(
    ZkClient.connect(ctx.options.zookeeper, {
      connectTimeoutMs: ctx.deadline.budget(1000),
      requestTimeoutMs: ctx.deadline.budget(3000),
    }),
    'connecting to ZooKeeper',
  );
  ctx.defer(() => zk.close());
  const { path } = command;
  if (command.op === 'ls') {
    const children = await ctx.deadline.race(zk.children(path), `listing ${path}`);
    return { doc: { path, exists: children !== null, children: (children ?? []).sort() } };
  }
  const node = await ctx.deadline.race(zk.get(path), `reading ${path}`);
  if (node === null) return { doc: { path, exists: false, data: null, stat: null } };
  const { stat } = node;
  return {
    doc: {
      path,
      exists: true,
      data: node.data === null ? null : node.data.toString('utf8'),
      stat: {
        version: stat.version,
        numChildren: stat.numChildren,
        ctime: stat.ctime,
        mtime: stat.mtime,
        // Session ids use all 64 bits, more than a JSON number holds exactly; hex as zkCli shows.
        ephemeralOwner: sessionIdHex(stat.ephemeralOwner),
      },
    },
  };
}
