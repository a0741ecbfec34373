import { Duplex } from 'node:stream';
import type { ExecOptions, ExecResult } from '../../../server/docker/exec.ts';
import {
  NODES,
  type DirEntry,
  type EnvInfo,
  type EnvironmentBackend,
  type EnvSpec,
  type FileContent,
  type NodeAccess,
  type NodeName,
  type ReconcileReport,
  type TerminalSession,
} from '../../../server/env/EnvironmentBackend.ts';
import { checkServerPath, MAX_FILE_BYTES } from '../../../server/env/files.ts';
import { envIdFor } from '../../../server/env/naming.ts';
import { AppError } from '../../../server/errors.ts';
import { execResult } from './exec.ts';
import type { Progress } from '../../../server/progress.ts';

/** An in-memory backend whose environments come up after `bootMs` (0: at once). */
export class InstantBackend implements EnvironmentBackend {
  readonly envs = new Map<string, EnvInfo>();
  creates = 0;

  constructor(protected readonly bootMs = 0) {}

  async create(spec: EnvSpec, progress: Progress = () => undefined): Promise<EnvInfo> {
    this.creates++;
    const id = envIdFor(spec.owner);
    const existing = this.envs.get(id);
    if (existing) return existing;
    progress({ phase: 'network', message: 'creating network' });
    progress({ phase: 'zookeeper', message: 'ZooKeeper 3/3 in the quorum', done: 3, total: 3 });
    await this.boot(id, progress);
    const info: EnvInfo = {
      id,
      owner: spec.owner,
      mode: spec.mode,
      state: 'running',
      nodes: NODES.map((name) => ({ name, containerId: `${id}-${name}`, state: 'running' })),
      createdAt: new Date().toISOString(),
    };
    this.envs.set(id, info);
    progress({ phase: 'ready', message: 'environment ready' });
    return info;
  }

  protected async boot(_id: string, _progress: Progress): Promise<void> {
    if (this.bootMs > 0) await new Promise((r) => setTimeout(r, this.bootMs));
  }

  status(envId: string): Promise<EnvInfo | undefined> {
    return Promise.resolve(this.envs.get(envId));
  }
  stop(envId: string): Promise<void> {
    const e = this.envs.get(envId);
    if (e) this.envs.set(envId, { ...e, state: 'stopped' });
    return Promise.resolve();
  }
  async start(envId: string): Promise<EnvInfo> {
    const e = this.envs.get(envId);
    if (!e) throw new AppError(404, 'env_not_found', `There is no environment ${envId}`);
    const running = { ...e, state: 'running' as const };
    this.envs.set(envId, running);
    return Promise.resolve(running);
  }
  remove(envId: string): Promise<void> {
    this.envs.delete(envId);
    return Promise.resolve();
  }
  list(): Promise<EnvInfo[]> {
    return Promise.resolve([...this.envs.values()]);
  }
  reconcile(): Promise<ReconcileReport> {
    return Promise.resolve({ adopted: [...this.envs.keys()], removed: [] });
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

  async exec(
    envId: string,
    node: NodeName,
    argv: readonly string[],
    _opts?: ExecOptions,
  ): Promise<ExecResult> {
    await this.running(envId, node);
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

  async openTerminal(envId: string, node: NodeName): Promise<TerminalSession> {
    await this.running(envId, node);
    const term = new EchoTerminal(node);
    this.terminals.push(term);
    return term;
  }

  async listDir(envId: string, node: NodeName, dir: string): Promise<DirEntry[]> {
    await this.running(envId, node);
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

  async readFile(envId: string, node: NodeName, file: string): Promise<FileContent> {
    await this.running(envId, node);
    const p = checkServerPath(file);
    const content = this.files.get(`${node}:${p}`);
    if (content === undefined) {
      if ([...this.files.keys()].some((k) => k.startsWith(`${node}:${p}/`)))
        throw new AppError(400, 'is_a_directory', `${p} is a directory`);
      throw new AppError(404, 'file_not_found', `${p} does not exist on ${node}`);
    }
    return { path: p, content, mode: 0o644, mtime: new Date(0).toISOString() };
  }

  async writeFile(envId: string, node: NodeName, file: string, content: Buffer): Promise<void> {
    await this.running(envId, node);
    const p = checkServerPath(file);
    if (content.length > MAX_FILE_BYTES) throw new AppError(413, 'file_too_large', 'too large');
    this.files.set(`${node}:${p}`, content);
  }

  private async running(envId: string, node: NodeName): Promise<void> {
    const env = await this.backend.status(envId);
    if (!env) throw new AppError(404, 'env_not_found', `Environment ${envId} has no server ${node}`);
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
