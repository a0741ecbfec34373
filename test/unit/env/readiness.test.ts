import { describe, expect, it } from 'vitest';
import type { ExecOptions, ExecResult } from '../../../server/env/EnvironmentBackend.ts';
import type { EnvRef, NodeAccess, NodeName } from '../../../server/env/EnvironmentBackend.ts';
import { Readiness } from '../../../server/env/readiness.ts';
import { AppError } from '../../../server/errors.ts';
import type { ProgressEvent } from '../../../server/progress.ts';
import { appErrorOf } from '../../support/errors.ts';
import { execResult } from '../../../server/env/InMemoryEnvironments.ts';

/** Any environment: these fakes answer the same whoever asks. */
const ENV: EnvRef = { id: 'e', owner: 'alice' };

type Handler = (node: NodeName, argv: readonly string[], opts: ExecOptions) => Partial<ExecResult>;

/** Servers whose commands are answered by a function: the fakes below are built on it. */
class ScriptedNodes implements NodeAccess {
  constructor(private readonly handler: Handler) {}
  exec(_env: EnvRef, node: NodeName, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return Promise.resolve(execResult(this.handler(node, argv, opts)));
  }
  openTerminal(): never {
    throw new Error('not used');
  }
  listDir(): never {
    throw new Error('not used');
  }
  readFile(): never {
    throw new Error('not used');
  }
  writeFile(): never {
    throw new Error('not used');
  }
}

/** A ZooKeeper ensemble that elects a leader after `polls` status rounds; `deadNode` never answers. */
function zookeeperElectingAfter(polls: number, deadNode?: NodeName): ScriptedNodes {
  const seen = new Map<NodeName, number>();
  return new ScriptedNodes((node, argv) => {
    if (argv[0] === 'tail') return { stdout: `${node}: Cannot open channel to 3 at election address` };
    const n = (seen.get(node) ?? 0) + 1;
    seen.set(node, n);
    if (node === deadNode || n <= polls)
      return { exitCode: 1, stdout: 'Error contacting service. It is probably not running.' };
    return { stdout: `Mode: ${node === 'bigdata01' ? 'leader' : 'follower'}` };
  });
}

/** An agent whose `ready` prints these JSON lines (streamed) and exits with `exitCode`. */
function agentSaying(lines: object[], exitCode: number, brokers: Record<NodeName, string>): ScriptedNodes {
  return new ScriptedNodes((node, argv, opts) => {
    if (argv[0] === 'kafkalab-agent') {
      const text = lines.map((l) => `${JSON.stringify(l)}\n`).join('');
      // Split mid-line, as a real stream may.
      opts.onStdout?.(text.slice(0, 7));
      opts.onStdout?.(text.slice(7));
      return { exitCode, stdout: text };
    }
    return { stdout: brokers[node] };
  });
}

describe('Readiness.zookeeperQuorum', () => {
  it('reports 0/3 then 3/3 and resolves once a leader and two followers answer', async () => {
    const events: ProgressEvent[] = [];
    await new Readiness(zookeeperElectingAfter(1)).zookeeperQuorum(ENV, Date.now() + 5000, (e) =>
      events.push(e),
    );
    expect(events.map((e) => `${e.done}/${e.total}`)).toEqual(['0/3', '3/3']);
  });

  it('names the server that never joins and shows its ZooKeeper log', async () => {
    const err = await appErrorOf(
      new Readiness(zookeeperElectingAfter(0, 'bigdata03')).zookeeperQuorum(ENV, Date.now() + 1000, () => {}),
    );
    expect(err.reason).toBe('zookeeper_not_ready');
    expect(err.message).toBe('The ZooKeeper quorum did not form: no answer from bigdata03');
    expect(err.details).toContain('bigdata03: Cannot open channel');
  });
});

describe('Readiness.kafka', () => {
  it('turns the agent’s JSON lines into progress events', async () => {
    const nodes = agentSaying(
      [
        { phase: 'brokers', done: 1, total: 3 },
        { phase: 'brokers', done: 3, total: 3 },
        { phase: 'controller', id: 2 },
        { phase: 'roundtrip', ok: true, ms: 40 },
        { ready: true },
      ],
      0,
      { bigdata01: '1 yes', bigdata02: '2 yes', bigdata03: '3 yes' },
    );
    const events: ProgressEvent[] = [];
    await new Readiness(nodes).kafka(ENV, 3, Date.now() + 5000, (e) => events.push(e));
    expect(events.map((e) => e.message)).toEqual([
      'brokers 1/3 registered',
      'brokers 3/3 registered',
      'controller elected: broker 2',
      'produce/consume round trip ok (40 ms)',
    ]);
  });

  it('names a broker that never registers, with the tail of its log', async () => {
    const nodes = agentSaying(
      [
        { phase: 'brokers', done: 2, total: 3 },
        { ready: false, error: 'timed out waiting for brokers', missing: [2] },
      ],
      1,
      {
        bigdata01: '1 yes\n[INFO] started',
        bigdata02: '2 no\n[ERROR] Timed out waiting for connection to ZooKeeper',
        bigdata03: '3 yes\n[INFO] started',
      },
    );
    const err = await appErrorOf(new Readiness(nodes).kafka(ENV, 3, Date.now() + 5000, () => {}));
    expect(err.reason).toBe('brokers_not_ready');
    expect(err.message).toBe(
      'Kafka did not become ready (timed out waiting for brokers): bigdata02 (broker 2, not running)',
    );
    expect(err.details).toContain('Timed out waiting for connection to ZooKeeper');
    expect(err.details).not.toContain('bigdata01');
  });
});

describe('Readiness.runScript', () => {
  it('fails with the exit code and the tail of the output', async () => {
    const nodes = new ScriptedNodes((_node, argv) =>
      argv[0] === 'bash' && argv[1] === '-c'
        ? { exitCode: 2, stdout: 'step 1\n', stderr: 'scp: /opt/app/: No such file or directory' }
        : {},
    );
    const err = await appErrorOf(
      new Readiness(nodes).runScript(ENV, 'bigdata01', 'scp ...', Date.now() + 1000, 'install script'),
    );
    expect(err.message).toBe('The install script failed on bigdata01 (exit 2)');
    expect(err.details).toContain('No such file or directory');
  });
});

describe('Readiness.explainInstallFailure', () => {
  const scriptError = new AppError(500, 'script_failed', 'The install script failed on bigdata01 (exit 1)', {
    details: 'brokers did not register within 60 s: [1, 3]',
  });

  it('names the broker that is down, with its log and the script output', async () => {
    const nodes = new ScriptedNodes((node) => ({
      stdout:
        node === 'bigdata02'
          ? '2 no\n[ERROR] Timed out waiting for connection'
          : `${node.slice(-1)} yes\nstarted`,
    }));
    const err = await new Readiness(nodes).explainInstallFailure(ENV, scriptError);
    expect(err.reason).toBe('brokers_not_ready');
    expect(err.message).toBe(
      'Kafka did not become ready (The install script failed on bigdata01 (exit 1)): bigdata02 (broker 2, not running)',
    );
    expect(err.details).toContain('brokers did not register within 60 s');
    expect(err.details).toContain('Timed out waiting for connection');
  });

  it('keeps the script’s own error when every broker runs', async () => {
    const nodes = new ScriptedNodes((node) => ({ stdout: `${node.slice(-1)} yes\nstarted` }));
    expect(await new Readiness(nodes).explainInstallFailure(ENV, scriptError)).toBe(scriptError);
  });
});
