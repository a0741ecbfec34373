import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { badRequest } from '../errors.ts';

/**
 * Passwords are hashed with node's scrypt (RFC 7914) and a random 16-byte salt per user; the
 * stored form names its parameters, so they can be raised later without breaking old hashes:
 * `scrypt$<N>$<r>$<p>$<salt base64url>$<hash base64url>`. Comparison is constant-time.
 * scrypt runs on libuv's thread pool, never on the event loop.
 */

/** N = 2^15, r = 8, p = 1: OWASP's minimum for scrypt; about 50-100 ms and 32 MiB per hash. */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;

/** Shortest password accepted. */
export const MIN_PASSWORD_LENGTH = 8;
/** Longest: the hash's work does not grow with it, but a megabyte body is no password. */
export const MAX_PASSWORD_LENGTH = 1024;

function derive(
  password: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_BYTES, options, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** Throws a 400 saying what is wrong with a new password. */
export function checkNewPassword(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH)
    throw badRequest(`The password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH)
    throw badRequest(`The password must have at most ${MAX_PASSWORD_LENGTH} characters`);
}

/** The stored form of a new password (after checkNewPassword). */
export async function hashPassword(password: string): Promise<string> {
  checkNewPassword(password);
  const salt = randomBytes(16);
  const key = await derive(password, salt, SCRYPT_PARAMS);
  const { N, r, p } = SCRYPT_PARAMS;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** A hash of nothing, so that a wrong name costs as much time as a wrong password. */
let dummy: Promise<string> | undefined;

/**
 * Whether `password` matches `stored`. A null or malformed `stored` (no such user, no password
 * set) still spends one hash, so timing does not tell which names exist.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  const parsed = stored === null ? undefined : parseHash(stored);
  if (parsed === undefined) {
    dummy ??= hashPassword('not a password of anyone');
    const d = parseHash(await dummy) as ParsedHash;
    await derive(password, d.salt, d.params);
    return false;
  }
  let key: Buffer;
  try {
    key = await derive(password, parsed.salt, parsed.params);
  } catch {
    // Parameters scrypt refuses (or memory it cannot have): no password matches this hash.
    return false;
  }
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/**
 * The most work a stored hash may ask for (N * r * p): four times today's, room to raise the
 * parameters, while a planted or corrupted hash cannot make one sign-in take seconds or GiBs.
 */
const MAX_WORK = 4 * SCRYPT_PARAMS.N * SCRYPT_PARAMS.r * SCRYPT_PARAMS.p;

/**
 * The scrypt parameters a stored hash names, or undefined when it is malformed or asks for more
 * work than MAX_WORK (then verifyPassword spends one ordinary dummy hash on it, never its cost).
 */
export function hashParams(stored: string): { N: number; r: number; p: number } | undefined {
  return parseHash(stored)?.params;
}

interface ParsedHash {
  params: { N: number; r: number; p: number };
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  if (!parts.slice(1, 4).every((n) => /^[1-9][0-9]{0,9}$/.test(n))) return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  // scrypt's own rule: N a power of two above 1. Bounded: a stored hash naming absurd parameters
  // must not make a sign-in take minutes (memory grows with N * r, time with N * r * p).
  if (N < 2 || N * r * p > MAX_WORK || (N & (N - 1)) !== 0) return undefined;
  return {
    params: { N, r, p },
    salt: Buffer.from(parts[4] as string, 'base64url'),
    key: Buffer.from(parts[5] as string, 'base64url'),
  };
}
