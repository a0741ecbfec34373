/**
 * Hand-made big-endian bytes for the wire tests, written without the agent's BinaryWriter so a
 * bug there cannot hide in both the expectation and the code under test.
 */

/** Bytes from hex text; spaces and newlines are ignored. */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

/** A signed 16-bit big-endian value. */
export function i16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}

/** A signed 32-bit big-endian value. */
export function i32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** A signed 64-bit big-endian value. */
export function i64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
}

/** A Kafka STRING: 16-bit length then UTF-8 (-1 for null). */
export function str16(s: string | null): Buffer {
  if (s === null) return i16(-1);
  const body = Buffer.from(s, 'utf8');
  return Buffer.concat([i16(body.length), body]);
}

/** A jute ustring: 32-bit length then UTF-8 (-1 for null). */
export function str32(s: string | null): Buffer {
  if (s === null) return i32(-1);
  const body = Buffer.from(s, 'utf8');
  return Buffer.concat([i32(body.length), body]);
}

/** Concatenation shorthand. */
export function cat(...parts: Buffer[]): Buffer {
  return Buffer.concat(parts);
}
