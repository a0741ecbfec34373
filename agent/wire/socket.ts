/**
 * A TCP connection that delivers whole length-prefixed frames, shared by the ZooKeeper and Kafka
 * clients. It adds the two things plain `net` lacks for this job: a connect timeout (a stopped
 * container's address may swallow SYNs) and request/response matching by id.
 */
import net from 'node:net';
import { FrameSplitter } from './binary.ts';

/** Why a connection could not be used; `unreachable` distinguishes "nobody listening". */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

interface Pending {
  resolve: (frame: Buffer) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Frames over one socket. Replies are matched to requests by an id the caller extracts from
 * each frame (ZooKeeper's xid, Kafka's correlation id).
 */
export class FramedConnection {
  private readonly splitter = new FrameSplitter();
  private readonly pending = new Map<number, Pending>();
  private firstFrame: Pending | null = null;
  private closedWith: Error | null = null;

  private constructor(
    private readonly socket: net.Socket,
    readonly address: string,
    private readonly idOf: (frame: Buffer) => number,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new ConnectionError(`${address}: ${err.message}`)));
    socket.on('close', () => this.fail(new ConnectionError(`${address}: connection closed`)));
  }

  /** Opens a connection, failing after `timeoutMs` instead of the OS's minutes-long SYN retry. */
  static open(
    host: string,
    port: number,
    timeoutMs: number,
    idOf: (frame: Buffer) => number,
  ): Promise<FramedConnection> {
    const address = `${host}:${port}`;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectionError(`${address}: connect timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const onError = (err: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(new ConnectionError(`${address}: ${err.message}`));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new FramedConnection(socket, address, idOf));
      });
    });
  }

  /** True once the socket is gone; every later request fails at once. */
  get closed(): boolean {
    return this.closedWith !== null;
  }

  /**
   * Sends `frame` and resolves with the reply whose id is `id`. When `first` is set the next
   * frame is the reply whatever its id (ZooKeeper's handshake answer carries none).
   */
  request(frame: Buffer, id: number, timeoutMs: number, first = false): Promise<Buffer> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // A reply that may still arrive would be matched to nothing useful: drop the socket.
        this.fail(new ConnectionError(`${this.address}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const entry: Pending = { resolve, reject, timer };
      if (first) this.firstFrame = entry;
      else this.pending.set(id, entry);
      this.socket.write(frame);
    });
  }

  /** Sends a frame that has no reply. */
  send(frame: Buffer): void {
    if (!this.closedWith) this.socket.write(frame);
  }

  /** Closes the socket; pending requests fail. */
  destroy(): void {
    this.fail(new ConnectionError(`${this.address}: connection closed by the agent`));
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch (err) {
      this.fail(new ConnectionError(`${this.address}: ${(err as Error).message}`));
      return;
    }
    for (const frame of frames) {
      const waiting = this.firstFrame;
      if (waiting) {
        this.firstFrame = null;
        clearTimeout(waiting.timer);
        waiting.resolve(frame);
        continue;
      }
      if (frame.length < 4) continue;
      const id = this.idOf(frame);
      const entry = this.pending.get(id);
      if (!entry) continue; // e.g. a ZooKeeper notification; the agent sets no watches
      this.pending.delete(id);
      clearTimeout(entry.timer);
      entry.resolve(frame);
    }
  }

  private fail(err: Error): void {
    if (this.closedWith) return;
    this.closedWith = err;
    this.socket.destroy();
    const all = [...this.pending.values()];
    if (this.firstFrame) all.push(this.firstFrame);
    this.pending.clear();
    this.firstFrame = null;
    for (const p of all) {
      clearTimeout(p.timer);
      p.reject(err);
    }
  }
}
