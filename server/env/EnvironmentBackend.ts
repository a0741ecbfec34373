import type { Duplex } from 'node:stream';
import type { Progress } from '../progress.ts';

/** Options of one non-interactive command run on a server. */
export interface ExecOptions {
  /** Bytes written to the command's stdin, which is then closed. */
  readonly stdin?: string | Buffer;
  /** Killed after this long (default 60 s); the result then says `timedOut`. */
  readonly timeoutMs?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly workdir?: string;
  /** Output beyond this many bytes per stream is dropped and `truncated` set (default 8 MiB). */
  readonly maxOutputBytes?: number;
  /** Called with stdout as it arrives (for progress), in addition to collecting it. */
  readonly onStdout?: (text: string) => void;
  /** Kills the command (in the container, not just the client's wait) and rejects with `aborted`. */
  readonly signal?: AbortSignal;
}

/** What a command did. */
export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly truncated: boolean;
  readonly durationMs: number;
}

/** The servers of every environment, named as in the course notes. */
export const NODES = ['bigdata01', 'bigdata02', 'bigdata03'] as const;
/** One of bigdata01..03. */
export type NodeName = (typeof NODES)[number];

/**
 * `install`: ZooKeeper ensemble running, Kafka only as the tarball in /opt/soft (chapter 6).
 * `ready`: Kafka installed on all three as the notes' end state, brokers running.
 */
export type EnvMode = 'install' | 'ready';

/**
 * - `running`: all three servers up and the environment finished provisioning.
 * - `stopped`: all three servers stopped (`docker stop`); files kept, memory freed.
 * - `creating`: being provisioned by this process right now.
 * - `broken`: some servers up and some not, or provisioning never finished; reset fixes it.
 */
export type EnvState = 'creating' | 'running' | 'stopped' | 'broken';

/**
 * Which environment, and whose. The id comes from the store (random, never derived from a name);
 * every backend call checks the owner label of what it finds against `owner`, so an id that
 * somehow reaches the wrong caller still opens nothing.
 */
export interface EnvRef {
  readonly id: string;
  readonly owner: string;
}

/**
 * The owner of a warm-pool environment: created with this owner, it is booted ahead of time and
 * labelled as pooled. A student claims it when the store moves their environment id to it; from
 * then on `ClaimedBy` (the store) names them as its owner, since the engine's labels cannot
 * change. No student has this name (names are never empty), so no student's ref matches it.
 */
export const POOL_OWNER = '';

/** What to create. */
export interface EnvSpec extends EnvRef {
  readonly mode: EnvMode;
}

/**
 * Who claimed a pooled environment (the store's answer), or undefined while unclaimed. Backends
 * ask it for every pooled environment they find, at every call.
 */
export type ClaimedBy = (envId: string) => string | undefined;

/** One server of an environment. */
export interface NodeInfo {
  readonly name: NodeName;
  readonly containerId: string;
  /** The engine's container state: running, exited, created, ... */
  readonly state: string;
}

/** An environment as the engine sees it. */
export interface EnvInfo {
  readonly id: string;
  readonly owner: string;
  readonly mode: EnvMode;
  readonly state: EnvState;
  readonly nodes: readonly NodeInfo[];
  readonly createdAt: string;
  /** Made for the warm pool (its owner is `POOL_OWNER` until claimed, then the store's). */
  readonly pooled?: boolean;
}

/** What reconcile did on start-up. */
export interface ReconcileReport {
  readonly adopted: string[];
  readonly removed: string[];
}

/**
 * Where the objects under one environment id stand, as the reaper judges them:
 * - `busy`: this process is creating, resuming or removing it right now (listed even while it
 *   has no objects yet or any more); not to be touched or judged until it is done.
 * - `complete`: all three servers exist and provisioning finished (running, stopped or broken).
 * - `partial`: anything else: provisioning never finished (no marker), servers are missing, or
 *   only a network or volumes are left (a crash between creating or removing the pieces).
 */
export type EnvStage = 'busy' | 'complete' | 'partial';

/** What the engine holds under one environment id (containers, network, volumes), whole or not. */
export interface EnvRemains {
  readonly id: string;
  readonly stage: EnvStage;
  /** Labelled for the warm pool: the pool's until the store gives it to a student. */
  readonly pooled: boolean;
  /** When its newest object was created (ISO, the engine's clock; now for `busy` ones without objects). */
  readonly createdAt: string;
}

/**
 * Lifecycle of per-student environments. Every call is safe to repeat, also concurrently:
 * creating an existing environment returns it (resuming it if stopped), stopping a stopped one
 * and removing a missing one do nothing. Environments are addressed by `EnvRef`; one whose owner
 * label differs from the ref's owner is treated as someone else's (`not_your_environment`).
 */
export interface EnvironmentBackend {
  /** Creates the owner's environment and waits until it is ready, reporting each phase. */
  create(spec: EnvSpec, progress?: Progress): Promise<EnvInfo>;
  /** The environment, or undefined when there is none. Never changes anything. */
  status(env: EnvRef): Promise<EnvInfo | undefined>;
  /** Stops all servers (`docker stop`): memory freed, files kept. */
  stop(env: EnvRef): Promise<void>;
  /** Starts a stopped environment again and waits until ZooKeeper and the brokers that ran before are back. */
  start(env: EnvRef, progress?: Progress): Promise<EnvInfo>;
  /** Removes servers, network and volumes. */
  remove(env: EnvRef): Promise<void>;
  /** All environments with this backend's prefix. */
  list(): Promise<EnvInfo[]>;
  /** On server start: keeps finished environments, removes half-created ones and orphans. */
  reconcile(): Promise<ReconcileReport>;
  /**
   * Every environment id with this backend's prefix and what is left of it, whole or not, plus
   * the ids this process is busy with. Never changes anything and checks no owner: the reaper
   * judges by id, against the store.
   */
  survey(): Promise<EnvRemains[]>;
  /**
   * Removes everything under an id whoever owns it (the reaper's, for what no student owns or
   * what was left half-made). Does nothing and answers false while this process creates it;
   * removing nothing is fine, so it is safe to repeat.
   */
  discard(envId: string): Promise<boolean>;
}

/** A directory entry for the editor's file browser. */
export interface DirEntry {
  readonly name: string;
  readonly type: 'file' | 'dir' | 'link' | 'other';
  readonly size: number;
  readonly mtime: string;
}

/** A file read from a server. */
export interface FileContent {
  readonly path: string;
  readonly content: Buffer;
  readonly mode: number;
  readonly mtime: string;
}

/** An interactive shell on a server: raw bytes both ways over `stream`. */
export interface TerminalSession {
  readonly stream: Duplex;
  resize(cols: number, rows: number): Promise<void>;
  /** Hangs up: the shell and its foreground jobs end (nohup'd daemons survive, as over ssh). */
  close(): Promise<void>;
  /** Resolves when the shell has ended (typed `exit`, or closed). */
  readonly ended: Promise<void>;
}

/**
 * Access to the servers of a running environment: commands, terminals, files. Every call checks
 * that the server belongs to `env.owner`; a server of another owner answers `env_not_found`.
 */
export interface NodeAccess {
  /** Runs a command to completion (stdin, timeout, exit code). */
  exec(env: EnvRef, node: NodeName, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Opens a login shell on a TTY. */
  openTerminal(env: EnvRef, node: NodeName, size: { cols: number; rows: number }): Promise<TerminalSession>;
  /** Lists a directory (path rules apply). */
  listDir(env: EnvRef, node: NodeName, path: string): Promise<DirEntry[]>;
  /** Reads a file up to the size limit (path rules apply; symbolic links are followed, then checked). */
  readFile(env: EnvRef, node: NodeName, path: string): Promise<FileContent>;
  /** Writes a file, keeping its mode when it exists (size limit and path rules apply). */
  writeFile(env: EnvRef, node: NodeName, path: string, content: Buffer): Promise<void>;
}

/**
 * A student's servers, already bound to their environment: what routes, checks and terminals get
 * instead of an environment id, so they cannot address anyone else's.
 */
export interface EnvNodes {
  /** Names this binding (owner and environment) for keeping sessions apart; it addresses nothing. */
  readonly key: string;
  exec(node: NodeName, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  openTerminal(node: NodeName, size: { cols: number; rows: number }): Promise<TerminalSession>;
  listDir(node: NodeName, path: string): Promise<DirEntry[]>;
  readFile(node: NodeName, path: string): Promise<FileContent>;
  writeFile(node: NodeName, path: string, content: Buffer): Promise<void>;
}

/** Binds node access to one environment. */
export function bindNodes(access: NodeAccess, env: EnvRef): EnvNodes {
  return {
    key: `${env.owner}\0${env.id}`,
    exec: (node, argv, opts) => access.exec(env, node, argv, opts),
    openTerminal: (node, size) => access.openTerminal(env, node, size),
    listDir: (node, p) => access.listDir(env, node, p),
    readFile: (node, p) => access.readFile(env, node, p),
    writeFile: (node, p, content) => access.writeFile(env, node, p, content),
  };
}
