import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors.ts';

/**
 * Cross-site request defence for the API and the WebSockets. The session cookie is SameSite=Lax,
 * which does not cover WebSockets opened by another site's page or a POST from a sibling subdomain,
 * and the terminal socket is a root shell; so a browser request must come from a page of this very
 * server (or of an origin the operator listed). Browsers always send `Origin` on WebSocket
 * upgrades and cross-origin POSTs; non-browser clients (the CLI, tests, curl) send none and are not
 * a cross-site threat, so a request with no Origin (and no Referer) is let through.
 */

/** Methods that change nothing and so need no origin check (RFC 9110 "safe" methods). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The origin a browser request claims: its `Origin` header, else the origin of its `Referer`;
 * `undefined` when it has neither (a non-browser client). A header that is present but not a URL
 * comes back as it is, so that it fails the comparison instead of passing as "absent".
 */
export function claimedOrigin(req: IncomingMessage): string | undefined {
  // Repeated Origin or Referer headers arrive joined with ", ": no URL, so they fail the check.
  const origin = req.headers.origin;
  if (origin !== undefined) return origin;
  const referer = req.headers.referer;
  if (referer === undefined) return undefined;
  return normalizeOrigin(referer) ?? referer;
}

/**
 * Whether a request may act for the signed-in student: no claimed origin (non-browser client), or
 * an origin equal to the server's own (from the `Host` header, over http or https) or in
 * `allowList`. `Origin: null` (sandboxed frames, file: pages, some redirects) is never allowed.
 */
export function originAllowed(req: IncomingMessage, allowList: readonly string[]): boolean {
  const claimed = claimedOrigin(req);
  if (claimed === undefined) return true;
  const origin = normalizeOrigin(claimed);
  if (origin === undefined) return false;
  const host = req.headers.host;
  // Behind a TLS-terminating proxy the page is https while this server sees http; both schemes
  // on the same host name and port are this server.
  if (
    host !== undefined &&
    (origin === normalizeOrigin(`http://${host}`) || origin === normalizeOrigin(`https://${host}`))
  )
    return true;
  return allowList.some((allowed) => normalizeOrigin(allowed) === origin);
}

/** The 403 for a request that originAllowed refused, saying what to do about it. */
export function crossOriginError(req: IncomingMessage): AppError {
  const claimed = claimedOrigin(req) ?? '';
  const message =
    claimed === 'null'
      ? 'Requests from an opaque origin ("Origin: null", e.g. a sandboxed frame or a local file) are refused'
      : `Requests from ${JSON.stringify(claimed.slice(0, 200))} are refused: open Kafka Lab at its own address, ` +
        'or have the operator add that origin to KAFKALAB_ALLOWED_ORIGINS';
  return new AppError(403, 'cross_origin', message);
}

/** Express middleware: a 403 for any state-changing request whose origin is not allowed. */
export function originGuard(allowList: readonly string[]) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (SAFE_METHODS.has(req.method) || originAllowed(req, allowList)) return next();
    next(crossOriginError(req));
  };
}

/**
 * The ASCII serialization of a URL's origin (`https://lab.example.edu`, default port dropped, host
 * lower-cased), or undefined when the text is not an http(s) URL.
 */
export function normalizeOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
}
