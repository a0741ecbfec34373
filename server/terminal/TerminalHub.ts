import type { EnvNodes, NodeName, TerminalSession } from '../env/EnvironmentBackend.ts';
import type { Logger } from '../log.ts';

/** Where a terminal's output goes while a browser is attached. */
export interface TerminalSink {
  /** Called once, before any output: whether the shell is new and how much earlier output follows. */
  attached(info: { fresh: boolean; replayed: number }): void;
  data(chunk: Buffer): void;
  /** The shell ended (typed `exit`). */
  exit(): void;
  /** Another browser tab took this terminal over. */
  replaced(): void;
  /** The shell's size changed (told to watchers, whose screens should match the student's). */
  resized?(cols: number, rows: number): void;
}

/** A browser's hold on a terminal. */
export interface Attachment {
  /** Whether this is a new shell (false: reattached to a running one). */
  readonly fresh: boolean;
  /** Bytes of earlier output that were replayed to the sink. */
  readonly replayed: number;
  write(data: Buffer): void;
  resize(cols: number, rows: number): void;
  /**
   * Stops reading the shell's output until the same reason resumes it. The browser (its
   * terminal is behind) and the server (the socket's buffer is full) pause for their own
   * reasons; output flows again only when neither holds it, so a drained socket cannot resume
   * a terminal the browser paused.
   */
  pause(reason: PauseReason): void;
  resume(reason: PauseReason): void;
  /** The browser went away: keep the shell for the grace period. */
  detach(): void;
}

/** Who holds a terminal's output back: the browser's flow control or the socket's back-pressure. */
export type PauseReason = 'browser' | 'backpressure';

/** Settings of the hub. */
export interface TerminalHubOptions {
  /** How long a shell without a browser stays alive (a reload or network blip reattaches). */
  readonly graceMs: number;
  /** How much recent output is kept for replay. */
  readonly scrollbackBytes: number;
}

interface Session {
  readonly term: TerminalSession;
  readonly scrollback: Scrollback;
  sink?: TerminalSink;
  /** Read-only viewers (an instructor watching): they get the output, never write or resize. */
  readonly watchers: Set<TerminalSink>;
  /** The shell's current size (the last resize from the student). */
  size: { cols: number; rows: number };
  grace?: NodeJS.Timeout;
  readonly pausedBy: Set<PauseReason>;
}

/**
 * One shell per (student, environment, server), kept across short disconnects. Output is read
 * continuously into a bounded scrollback so a detached shell never blocks on a full pipe, and the
 * scrollback is replayed to whoever attaches next.
 */
export class TerminalHub {
  private readonly sessions = new Map<string, Session>();
  private readonly opening = new Map<string, Promise<Session>>();

  constructor(
    private readonly log: Logger,
    private readonly opts: TerminalHubOptions = { graceMs: 120_000, scrollbackBytes: 256 * 1024 },
  ) {}

  /** Attaches a sink to the shell of (the student's environment, node), opening one if needed. */
  async attach(
    nodes: EnvNodes,
    node: NodeName,
    size: { cols: number; rows: number },
    sink: TerminalSink,
  ): Promise<Attachment> {
    const { session: s, fresh, key } = await this.session(nodes, node, size);
    if (s.grace) clearTimeout(s.grace);
    s.grace = undefined;
    if (s.sink && s.sink !== sink) s.sink.replaced();
    const replay = s.scrollback.contents();
    sink.attached({ fresh, replayed: replay.length });
    if (replay.length > 0) sink.data(replay);
    s.sink = sink;
    if (!fresh) resize(s, size.cols, size.rows);
    return {
      fresh,
      replayed: replay.length,
      write: (data) => {
        if (s.sink === sink) s.term.stream.write(data);
      },
      resize: (cols, rows) => {
        if (s.sink === sink) resize(s, cols, rows);
      },
      pause: (reason) => {
        if (s.sink !== sink) return;
        s.pausedBy.add(reason);
        s.term.stream.pause();
      },
      resume: (reason) => {
        if (s.sink !== sink) return;
        s.pausedBy.delete(reason);
        if (s.pausedBy.size === 0) s.term.stream.resume();
      },
      detach: () => {
        if (s.sink !== sink) return;
        s.sink = undefined;
        // Nobody reads the output now: keep draining it into the scrollback.
        if (s.pausedBy.size > 0) {
          s.pausedBy.clear();
          s.term.stream.resume();
        }
        s.grace = setTimeout(() => void this.close(key), this.opts.graceMs);
      },
    };
  }

  /**
   * Adds a read-only viewer to the shell of (the student's environment, node), opening the shell
   * when the student has none: the viewer gets the scrollback and then the output, and can
   * neither type nor resize, nor take the terminal from the student. A viewer does not keep the
   * shell alive past the student's grace period.
   */
  async watch(
    nodes: EnvNodes,
    node: NodeName,
    size: { cols: number; rows: number },
    sink: TerminalSink,
  ): Promise<{ detach(): void }> {
    const { session: s, fresh, key } = await this.session(nodes, node, size);
    // Opened for a viewer alone: it lives for the grace period unless the student attaches.
    if (fresh && !s.sink && !s.grace) s.grace = setTimeout(() => void this.close(key), this.opts.graceMs);
    const replay = s.scrollback.contents();
    sink.attached({ fresh, replayed: replay.length });
    sink.resized?.(s.size.cols, s.size.rows);
    if (replay.length > 0) sink.data(replay);
    s.watchers.add(sink);
    return { detach: () => void s.watchers.delete(sink) };
  }

  /** Hangs up every shell of an environment (it is being stopped or removed). */
  async closeEnv(envId: string): Promise<void> {
    await Promise.all(
      [...this.sessions.keys()].filter((k) => k.split('\0')[1] === envId).map((k) => this.close(k)),
    );
  }

  /** Hangs up every shell (server shutdown). */
  async dispose(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((k) => this.close(k)));
  }

  /** Number of live shells (for tests and the bench). */
  get size(): number {
    return this.sessions.size;
  }

  /** The shell of (environment, node): the running one, or one opened now (once, however many ask). */
  private async session(
    nodes: EnvNodes,
    node: NodeName,
    size: { cols: number; rows: number },
  ): Promise<{ session: Session; fresh: boolean; key: string }> {
    // owner \0 environment id \0 node: closeEnv finds an environment's shells by the middle part.
    const key = `${nodes.key}\0${node}`;
    const running = this.sessions.get(key);
    if (running) return { session: running, fresh: false, key };
    let pending = this.opening.get(key);
    if (!pending) {
      pending = this.open(key, nodes, node, size).finally(() => this.opening.delete(key));
      this.opening.set(key, pending);
    }
    return { session: await pending, fresh: true, key };
  }

  private async open(
    key: string,
    nodes: EnvNodes,
    node: NodeName,
    size: { cols: number; rows: number },
  ): Promise<Session> {
    const term = await nodes.openTerminal(node, size);
    const session: Session = {
      term,
      scrollback: new Scrollback(this.opts.scrollbackBytes),
      pausedBy: new Set(),
      watchers: new Set(),
      size: { ...size },
    };
    term.stream.on('data', (chunk: Buffer) => {
      session.scrollback.push(chunk);
      session.sink?.data(chunk);
      for (const w of session.watchers) w.data(chunk);
    });
    void term.ended.then(() => {
      if (this.sessions.get(key) !== session) return;
      this.sessions.delete(key);
      if (session.grace) clearTimeout(session.grace);
      session.sink?.exit();
      for (const w of session.watchers) w.exit();
    });
    this.sessions.set(key, session);
    this.log.debug({ node }, 'terminal opened');
    return session;
  }

  private async close(key: string): Promise<void> {
    const session = this.sessions.get(key);
    if (!session) return;
    this.sessions.delete(key);
    if (session.grace) clearTimeout(session.grace);
    // The shell goes away with its environment (or the server): whoever is attached hears it as
    // when the shell ends by itself, and lets go, so that a late detach starts no grace timer
    // (which would close whatever shell holds this key by then) and no keystroke reaches it.
    const sink = session.sink;
    session.sink = undefined;
    sink?.exit();
    for (const w of session.watchers) w.exit();
    session.watchers.clear();
    await session.term.close().catch(() => undefined);
  }
}

/** Resizes a shell and tells its watchers. */
function resize(s: Session, cols: number, rows: number): void {
  if (s.size.cols === cols && s.size.rows === rows) return;
  s.size = { cols, rows };
  void s.term.resize(cols, rows);
  for (const w of s.watchers) w.resized?.(cols, rows);
}

/** The last `limit` bytes of a stream, starting at a line boundary once it has wrapped. */
export class Scrollback {
  private chunks: Buffer[] = [];
  private size = 0;
  private wrapped = false;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 0) {
      const first = this.chunks[0] as Buffer;
      const excess = this.size - this.limit;
      this.wrapped = true;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
      }
    }
  }

  /** The kept output; after wrapping, from the first full line (no half escape sequence or character). */
  contents(): Buffer {
    const all = Buffer.concat(this.chunks);
    if (!this.wrapped) return all;
    const nl = all.indexOf(0x0a);
    return nl < 0 ? all : all.subarray(nl + 1);
  }
}
