import { describe, expect, it } from 'vitest';
import type { ReadyLine } from '../../../agent/types.ts';
import { AgentError, clusterAgentOn } from '../../../server/cluster/ClusterAgent.ts';
import type { EnvNodes, ExecOptions, ExecResult, NodeName } from '../../../server/env/EnvironmentBackend.ts';
import { execResult } from '../../../server/env/InMemoryEnvironments.ts';

/** Servers that record the agent's command lines and answer with `answer`. */
function recording(answer: (argv: readonly string[], opts: ExecOptions) => Partial<ExecResult>): {
  nodes: EnvNodes;
  calls: { node: NodeName; argv: readonly string[]; opts: ExecOptions }[];
} {
  const calls: { node: NodeName; argv: readonly string[]; opts: ExecOptions }[] = [];
  const nodes = {
    exec: (node: NodeName, argv: readonly string[], opts: ExecOptions = {}) => {
      calls.push({ node, argv, opts });
      return Promise.resolve(execResult(answer(argv, opts)));
    },
  } as unknown as EnvNodes;
  return { nodes, calls };
}

describe('ClusterAgent over docker exec', () => {
  it('runs each command with one timeout policy: --timeout for the agent, a grace period for the exec', async () => {
    const { nodes, calls } = recording(() => ({
      stdout: '{"path":"/kafka","exists":true,"children":["brokers"]}\n',
    }));
    const agent = clusterAgentOn(nodes);
    const controller = new AbortController();
    expect(
      await agent.zkLs('/kafka', { node: 'bigdata02', timeoutMs: 4000, signal: controller.signal }),
    ).toEqual({
      path: '/kafka',
      exists: true,
      children: ['brokers'],
    });
    await agent.brokerConfig(2, 'log.dirs');
    await agent.messages('orders', 50);
    expect(calls.map((c) => [c.node, c.argv.join(' '), c.opts.timeoutMs])).toEqual([
      ['bigdata02', 'kafkalab-agent zk ls /kafka --timeout 4000', 7000],
      ['bigdata01', 'kafkalab-agent broker-config --broker 2 --key log.dirs --timeout 15000', 18000],
      ['bigdata01', 'kafkalab-agent messages --topic orders --max 50 --timeout 15000', 18000],
    ]);
    // The abort reaches the exec, which kills the agent in the container.
    expect(calls[0]?.opts.signal).toBe(controller.signal);
  });

  it('maps every failure to an AgentError with a code', async () => {
    const failing = (r: Partial<ExecResult>) => clusterAgentOn(recording(() => r).nodes).snapshot();
    await expect(
      failing({ exitCode: 1, stdout: '{"error":{"code":"kafka_unreachable","message":"no broker"}}' }),
    ).rejects.toEqual(new AgentError('kafka_unreachable', 'no broker'));
    await expect(failing({ exitCode: 124, timedOut: true })).rejects.toMatchObject({ code: 'timeout' });
    await expect(failing({ exitCode: 2, stderr: 'unknown command' })).rejects.toMatchObject({
      code: 'agent_failed',
      message: 'unknown command',
    });
    await expect(failing({ exitCode: 0, stdout: 'Exception in thread' })).rejects.toMatchObject({
      code: 'bad_output',
    });
  });

  it('streams the progress lines of ready and returns the last one, ready or not', async () => {
    const progress = [
      { phase: 'zookeeper', ok: true },
      { phase: 'brokers', done: 3, total: 3 },
      { phase: 'controller', id: 1 },
    ];
    const lines = (last: ReadyLine, exitCode: number) =>
      recording((_argv, opts) => {
        for (const l of [...progress, last]) opts.onStdout?.(`${JSON.stringify(l)}\n`);
        return { exitCode };
      }).nodes;
    const seen: ReadyLine[] = [];
    expect(await clusterAgentOn(lines({ ready: true }, 0)).ready(3, (l) => seen.push(l))).toEqual({
      ready: true,
    });
    expect(seen.map((l) => l.phase ?? 'end')).toEqual(['zookeeper', 'brokers', 'controller', 'end']);
    const notReady = { ready: false, phase: 'brokers', error: 'timed out', missing: [2] };
    expect(await clusterAgentOn(lines(notReady, 1)).ready(3, () => undefined)).toEqual(notReady);
  });
});
