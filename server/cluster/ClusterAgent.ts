import type {
  AgentErrorDoc,
  BrokerConfigDoc,
  GroupDoc,
  GroupsDoc,
  MessagesDoc,
  ReadyLine,
  Snapshot,
  TopicDoc,
  DiagnoseDoc,
  ZkGetDoc,
  ZkLsDoc,
} from '../../agent/types.ts';
import type { EnvNodes, ExecResult, NodeName } from '../env/EnvironmentBackend.ts';

/** Options of one agent call. */
export interface AgentCallOptions {
  /** The server the agent runs on (default bigdata01; any works: it reaches all three). */
  readonly node?: NodeName;
  /** How long the agent may take (default 15 s); the exec gets a grace period on top. */
  readonly timeoutMs?: number;
  /** Stops the call and kills the agent in the container. */
  readonly signal?: AbortSignal;
}

/**
 * What the server learns about a student's cluster, through the in-environment agent
 * (`kafkalab-agent`, agent/), typed by the agent's own document types. Every failure is an
 * `AgentError` with the agent's code (`kafka_unreachable`, `timeout`, `not_found`, ...).
 */
export interface ClusterAgent {
  /** Brokers, controller, topics with partitions, groups with lag. */
  snapshot(opts?: AgentCallOptions): Promise<Snapshot>;
  topic(name: string, opts?: AgentCallOptions): Promise<TopicDoc>;
  /** Up to `max` messages of a topic, every partition from the start. */
  messages(topic: string, max: number, opts?: AgentCallOptions): Promise<MessagesDoc>;
  groups(opts?: AgentCallOptions): Promise<GroupsDoc>;
  group(id: string, opts?: AgentCallOptions): Promise<GroupDoc>;
  zkLs(path: string, opts?: AgentCallOptions): Promise<ZkLsDoc>;
  zkGet(path: string, opts?: AgentCallOptions): Promise<ZkGetDoc>;
  /** One broker's configs, or only `key`. */
  brokerConfig(broker: number, key?: string, opts?: AgentCallOptions): Promise<BrokerConfigDoc>;
  /** One server's Kafka files and processes (`opts.node`), read locally: works with Kafka down. */
  diagnose(opts?: AgentCallOptions): Promise<DiagnoseDoc>;
  /**
   * Waits until `brokers` brokers are registered, a controller is elected and a round trip
   * works, passing each progress line to `onLine`; resolves with the last line, which has
   * `ready: true` or says what is missing.
   */
  ready(brokers: number, onLine: (line: ReadyLine) => void, opts?: AgentCallOptions): Promise<ReadyLine>;
}

/** A failure of the agent itself (bad arguments, cluster unreachable, timeout). */
export class AgentError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AgentError';
  }
}

/** Default time an agent call may take. */
const AGENT_TIMEOUT_MS = 15_000;
/** What the exec gets on top of the agent's own timeout, so the agent can say it timed out. */
const EXEC_GRACE_MS = 3_000;

/** Runs one agent command line and returns its parsed document (or throws `AgentError`). */
export type AgentTransport = <T>(args: readonly string[], opts: AgentCallOptions) => Promise<T>;

/**
 * A ClusterAgent over a transport: the command lines of each method are written here once. The
 * real transport is `docker exec` (`clusterAgentOn`); tests answer from a table.
 */
export function clusterAgentFrom(
  call: AgentTransport,
  ready: ClusterAgent['ready'] = () =>
    Promise.reject(new AgentError('unsupported', 'ready is not available here')),
): ClusterAgent {
  return {
    snapshot: (opts = {}) => call<Snapshot>(['snapshot'], opts),
    topic: (name, opts = {}) => call<TopicDoc>(['topic', name], opts),
    messages: (topic, max, opts = {}) =>
      call<MessagesDoc>(['messages', '--topic', topic, '--max', String(max)], opts),
    groups: (opts = {}) => call<GroupsDoc>(['groups'], opts),
    group: (id, opts = {}) => call<GroupDoc>(['group', id], opts),
    zkLs: (path, opts = {}) => call<ZkLsDoc>(['zk', 'ls', path], opts),
    zkGet: (path, opts = {}) => call<ZkGetDoc>(['zk', 'get', path], opts),
    brokerConfig: (broker, key, opts = {}) =>
      call<BrokerConfigDoc>(
        ['broker-config', '--broker', String(broker), ...(key === undefined ? [] : ['--key', key])],
        opts,
      ),
    diagnose: (opts = {}) => call<DiagnoseDoc>(['diagnose'], opts),
    ready,
  };
}

/**
 * The agent on a student's servers, run with `docker exec` (through their bound node access).
 * One timeout policy: the agent gets `--timeout`, the exec a little more, and an abort kills it.
 */
export function clusterAgentOn(nodes: EnvNodes): ClusterAgent {
  const call: AgentTransport = async <T>(args: readonly string[], opts: AgentCallOptions) =>
    parseAgentOutput<T>(await run(nodes, args, opts));
  return clusterAgentFrom(call, async (brokers, onLine, opts = {}) => {
    let buffered = '';
    let last: ReadyLine = {};
    const lines = (text: string): void => {
      buffered += text;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const raw = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (raw === '') continue;
        try {
          last = JSON.parse(raw) as ReadyLine;
        } catch {
          continue; // not a JSON line (should not happen); the final line decides
        }
        onLine(last);
      }
    };
    const r = await run(nodes, ['ready', '--brokers', String(brokers)], opts, lines);
    lines('\n');
    // Not ready is an answer (the last line says what is missing); anything else is a failure.
    if (r.exitCode !== 0 && last.ready === undefined && last.missing === undefined) parseAgentOutput(r);
    return last;
  });
}

function run(
  nodes: EnvNodes,
  args: readonly string[],
  opts: AgentCallOptions,
  onStdout?: (text: string) => void,
): Promise<ExecResult> {
  const timeoutMs = opts.timeoutMs ?? AGENT_TIMEOUT_MS;
  return nodes.exec(opts.node ?? 'bigdata01', ['kafkalab-agent', ...args, '--timeout', String(timeoutMs)], {
    timeoutMs: timeoutMs + EXEC_GRACE_MS,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(onStdout ? { onStdout } : {}),
  });
}

/** The one error mapping: the agent's JSON document on success, its error document as AgentError. */
function parseAgentOutput<T>(r: ExecResult): T {
  const text = r.stdout.trim();
  if (r.exitCode === 0) {
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new AgentError(
        'bad_output',
        `the agent printed something that is not JSON: ${text.slice(0, 200)}`,
      );
    }
  }
  let error: Partial<AgentErrorDoc['error']> | undefined;
  try {
    error = (JSON.parse(text) as Partial<AgentErrorDoc>).error;
  } catch {
    error = undefined;
  }
  throw new AgentError(
    error?.code ?? (r.timedOut ? 'timeout' : 'agent_failed'),
    error?.message ?? (r.stderr.trim() || `agent exited with ${r.exitCode}`),
  );
}
