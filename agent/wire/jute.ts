/**
 * The few ZooKeeper client records the agent needs, in jute's binary form (see ZooKeeper's
 * zookeeper.jute): a session handshake and read-only requests. Every message on the socket is
 * a 32-bit length followed by the record; requests start with a RequestHeader {xid, type},
 * replies with a ReplyHeader {xid, zxid, err}.
 */
import { BinaryReader, BinaryWriter } from './binary.ts';

/** ZooKeeper OpCode values for the requests this client sends. */
export const ZkOp = {
  exists: 3,
  getData: 4,
  getChildren: 8,
  closeSession: -11,
} as const;

/** Reply error codes (KeeperException.Code) worth naming; any other non-zero is a failure. */
export const ZkErr = {
  ok: 0,
  connectionLoss: -4,
  noAuth: -102,
  noNode: -101,
  sessionExpired: -112,
} as const;

/** A readable name for a reply error code, for messages. */
export function zkErrorName(code: number): string {
  const names: Record<number, string> = {
    [-1]: 'SYSTEMERROR',
    [-4]: 'CONNECTIONLOSS',
    [-7]: 'OPERATIONTIMEOUT',
    [-8]: 'BADARGUMENTS',
    [-13]: 'NEWCONFIGNOQUORUM',
    [-101]: 'NONODE',
    [-102]: 'NOAUTH',
    [-112]: 'SESSIONEXPIRED',
  };
  return names[code] ?? `error ${code}`;
}

/** A session handshake request. */
export interface ConnectRequest {
  sessionTimeoutMs: number;
}

/** The server's handshake answer. A timeout of 0 means the server refused the session. */
export interface ConnectResponse {
  protocolVersion: number;
  timeOutMs: number;
  sessionId: bigint;
  passwd: Buffer;
}

/** The fixed part of every reply. */
export interface ReplyHeader {
  xid: number;
  zxid: bigint;
  err: number;
}

/** org.apache.zookeeper.data.Stat, in field order. */
export interface ZkStat {
  czxid: bigint;
  mzxid: bigint;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: bigint;
}

/**
 * ConnectRequest {int protocolVersion; long lastZxidSeen; int timeOut; long sessionId;
 * buffer passwd} followed by the readOnly flag servers since 3.4 accept. A new session has
 * zeroes everywhere and a 16-byte zero password.
 */
export function encodeConnectRequest(req: ConnectRequest): Buffer {
  return new BinaryWriter()
    .int32(0)
    .int64(0n)
    .int32(req.sessionTimeoutMs)
    .int64(0n)
    .bytes32(Buffer.alloc(16))
    .bool(false)
    .framed();
}

/** ConnectResponse {int protocolVersion; int timeOut; long sessionId; buffer passwd} [bool readOnly]. */
export function decodeConnectResponse(frame: Buffer): ConnectResponse {
  const r = new BinaryReader(frame);
  return {
    protocolVersion: r.int32(),
    timeOutMs: r.int32(),
    sessionId: r.int64(),
    passwd: r.bytes32() ?? Buffer.alloc(0),
  };
}

/**
 * A request whose body is {ustring path; boolean watch} (exists, getData, getChildren), or a
 * header-only request when `path` is null (closeSession). Watches are never set: the agent
 * makes short calls and does not want notifications interleaved with replies.
 */
export function encodePathRequest(xid: number, op: number, path: string | null): Buffer {
  const w = new BinaryWriter().int32(xid).int32(op);
  if (path !== null) w.string32(path).bool(false);
  return w.framed();
}

/** Reads the ReplyHeader at the start of a reply frame; the reader is left at the body. */
export function decodeReplyHeader(r: BinaryReader): ReplyHeader {
  return { xid: r.int32(), zxid: r.int64(), err: r.int32() };
}

/** Reads a Stat record. */
export function decodeStat(r: BinaryReader): ZkStat {
  return {
    czxid: r.int64(),
    mzxid: r.int64(),
    ctime: r.int64n(),
    mtime: r.int64n(),
    version: r.int32(),
    cversion: r.int32(),
    aversion: r.int32(),
    ephemeralOwner: r.int64(),
    dataLength: r.int32(),
    numChildren: r.int32(),
    pzxid: r.int64(),
  };
}

/** GetDataResponse {buffer data; Stat stat}. */
export function decodeGetDataResponse(r: BinaryReader): { data: Buffer | null; stat: ZkStat } {
  const data = r.bytes32();
  return { data, stat: decodeStat(r) };
}

/** GetChildrenResponse {vector<ustring> children}. */
export function decodeGetChildrenResponse(r: BinaryReader): string[] {
  return r.array((x) => x.string32() ?? '');
}

/** ZooKeeper shows session ids in hex (zkCli's "ephemeralOwner = 0x..."); so does the agent. */
export function sessionIdHex(id: bigint): string {
  return `0x${BigInt.asUintN(64, id).toString(16)}`;
}
