import type { ReadyLine } from '../../agent/types.ts';
import { clusterAgentOn } from '../cluster/ClusterAgent.ts';
import { AppError, messageOf } from '../errors.ts';
import type { Progress } from '../progress.ts';
import {
  bindNodes,
  NODES,
  type EnvRef,
  type ExecResult,
  type NodeAccess,
  type NodeName,
} from './EnvironmentBackend.ts';

/** How often ZooKeeper's state is polled while waiting for the quorum. */
const POLL_MS = 400;

/**
 * What "ready" means, checked from inside the environment: a ZooKeeper quorum with a leader,
 * every expected broker registered, a controller, and a produce/consume round trip on a
 * replication-factor-3 topic (the agent's `ready` command).
 */
export class Readiness {
  constructor(private readonly access: NodeAccess) {}

  /** Waits until all three ZooKeeper servers are leader or follower. */
  async zookeeperQuorum(env: EnvRef, deadline: number, progress: Progress): Promise<void> {
    let reported = -1;
    let modes: (string | undefined)[] = [];
    while (Date.now() < deadline) {
      modes = await Promise.all(NODES.map((node) => this.zookeeperMode(env, node)));
      const inQuorum = modes.filter((m) => m === 'leader' || m === 'follower').length;
      if (inQuorum !== reported) {
        progress({
          phase: 'zookeeper',
          message: `ZooKeeper ${inQuorum}/3 in the quorum`,
          done: inQuorum,
          total: 3,
        });
        reported = inQuorum;
      }
      if (inQuorum === NODES.length && modes.includes('leader')) return;
      await sleep(POLL_MS);
    }
    const missing = NODES.filter((_, i) => modes[i] !== 'leader' && modes[i] !== 'follower');
    const tails = await Promise.all(
      missing.map(
        async (node) =>
          `--- ${node}: zookeeper.log ---\n${await this.tail(env, node, '/opt/data/zookeeper/logs/zookeeper.log')}`,
      ),
    );
    throw new AppError(
      504,
      'zookeeper_not_ready',
      `The ZooKeeper quorum did not form: no answer from ${missing.join(', ')}`,
      {
        details: tails.join('\n'),
      },
    );
  }

  /** How many servers have a broker installed that ran before (and will be started again). */
  async brokersThatRanBefore(env: EnvRef): Promise<number> {
    const results = await Promise.all(
      NODES.map((node) =>
        this.access.exec(env, node, ['/opt/kafkalab/bin/broker-ran-before'], { timeoutMs: 10_000 }),
      ),
    );
    return results.filter((r) => r.exitCode === 0).length;
  }

  /** Runs a shell script on a server; fails with the tail of its output. */
  async runScript(
    env: EnvRef,
    node: NodeName,
    script: string,
    deadline: number,
    what: string,
  ): Promise<void> {
    const r = await runScript(this.access, env, node, script, Math.max(1000, deadline - Date.now()));
    if (r.exitCode !== 0) {
      const output = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-15).join('\n');
      throw new AppError(
        500,
        'script_failed',
        `The ${what} failed on ${node} (exit ${r.exitCode}${r.timedOut ? ', timed out' : ''})`,
        {
          details: output,
        },
      );
    }
  }

  /** Waits for `brokers` registered brokers, a controller and a round trip, via the agent. */
  async kafka(env: EnvRef, brokers: number, deadline: number, progress: Progress): Promise<void> {
    const remaining = Math.max(2000, deadline - Date.now());
    const onLine = (line: ReadyLine): void => {
      if (line.phase === 'brokers' && line.done !== undefined) {
        progress({
          phase: 'brokers',
          message: `brokers ${line.done}/${line.total ?? brokers} registered`,
          done: line.done,
          total: line.total ?? brokers,
        });
      } else if (line.phase === 'controller') {
        progress({ phase: 'controller', message: `controller elected: broker ${line.id}` });
      } else if (line.phase === 'roundtrip') {
        progress({ phase: 'roundtrip', message: `produce/consume round trip ok (${line.ms} ms)` });
      }
    };
    let last: ReadyLine | undefined;
    let failure = '';
    try {
      last = await clusterAgentOn(bindNodes(this.access, env)).ready(brokers, onLine, {
        timeoutMs: remaining,
      });
    } catch (err) {
      failure = messageOf(err);
    }
    if (last?.ready === true) return;
    throw await this.brokersNotReady(env, last, failure);
  }

  /**
   * Explains a failed install script: when a broker is down, the error names it and shows its
   * log, with the script's own output in the details; otherwise the script's error stands.
   */
  async explainInstallFailure(env: EnvRef, scriptError: AppError): Promise<AppError> {
    const { culprits, logs } = await this.inspectBrokers(env, new Set());
    if (culprits.length === 0) return scriptError;
    return new AppError(
      504,
      'brokers_not_ready',
      `Kafka did not become ready (${scriptError.message}): ${culprits.join(', ')}`,
      {
        cause: scriptError,
        details: ["--- the install script's last output ---", scriptError.details ?? '', ...logs].join('\n'),
      },
    );
  }

  /** An error naming the brokers that did not come up, with the tail of their logs. */
  private async brokersNotReady(env: EnvRef, last: ReadyLine | undefined, stderr: string): Promise<AppError> {
    const { culprits, logs } = await this.inspectBrokers(env, new Set((last?.missing ?? []).map(String)));
    const why = last?.error ?? (stderr.trim() || 'the agent gave no answer');
    const who = culprits.length > 0 ? `: ${culprits.join(', ')}` : '';
    return new AppError(504, 'brokers_not_ready', `Kafka did not become ready (${why})${who}`, {
      details: logs.join('\n'),
    });
  }

  /**
   * The servers whose broker is not running or was reported missing (by broker id or host),
   * each with the tail of its broker log.
   */
  private async inspectBrokers(
    env: EnvRef,
    missing: ReadonlySet<string>,
  ): Promise<{ culprits: string[]; logs: string[] }> {
    const culprits: string[] = [];
    const logs: string[] = [];
    for (const node of NODES) {
      const r = await this.access.exec(
        env,
        node,
        [
          'bash',
          '-lc',
          'h=${KAFKA_HOME:-/opt/apps/kafka}; id=$(sed -n "s/^broker\\.id=//p" $h/config/server.properties 2>/dev/null); ' +
            'running=no; pgrep -f "[k]afka\\.Kafka" >/dev/null && running=yes; echo "$id $running"; ' +
            'tail -n 12 $h/logs/server.log 2>/dev/null || tail -n 12 $h/logs/kafkaServer.out 2>/dev/null',
        ],
        { timeoutMs: 10_000 },
      );
      const [head = '', ...log] = r.stdout.split('\n');
      const [id = '', running = 'no'] = head.trim().split(' ');
      if (missing.has(id) || missing.has(node) || running !== 'yes') {
        culprits.push(`${node} (broker ${id || '?'}${running === 'yes' ? '' : ', not running'})`);
        logs.push(`--- ${node}: tail of the broker log ---\n${log.join('\n').trimEnd() || '(no log yet)'}`);
      }
    }
    return { culprits, logs };
  }

  private async zookeeperMode(env: EnvRef, node: NodeName): Promise<string | undefined> {
    const r = await this.access
      .exec(env, node, ['/opt/zookeeper/bin/zkServer.sh', 'status'], { timeoutMs: 5000 })
      .catch(() => undefined);
    return r === undefined ? undefined : /Mode: (\w+)/.exec(r.stdout)?.[1];
  }

  private async tail(env: EnvRef, node: NodeName, file: string): Promise<string> {
    const r = await this.access
      .exec(env, node, ['tail', '-n', '12', file], { timeoutMs: 5000 })
      .catch(() => undefined);
    return r?.stdout.trimEnd() || '(no log)';
  }
}

/**
 * Runs a script with `bash -c`, not on bash's stdin: with `bash -s`, the first `ssh` in the
 * script would read the rest of the script as its own input and the script would silently stop.
 */
export function runScript(
  access: NodeAccess,
  env: EnvRef,
  node: NodeName,
  script: string,
  timeoutMs: number,
): Promise<ExecResult> {
  return access.exec(env, node, ['bash', '-c', script, 'solve.sh'], { timeoutMs });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
