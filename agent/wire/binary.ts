/**
 * Big-endian writer and reader shared by the ZooKeeper (jute) and Kafka wire codecs. Both
 * protocols use the same integers; they differ only in how strings and arrays are prefixed,
 * so the reader and writer offer both flavours and the codecs pick the one their spec says.
 */

/** Thrown when a frame ends before the field being read, or a length prefix is impossible. */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

/** Appends big-endian fields to a growing list of chunks; `bytes()` concatenates them. */
export class BinaryWriter {
  private readonly chunks: Buffer[] = [];

  /** One signed byte. */
  int8(value: number): this {
    const b = Buffer.alloc(1);
    b.writeInt8(value);
    return this.push(b);
  }

  /** A boolean as one byte, 1 or 0 (jute and Kafka agree). */
  bool(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }

  /** Signed 16-bit. */
  int16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(value);
    return this.push(b);
  }

  /** Signed 32-bit. */
  int32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    return this.push(b);
  }

  /** Signed 64-bit; bigint so session ids and zxids keep every bit. */
  int64(value: bigint | number): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(value));
    return this.push(b);
  }

  /** Bytes with a 32-bit length prefix, -1 for null (jute `buffer`, Kafka `BYTES`). */
  bytes32(value: Buffer | null): this {
    if (value === null) return this.int32(-1);
    return this.int32(value.length).push(value);
  }

  /** UTF-8 string with a 32-bit length prefix, -1 for null (jute `ustring`). */
  string32(value: string | null): this {
    return this.bytes32(value === null ? null : Buffer.from(value, 'utf8'));
  }

  /** UTF-8 string with a 16-bit length prefix, -1 for null (Kafka `STRING`/`NULLABLE_STRING`). */
  string16(value: string | null): this {
    if (value === null) return this.int16(-1);
    const b = Buffer.from(value, 'utf8');
    return this.int16(b.length).push(b);
  }

  /** An array with a 32-bit count, -1 for null; `each` writes one element. */
  array<T>(values: readonly T[] | null, each: (w: this, value: T) => void): this {
    if (values === null) return this.int32(-1);
    this.int32(values.length);
    for (const v of values) each(this, v);
    return this;
  }

  /** Raw bytes, no prefix. */
  raw(value: Buffer): this {
    return this.push(value);
  }

  /** Everything written so far. */
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** The same bytes with a 32-bit length prefix: how both protocols frame a message. */
  framed(): Buffer {
    const body = this.bytes();
    const head = Buffer.alloc(4);
    head.writeInt32BE(body.length);
    return Buffer.concat([head, body]);
  }

  private push(b: Buffer): this {
    this.chunks.push(b);
    return this;
  }
}

/** Reads big-endian fields from one complete frame, throwing DecodeError past its end. */
export class BinaryReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  /** Bytes not read yet. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** One signed byte. */
  int8(): number {
    return this.take(1).readInt8(0);
  }

  /** A one-byte boolean; any non-zero byte is true, as in Java's readBoolean. */
  bool(): boolean {
    return this.int8() !== 0;
  }

  /** Signed 16-bit. */
  int16(): number {
    return this.take(2).readInt16BE(0);
  }

  /** Signed 32-bit. */
  int32(): number {
    return this.take(4).readInt32BE(0);
  }

  /** Signed 64-bit as bigint (session ids do not fit a double). */
  int64(): bigint {
    return this.take(8).readBigInt64BE(0);
  }

  /** Signed 64-bit as a number, for offsets and timestamps that stay far below 2^53. */
  int64n(): number {
    return Number(this.int64());
  }

  /** Bytes with a 32-bit length prefix; null for -1. */
  bytes32(): Buffer | null {
    const len = this.int32();
    if (len === -1) return null;
    if (len < -1) throw new DecodeError(`negative length ${len}`);
    return Buffer.from(this.take(len));
  }

  /** UTF-8 string with a 32-bit length prefix; null for -1. */
  string32(): string | null {
    const b = this.bytes32();
    return b === null ? null : b.toString('utf8');
  }

  /** UTF-8 string with a 16-bit length prefix; null for -1. */
  string16(): string | null {
    const len = this.int16();
    if (len === -1) return null;
    if (len < -1) throw new DecodeError(`negative length ${len}`);
    return this.take(len).toString('utf8');
  }

  /** A non-null 16-bit-prefixed string; a null where the spec forbids one is a decode error. */
  requiredString16(): string {
    const s = this.string16();
    if (s === null) throw new DecodeError('unexpected null string');
    return s;
  }

  /** An array with a 32-bit count; null for -1. */
  nullableArray<T>(each: (r: this) => T): T[] | null {
    const n = this.int32();
    if (n === -1) return null;
    if (n < -1) throw new DecodeError(`negative array length ${n}`);
    // A count larger than the bytes left cannot be honest: fail fast instead of allocating.
    if (n > this.remaining) throw new DecodeError(`array length ${n} exceeds frame`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(each(this));
    return out;
  }

  /** An array with a 32-bit count, where null reads as empty. */
  array<T>(each: (r: this) => T): T[] {
    return this.nullableArray(each) ?? [];
  }

  private take(n: number): Buffer {
    if (n > this.remaining) {
      throw new DecodeError(`need ${n} bytes at offset ${this.pos}, only ${this.remaining} left`);
    }
    const slice = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return slice;
  }
}

/**
 * Splits a byte stream into length-prefixed frames (both protocols prefix every message with
 * a signed 32-bit length). Feed it socket chunks; it returns the complete frames so far.
 */
export class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrame = 64 * 1024 * 1024) {}

  /** Adds a chunk and returns every frame it completed, in order. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    while (this.pending.length >= 4) {
      const len = this.pending.readInt32BE(0);
      if (len < 0 || len > this.maxFrame) throw new DecodeError(`bad frame length ${len}`);
      if (this.pending.length < 4 + len) break;
      frames.push(this.pending.subarray(4, 4 + len));
      this.pending = this.pending.subarray(4 + len);
    }
    return frames;
  }
}
