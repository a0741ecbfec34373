import type { ExecOptions, ExecResult } from '../../../server/env/EnvironmentBackend.ts';
import { execResult } from '../../../server/env/InMemoryEnvironments.ts';
import type { NodeName } from '../../../server/env/EnvironmentBackend.ts';
import type { CheckContext } from '../../../server/checks/CheckType.ts';
import { AgentError, clusterAgentFrom } from '../../../server/cluster/ClusterAgent.ts';
import type { PatternMatcher } from '../../../server/checks/pattern.ts';
import { sharedPatternPool } from '../../../server/checks/PatternPool.ts';

/** Agent answers by command line (`snapshot`, `topic orders`, ...); a missing one is a test bug. */
export type AgentAnswers = Record<string, unknown>;

/**
 * A check context whose agent answers from a table and whose servers run no commands; patterns
 * are matched for real (the shared pool unless told otherwise).
 */
export function clusterAnswering(
  answers: AgentAnswers,
  exec?: (node: NodeName, argv: readonly string[]) => Partial<ExecResult>,
  patterns: PatternMatcher = sharedPatternPool,
): CheckContext {
  return {
    patterns,
    // The real ClusterAgent's command lines, answered from the table.
    cluster: clusterAgentFrom(<T>(args: readonly string[]): Promise<T> => {
      const key = args.join(' ');
      if (!(key in answers)) return Promise.reject(new Error(`the fake agent has no answer for "${key}"`));
      const answer = answers[key];
      return answer instanceof AgentError ? Promise.reject(answer) : Promise.resolve(answer as T);
    }),
    exec: (node: NodeName, argv: readonly string[], _opts?: ExecOptions): Promise<ExecResult> =>
      Promise.resolve(execResult(exec?.(node, argv))),
  };
}

/** A cluster where no broker answers (Kafka not started). */
export const kafkaDown = new AgentError(
  'kafka_unreachable',
  'no broker answered on bigdata01:9092, bigdata02:9092, bigdata03:9092',
);
/** A cluster whose ZooKeeper does not answer. */
export const zookeeperDown = new AgentError('zk_unreachable', 'no ZooKeeper server answered');

/** A context whose agent never answers (a hung cluster). */
export const hangingCluster: CheckContext = {
  patterns: sharedPatternPool,
  cluster: clusterAgentFrom(() => new Promise(() => undefined)),
  exec: () => new Promise(() => undefined),
};

/** A partition as the agent's snapshot and topic documents describe it (leader: first replica). */
export const partitionDoc = (
  partition: number,
  replicas: number[],
  isr = replicas,
  leader = replicas[0] ?? -1,
) => ({ partition, leader, replicas, isr, offline: [] });

/** Group g as the agent's `group` command answers: Stable, one member, lag 5 on t-0. */
export const groupInfo = (over: Record<string, unknown> = {}) => ({
  exists: true,
  groupId: 'g',
  state: 'Stable',
  protocolType: 'consumer',
  members: [{ memberId: 'm1', clientId: 'c', host: '/10.0.0.2', assignments: [] }],
  offsets: [
    { topic: 't', partition: 0, committed: 5, end: 10, lag: 5 },
    { topic: 't', partition: 1, committed: 10, end: 10, lag: 0 },
  ],
  totalLag: 5,
  ...over,
});
