/**
 * A tiny read-only ZooKeeper client: handshake, exists, getData, getChildren, close. The agent
 * only ever makes a handful of short calls, so there are no watches, no pings and no
 * reconnection: a caller that wants to keep polling opens a new client when one breaks.
 */
import type { HostPort } from './args.ts';
import { AgentError } from './errors.ts';
import { BinaryReader } from './wire/binary.ts';
import {
  decodeConnectResponse,
  decodeGetChildrenResponse,
  decodeGetDataResponse,
  decodeReplyHeader,
  decodeStat,
  encodeConnectRequest,
  encodePathRequest,
  ZkErr,
  zkErrorName,
  ZkOp,
  type ZkStat,
} from './wire/jute.ts';
import { FramedConnection } from './wire/socket.ts';

/** What the agent reads from ZooKeeper; fakes implement it in tests. */
export interface ZkReader {
  /** Child names (unsorted, as the server sends them), or null when the node does not exist. */
  children(path: string): Promise<string[] | null>;
  /** Data and stat, or null when the node does not exist. */
  get(path: string): Promise<{ data: Buffer | null; stat: ZkStat } | null>;
  /** Stat, or null when the node does not exist. */
  exists(path: string): Promise<ZkStat | null>;
}

/** Timeouts for one client. */
export interface ZkClientOptions {
  /** Per server: how long a TCP connect plus handshake may take (~1 s keeps 3 dead servers < 3 s). */
  connectTimeoutMs: number;
  /** Per request. */
  requestTimeoutMs: number;
}

const DEFAULT_OPTIONS: ZkClientOptions = { connectTimeoutMs: 1000, requestTimeoutMs: 3000 };

// The session only has to outlive a short command (or ready's polling, where every request
// counts as activity); short sessions disappear quickly from the server if we are killed.
const SESSION_TIMEOUT_MS = 10_000;

/** A connected session on one ZooKeeper server. */
export class ZkClient implements ZkReader {
  private nextXid = 1;

  private constructor(
    private readonly conn: FramedConnection,
    readonly server: string,
    private readonly options: ZkClientOptions,
  ) {}

  /**
   * Connects to the first server that completes a handshake, trying them in the given order.
   * A server without quorum accepts TCP but drops the handshake, so it counts as down too.
   */
  static async connect(
    servers: readonly HostPort[],
    options: Partial<ZkClientOptions> = {},
  ): Promise<ZkClient> {
    const opts = { ...DEFAULT_OPTIONS, ...options };
    const failures: string[] = [];
    for (const { host, port } of servers) {
      try {
        return await ZkClient.handshake(host, port, opts);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
    throw new AgentError('zk_unreachable', `no ZooKeeper server answered (${failures.join('; ')})`);
  }

  private static async handshake(host: string, port: number, opts: ZkClientOptions): Promise<ZkClient> {
    const started = Date.now();
    const conn = await FramedConnection.open(host, port, opts.connectTimeoutMs, xidOf);
    try {
      const left = Math.max(100, opts.connectTimeoutMs - (Date.now() - started));
      const frame = await conn.request(
        encodeConnectRequest({ sessionTimeoutMs: SESSION_TIMEOUT_MS }),
        0,
        left,
        true,
      );
      const res = decodeConnectResponse(frame);
      if (res.timeOutMs <= 0) throw new Error(`${host}:${port}: session refused`);
      return new ZkClient(conn, `${host}:${port}`, opts);
    } catch (err) {
      conn.destroy();
      throw err;
    }
  }

  /** True once the connection broke; open a new client to continue. */
  get broken(): boolean {
    return this.conn.closed;
  }

  /** Child names, or null when the node does not exist. */
  async children(path: string): Promise<string[] | null> {
    const body = await this.call(ZkOp.getChildren, path);
    return body === null ? null : decodeGetChildrenResponse(body);
  }

  /** Data and stat, or null when the node does not exist. */
  async get(path: string): Promise<{ data: Buffer | null; stat: ZkStat } | null> {
    const body = await this.call(ZkOp.getData, path);
    return body === null ? null : decodeGetDataResponse(body);
  }

  /** Stat, or null when the node does not exist. */
  async exists(path: string): Promise<ZkStat | null> {
    const body = await this.call(ZkOp.exists, path);
    return body === null ? null : decodeStat(body);
  }

  /**
   * Ends the session politely so its ephemeral state goes at once rather than after the session
   * timeout; gives up quickly because the answer does not matter.
   */
  async close(): Promise<void> {
    if (this.conn.closed) return;
    const xid = this.nextXid++;
    try {
      await this.conn.request(encodePathRequest(xid, ZkOp.closeSession, null), xid, 500);
    } catch {
      // The server closes the socket after answering; a lost answer changes nothing.
    } finally {
      this.conn.destroy();
    }
  }

  /** Sends one path request; resolves with the reply body, or null for NONODE. */
  private async call(op: number, path: string): Promise<BinaryReader | null> {
    const xid = this.nextXid++;
    let frame: Buffer;
    try {
      frame = await this.conn.request(encodePathRequest(xid, op, path), xid, this.options.requestTimeoutMs);
    } catch (err) {
      throw new AgentError('zk_unreachable', `ZooKeeper ${this.server}: ${(err as Error).message}`);
    }
    const reader = new BinaryReader(frame);
    const header = decodeReplyHeader(reader);
    if (header.err === ZkErr.noNode) return null;
    if (header.err !== ZkErr.ok) {
      throw new AgentError('zk_error', `ZooKeeper ${this.server}: ${zkErrorName(header.err)} for ${path}`);
    }
    return reader;
  }
}

function xidOf(frame: Buffer): number {
  return frame.readInt32BE(0);
}

/** Opens a client, runs `work`, and always closes the session. */
export async function withZk<T>(
  servers: readonly HostPort[],
  work: (zk: ZkClient) => Promise<T>,
  options: Partial<ZkClientOptions> = {},
): Promise<T> {
  const zk = await ZkClient.connect(servers, options);
  try {
    return await work(zk);
  } finally {
    await zk.close();
  }
}
