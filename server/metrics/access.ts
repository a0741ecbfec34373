import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../errors.ts';

/** What decides whether a scrape may read `/metrics`. */
export interface ScrapeRequest {
  /** The configured token; empty: no token, loopback clients only. */
  readonly token: string;
  /** The request's Authorization header as received, if any. */
  readonly authorization: string | undefined;
  /**
   * Every address the request came through that we can see: the socket's peer and express's
   * `req.ip` (the proxy-reported client when proxies are trusted). All must be loopback: a
   * trusted-proxy setting alone would let a remote client claim `X-Forwarded-For: 127.0.0.1`.
   */
  readonly addresses: readonly (string | undefined)[];
}

/**
 * Allows a scrape or throws: with a token, only `Authorization: Bearer <token>` (401 otherwise,
 * a malformed header included); without one, only clients on this machine (403 otherwise).
 */
export function authorizeScrape(req: ScrapeRequest): void {
  if (req.token !== '') {
    const given = bearerToken(req.authorization);
    if (given === undefined || !sameSecret(given, req.token))
      throw new AppError(401, 'metrics_unauthorized', 'Metrics need Authorization: Bearer <token>');
    return;
  }
  if (req.addresses.length === 0 || !req.addresses.every(isLoopback))
    throw new AppError(403, 'metrics_forbidden', 'Metrics are served only to clients on this machine');
}

/**
 * The credentials of a `Bearer` Authorization header (scheme case-insensitive), else undefined.
 * Everything after the scheme counts, so a configured token with a space in it still works.
 */
export function bearerToken(header: string | undefined): string | undefined {
  const value = header?.trim() ?? '';
  const space = value.indexOf(' ');
  if (space < 0 || value.slice(0, space).toLowerCase() !== 'bearer') return undefined;
  const credentials = value.slice(space + 1).trim();
  return credentials === '' ? undefined : credentials;
}

/**
 * Compares secrets in time independent of where they differ. Hashing first gives equal lengths,
 * which timingSafeEqual needs, without revealing the token's length either.
 */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** This machine's loopback: 127.0.0.0/8 and ::1 (BlockList also matches IPv4 mapped into IPv6). */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether an address is this machine's loopback: 127.0.0.0/8, ::1, or ::ffff:127.x.y.z. */
export function isLoopback(address: string | undefined): boolean {
  const family = address === undefined ? 0 : isIP(address);
  if (address === undefined || family === 0) return false;
  return LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
