import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Answers on a raw socket that express never saw (a refused WebSocket upgrade, a request node's
 * parser rejected) with a minimal plain-text HTTP response, then closes it. A socket that can no
 * longer be written to is destroyed at once.
 */
export function answerRaw(socket: Duplex, status: number, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${message}\n`;
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  // Destroy once flushed: an upgrade socket has no HTTP machinery left to close it for us.
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
}

/**
 * The path and query of an origin-form request target (`/ws/env?x=1`), or undefined when the
 * target is not one (`*`, `host:port`, an absolute URL). The target is appended to a fixed base
 * rather than resolved against it, so `//x:99999/ws/env` or `//[` stay paths (that match no
 * endpoint) instead of being read as a host.
 */
export function requestTarget(raw: string | undefined): URL | undefined {
  if (raw === undefined || !raw.startsWith('/')) return undefined;
  try {
    return new URL(`http://localhost${raw}`);
  } catch {
    return undefined;
  }
}
