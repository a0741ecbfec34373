import { describe, expect, it } from 'vitest';
import { BinaryReader, BinaryWriter, DecodeError, FrameSplitter } from '../../../agent/wire/binary.ts';
import {
  decodeConnectResponse,
  decodeGetChildrenResponse,
  decodeGetDataResponse,
  decodeReplyHeader,
  decodeStat,
  encodeConnectRequest,
  encodePathRequest,
  sessionIdHex,
  ZkOp,
} from '../../../agent/wire/jute.ts';
import { cat, hex, i32, i64, str32 } from './bytes.ts';

/** A Stat with distinct values in every field, as the server would send it. */
const STAT_BYTES = cat(
  i64(0x10n), // czxid
  i64(0x11n), // mzxid
  i64(1_700_000_000_000n), // ctime
  i64(1_700_000_000_500n), // mtime
  i32(3), // version
  i32(4), // cversion
  i32(0), // aversion
  i64(0x100001234560000n), // ephemeralOwner
  i32(12), // dataLength
  i32(2), // numChildren
  i64(0x12n), // pzxid
);

describe('jute requests', () => {
  it('encodes a new-session ConnectRequest byte for byte', () => {
    expect(encodeConnectRequest({ sessionTimeoutMs: 10_000 })).toEqual(
      hex(`
        0000002d
        00000000
        0000000000000000
        00002710
        0000000000000000
        00000010 00000000000000000000000000000000
        00
      `),
    );
  });

  it('encodes getChildren as header, ustring path and a false watch flag', () => {
    expect(encodePathRequest(7, ZkOp.getChildren, '/kafka')).toEqual(
      cat(i32(19), i32(7), i32(8), str32('/kafka'), hex('00')),
    );
  });

  it('encodes closeSession as a bare header', () => {
    expect(encodePathRequest(9, ZkOp.closeSession, null)).toEqual(cat(i32(8), i32(9), i32(-11)));
  });

  it('writes non-ASCII paths as UTF-8 with the byte length', () => {
    const frame = encodePathRequest(1, ZkOp.exists, '/主题');
    expect(frame.subarray(12, 16)).toEqual(i32(7));
    expect(frame.subarray(16, 23).toString('utf8')).toBe('/主题');
  });
});

describe('jute replies', () => {
  it('decodes a ConnectResponse, ignoring the trailing read-only flag', () => {
    const res = decodeConnectResponse(
      cat(i32(0), i32(10_000), i64(0x100001234560000n), i32(16), Buffer.alloc(16, 7), hex('00')),
    );
    expect(res.timeOutMs).toBe(10_000);
    expect(res.sessionId).toBe(0x100001234560000n);
    expect(res.passwd).toEqual(Buffer.alloc(16, 7));
  });

  it('decodes a reply header and a getChildren body', () => {
    const r = new BinaryReader(cat(i32(5), i64(0x20n), i32(0), i32(2), str32('1'), str32('10')));
    expect(decodeReplyHeader(r)).toEqual({ xid: 5, zxid: 0x20n, err: 0 });
    expect(decodeGetChildrenResponse(r)).toEqual(['1', '10']);
  });

  it('decodes a NONODE reply header', () => {
    const r = new BinaryReader(cat(i32(6), i64(0x21n), i32(-101)));
    expect(decodeReplyHeader(r).err).toBe(-101);
  });

  it('decodes every Stat field in jute order', () => {
    const stat = decodeStat(new BinaryReader(STAT_BYTES));
    expect(stat).toEqual({
      czxid: 0x10n,
      mzxid: 0x11n,
      ctime: 1_700_000_000_000,
      mtime: 1_700_000_000_500,
      version: 3,
      cversion: 4,
      aversion: 0,
      ephemeralOwner: 0x100001234560000n,
      dataLength: 12,
      numChildren: 2,
      pzxid: 0x12n,
    });
    expect(sessionIdHex(stat.ephemeralOwner)).toBe('0x100001234560000');
  });

  it('decodes getData with data, and with null data (-1 length)', () => {
    const withData = decodeGetDataResponse(new BinaryReader(cat(str32('{"brokerid":2}'), STAT_BYTES)));
    expect(withData.data?.toString()).toBe('{"brokerid":2}');
    expect(withData.stat.numChildren).toBe(2);
    const nullData = decodeGetDataResponse(new BinaryReader(cat(i32(-1), STAT_BYTES)));
    expect(nullData.data).toBeNull();
  });

  it('refuses a reply that ends early instead of reading garbage', () => {
    expect(() => decodeStat(new BinaryReader(STAT_BYTES.subarray(0, 60)))).toThrow(DecodeError);
    expect(() => decodeGetChildrenResponse(new BinaryReader(cat(i32(1000), str32('a'))))).toThrow(
      DecodeError,
    );
  });
});

describe('BinaryWriter and BinaryReader', () => {
  it('round-trip negative numbers, 64-bit values and null strings', () => {
    const bytes = new BinaryWriter()
      .int16(-2)
      .int32(-3)
      .int64(-4n)
      .string16(null)
      .string32(null)
      .bool(true)
      .bytes();
    expect(bytes).toEqual(hex('fffe fffffffd fffffffffffffffc ffff ffffffff 01'));
    const r = new BinaryReader(bytes);
    expect([r.int16(), r.int32(), r.int64(), r.string16(), r.string32(), r.bool(), r.remaining]).toEqual([
      -2,
      -3,
      -4n,
      null,
      null,
      true,
      0,
    ]);
  });
});

describe('FrameSplitter', () => {
  it('reassembles frames split across chunks and splits chunks holding several frames', () => {
    const splitter = new FrameSplitter();
    const two = cat(i32(3), hex('aabbcc'), i32(1), hex('dd'));
    expect(splitter.push(two.subarray(0, 5))).toEqual([]);
    expect(splitter.push(two.subarray(5))).toEqual([hex('aabbcc'), hex('dd')]);
  });

  it('rejects an impossible length (e.g. an HTTP proxy answering a Kafka port)', () => {
    expect(() => new FrameSplitter().push(Buffer.from('HTTP/1.1 400 Bad Request'))).toThrow(
      /bad frame length/,
    );
  });
});
