// In-memory environments: servers with a file map, an agent answering from a table, echo
// terminals, and backends that boot at once, never, or fail. The dev server (web/dev) runs the real
// app over them, and the unit and fuzz tests use them; nothing in the server's own wiring does.
import { Duplex } from 'node:stream';
import {
  NODES,
  POOL_OWNER,
  type ClaimedBy,
  type DirEntry,
  type EnvInfo,
  type EnvironmentBackend,
  type EnvRef,
  type EnvRemains,
  type ExecOptions,
  type ExecResult,
  type EnvSpec,
  type FileContent,
  type NodeAccess,
  type NodeName,
  type ReconcileReport,
  type TerminalSession,
} from './EnvironmentBackend.ts';
import { checkServerPath, MAX_FILE_BYTES } from './files.ts';
import { AppError } from '../errors.ts';
import type { HealthProbe } from '../health.ts';
import type { Progress } from '../progress.ts';

/**
 * An in-memory backend whose environments come up after `bootMs` (0: at once). Like the Docker
 * one, it refuses a ref whose owner is not the environment's.
 */
export class InstantBackend implements EnvironmentBackend {
  creates = 0;
  removes = 0;

  /**
   * @param bootMs how long a boot takes (0: at once)
   * @param envs what exists; pass another instance's to play a restarted server over the same engine
   */
  /** Who claimed a pooled environment (the store, in the app); unclaimed without it. */
  claimedBy: ClaimedBy = () => undefined;

  /**
   * What a crash left that is not a whole environment (the reaper's `partial`), by id, for tests
   * to plant; everything in `envs` is whole.
   */
  readonly leftovers = new Map<string, EnvRemains>();
  /** Ids whose boot is under way (the reaper's `busy`). */
  private readonly underway = new Set<string>();

  constructor(
    protected readonly bootMs = 0,
    readonly envs = new Map<string, EnvInfo>(),
  ) {}

  async create(spec: EnvSpec, progress: Progress = () => undefined): Promise<EnvInfo> {
    this.creates++;
    const id = spec.id;
    const existing = this.owned(spec);
    // Like the Docker backend: creating a stopped environment resumes it (its files kept).
    if (existing?.state === 'stopped') {
      progress({ phase: 'servers', message: 'starting the stopped servers' });
      return this.start(spec);
    }
    if (existing) return existing;
    progress({ phase: 'network', message: 'creating network' });
    progress({ phase: 'zookeeper', message: 'ZooKeeper 3/3 in the quorum', done: 3, total: 3 });
    this.underway.add(id);
    try {
      await this.boot(id, progress);
    } finally {
      this.underway.delete(id);
    }
    const info: EnvInfo = {
      id,
      owner: spec.owner,
      mode: spec.mode,
      state: 'running',
      nodes: NODES.map((name) => ({ name, containerId: `${id}-${name}`, state: 'running' })),
      createdAt: new Date().toISOString(),
      ...(spec.owner === POOL_OWNER ? { pooled: true } : {}),
    };
    this.envs.set(id, info);
    progress({ phase: 'ready', message: 'environment ready' });
    return info;
  }

  protected async boot(_id: string, _progress: Progress): Promise<void> {
    if (this.bootMs > 0) await new Promise((r) => setTimeout(r, this.bootMs));
  }

  /** The environment of this ref; someone else's is refused as the Docker backend does. */
  owned(ref: EnvRef): EnvInfo | undefined {
    const e = this.envs.get(ref.id);
    if (e === undefined) return undefined;
    // A pooled environment is whoever claimed it, as the store says (the Docker backend's rule).
    const owner = e.pooled === true ? (this.claimedBy(e.id) ?? POOL_OWNER) : e.owner;
    if (owner !== ref.owner)
      throw new AppError(403, 'not_your_environment', `Environment ${ref.id} belongs to someone else`);
    return { ...e, owner };
  }

  // async: a refused owner becomes a rejection, as from the real backend.
  // eslint-disable-next-line @typescript-eslint/require-await
  async status(ref: EnvRef): Promise<EnvInfo | undefined> {
    return this.owned(ref);
  }
  async stop(ref: EnvRef): Promise<void> {
    const e = await this.status(ref);
    if (e) this.envs.set(ref.id, { ...e, state: 'stopped' });
  }
  async start(ref: EnvRef): Promise<EnvInfo> {
    const e = await this.status(ref);
    if (!e) throw new AppError(404, 'env_not_found', `There is no environment ${ref.id}`);
    const running = { ...e, state: 'running' as const };
    this.envs.set(ref.id, running);
    return running;
  }
  async remove(ref: EnvRef): Promise<void> {
    await this.status(ref);
    this.removes++;
    this.envs.delete(ref.id);
  }
  list(): Promise<EnvInfo[]> {
    return Promise.resolve(
      [...this.envs.values()].map((e) =>
        e.pooled === true ? { ...e, owner: this.claimedBy(e.id) ?? POOL_OWNER } : e,
      ),
    );
  }
  reconcile(): Promise<ReconcileReport> {
    return Promise.resolve({ adopted: [...this.envs.keys()], removed: [] });
  }
  survey(): Promise<EnvRemains[]> {
    const whole = [...this.envs.values()].map((e): EnvRemains => ({
      id: e.id,
      stage: 'complete',
      pooled: e.pooled === true,
      createdAt: e.createdAt,
    }));
    const now = new Date().toISOString();
    const busy = [...this.underway].map((id): EnvRemains => ({
      id,
      stage: 'busy',
      pooled: false,
      createdAt: now,
    }));
    return Promise.resolve([
      ...[...whole, ...this.leftovers.values()].filter((r) => !this.underway.has(r.id)),
      ...busy,
    ]);
  }
  discard(envId: string): Promise<boolean> {
    if (this.underway.has(envId)) return Promise.resolve(false);
    const had = this.envs.delete(envId);
    if (this.leftovers.delete(envId) || had) this.removes++;
    return Promise.resolve(true);
  }
}

/** A backend whose boots never finish (a broker that never registers, without the timeout). */
export class NeverReadyBackend extends InstantBackend {
  protected override boot(): Promise<void> {
    return new Promise(() => undefined);
  }
}

/** A backend whose boots fail the way a broker that never registers does. */
export class FailingBackend extends InstantBackend {
  protected override boot(): Promise<void> {
    return Promise.reject(
      new AppError(
        504,
        'brokers_not_ready',
        'Kafka did not become ready: bigdata02 (broker 2, not running)',
        {
          details: '--- bigdata02: tail of the broker log ---\nTimed out waiting for connection to ZooKeeper',
        },
      ),
    );
  }
}

/** Servers with an in-memory file system, an agent answering from a table, and echo terminals. */
export class InMemoryNodes implements NodeAccess {
  readonly files = new Map<string, Buffer>();
  readonly terminals: EchoTerminal[] = [];
  /** Agent answers by argument line, e.g. 'snapshot'. */
  agent: Record<string, unknown> = {};

  constructor(private readonly backend: EnvironmentBackend) {
    this.files.set('bigdata01:/root/notes.txt', Buffer.from('hello\n'));
    this.files.set('bigdata01:/opt/apps/kafka/config/server.properties', Buffer.from('broker.id=1\n'));
    this.files.set('bigdata01:/root/blob.bin', Buffer.from([0, 1, 2, 255]));
  }

  async exec(env: EnvRef, node: NodeName, argv: readonly string[], _opts?: ExecOptions): Promise<ExecResult> {
    await this.running(env, node);
    const result = (exitCode: number, stdout: string): ExecResult => execResult({ exitCode, stdout });
    if (argv[0] === 'kafkalab-agent') {
      const key = argv
        .slice(1)
        .filter((a, i, all) => a !== '--timeout' && all[i - 1] !== '--timeout')
        .join(' ');
      return key in this.agent
        ? result(0, JSON.stringify(this.agent[key]))
        : result(1, JSON.stringify({ error: { code: 'kafka_unreachable', message: 'no broker answered' } }));
    }
    return result(0, '');
  }

  async openTerminal(env: EnvRef, node: NodeName): Promise<TerminalSession> {
    await this.running(env, node);
    const term = new EchoTerminal(node);
    this.terminals.push(term);
    return term;
  }

  async listDir(env: EnvRef, node: NodeName, dir: string): Promise<DirEntry[]> {
    await this.running(env, node);
    const prefix = `${node}:${checkServerPath(dir)}/`;
    const names = new Set<string>();
    for (const key of this.files.keys())
      if (key.startsWith(prefix)) names.add(key.slice(prefix.length).split('/')[0] ?? '');
    if (names.size === 0) throw new AppError(404, 'file_not_found', `${dir} does not exist on ${node}`);
    return [...names].map((name) => ({
      name,
      type: this.files.has(`${prefix}${name}`) ? 'file' : 'dir',
      size: 0,
      mtime: new Date(0).toISOString(),
    }));
  }

  async readFile(env: EnvRef, node: NodeName, file: string): Promise<FileContent> {
    await this.running(env, node);
    const p = checkServerPath(file);
    const content = this.files.get(`${node}:${p}`);
    if (content === undefined) {
      if ([...this.files.keys()].some((k) => k.startsWith(`${node}:${p}/`)))
        throw new AppError(400, 'is_a_directory', `${p} is a directory`);
      throw new AppError(404, 'file_not_found', `${p} does not exist on ${node}`);
    }
    return { path: p, content, mode: 0o644, mtime: new Date(0).toISOString() };
  }

  async writeFile(env: EnvRef, node: NodeName, file: string, content: Buffer): Promise<void> {
    await this.running(env, node);
    const p = checkServerPath(file);
    if (content.length > MAX_FILE_BYTES) throw new AppError(413, 'file_too_large', 'too large');
    this.files.set(`${node}:${p}`, content);
  }

  private async running(ref: EnvRef, node: NodeName): Promise<void> {
    let env: EnvInfo | undefined;
    try {
      env = await this.backend.status(ref);
    } catch {
      // As the Docker access says it: someone else's server is a server that is not there.
      env = undefined;
    }
    if (!env)
      throw new AppError(404, 'env_not_found', `Environment ${ref.id} has no server ${node} of yours`);
    if (env.state !== 'running') throw new AppError(409, 'env_not_running', `Server ${node} is not running`);
  }
}

/**
 * A terminal whose shell shows a prompt, echoes what is typed, starts a new prompt on Enter, ends
 * on `exit`, and records resizes.
 */
export class EchoTerminal implements TerminalSession {
  readonly stream: Duplex;
  readonly sizes: { cols: number; rows: number }[] = [];
  closed = false;
  readonly ended: Promise<void>;
  private end!: () => void;
  private line = '';

  constructor(readonly node: NodeName) {
    this.ended = new Promise((r) => (this.end = r));
    const prompt = `${node}$ `;
    this.stream = new Duplex({
      read() {
        // Output is pushed as keys arrive.
      },
      write: (chunk: Buffer, _enc, done) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch !== '\r' && ch !== '\n') {
            this.line += ch;
            this.stream.push(Buffer.from(ch));
            continue;
          }
          if (this.line.trim() === 'exit') {
            this.finish();
            break;
          }
          this.line = '';
          this.stream.push(Buffer.from(`\r\n${prompt}`));
        }
        done();
      },
    });
    this.stream.push(Buffer.from(prompt));
  }

  resize(cols: number, rows: number): Promise<void> {
    this.sizes.push({ cols, rows });
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    this.finish();
    return Promise.resolve();
  }

  private finish(): void {
    if (this.closed && this.stream.readableEnded) return;
    this.stream.push(null);
    this.end();
  }
}

/** An exec result of a command that succeeded quickly, with the given fields changed. */
export function execResult(over: Partial<ExecResult> = {}): ExecResult {
  return { exitCode: 0, stdout: '', stderr: '', timedOut: false, truncated: false, durationMs: 1, ...over };
}

/** The health of in-memory environments: always fine (no engine, no images to look at). */
export const healthyProbe: HealthProbe = () =>
  Promise.resolve({
    ok: true,
    engine: { ok: true },
    images: { ok: true, image: 'in-memory' },
    store: { ok: true },
  });
