import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';
import type { EnvManager } from '../env/EnvManager.ts';
import { checkNode } from '../env/naming.ts';
import { AppError, isAppError, messageOf } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { StudentStore } from '../store/Store.ts';
import type { Attachment, TerminalHub } from '../terminal/TerminalHub.ts';
import type { EnvMessage, TerminalEvent } from './apiTypes.ts';
import { studentOf } from './auth.ts';

/** Largest frame a browser may send: keystrokes and pastes, not file uploads. */
export const MAX_WS_FRAME = 64 * 1024;

/**
 * Server-side flow control toward the browser. Above HIGH bytes queued in the socket we stop
 * reading the shell (the docker exec stream then backs up into the container's pty, which blocks
 * the writer, e.g. `cat` of a large file); below LOW we read again. 1 MiB is a few seconds of
 * output at a slow connection's pace yet far below what would hurt the server with 100 terminals;
 * LOW at a quarter keeps the pipe busy without flapping.
 */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;

const control = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('resize'),
    cols: z.number().int().min(2).max(1000),
    rows: z.number().int().min(2).max(500),
  }),
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume') }),
]);

/** Dependencies of the WebSocket endpoints. */
export interface WsDeps {
  readonly log: Logger;
  readonly store: StudentStore;
  readonly envs: EnvManager;
  readonly terminals: TerminalHub;
}

/** Wires /ws/terminal and /ws/env onto the HTTP server; returns a function that closes them. */
export function attachWebSockets(server: Server, deps: WsDeps): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_FRAME });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const student = studentOf(req, deps.store);
    const reject = (status: number, message: string): void => {
      socket.end(
        `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Not Found'}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${message}\n`,
      );
    };
    if (url.pathname !== '/ws/terminal' && url.pathname !== '/ws/env')
      return reject(404, `No WebSocket at ${url.pathname}`);
    if (!student) return reject(401, 'Sign in first');
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', (err) => deps.log.debug({ err }, 'websocket error'));
      if (url.pathname === '/ws/env') envSocket(ws, student.name, deps);
      else void terminalSocket(ws, student.name, url.searchParams, deps);
    });
  };
  server.on('upgrade', onUpgrade);
  return () => {
    server.off('upgrade', onUpgrade);
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  };
}

function envSocket(ws: WebSocket, student: string, deps: WsDeps): void {
  const subscription = deps.envs.subscribe(student, (m: EnvMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  });
  ws.on('close', () => subscription.dispose());
  // The browser has nothing to say on this socket.
  ws.on('message', () => undefined);
}

async function terminalSocket(
  ws: WebSocket,
  student: string,
  params: URLSearchParams,
  deps: WsDeps,
): Promise<void> {
  const send = (e: TerminalEvent): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(e));
  };
  const fail = (err: AppError): void => {
    send({ type: 'error', error: err.reason, message: err.message });
    ws.close(4000 + Math.min(err.status, 999), err.reason.slice(0, 100));
  };
  let attachment: Attachment | undefined;
  // Frames that arrive while the shell is still being opened.
  const early: [RawData, boolean][] = [];
  ws.on('message', (data, isBinary) => {
    if (!attachment) return void early.push([data, isBinary]);
    handle(data, isBinary);
  });
  const handle = (data: RawData, isBinary: boolean): void => {
    if (!attachment) return;
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) return attachment.write(buf);
    let msg: z.infer<typeof control>;
    try {
      msg = control.parse(JSON.parse(buf.toString('utf8')));
    } catch (err) {
      return send({
        type: 'error',
        error: 'bad_message',
        message: `Not a terminal control message: ${messageOf(err).slice(0, 200)}`,
      });
    }
    if (msg.type === 'resize') attachment.resize(msg.cols, msg.rows);
    else if (msg.type === 'pause') attachment.pause();
    else attachment.resume();
  };

  try {
    const node = checkNode(params.get('node'));
    const size = { cols: intParam(params, 'cols', 80, 2, 1000), rows: intParam(params, 'rows', 24, 2, 500) };
    const env = await deps.envs.status(student);
    if (env.phase !== 'running')
      throw new AppError(409, 'env_not_running', 'Your environment is not running: start it first');
    let throttled = false;
    attachment = await deps.terminals.attach(student, deps.envs.envIdOf(student), node, size, {
      attached: ({ fresh, replayed }) => send({ type: 'attached', node, fresh, replayed }),
      data: (chunk) => {
        if (ws.readyState !== ws.OPEN) return;
        ws.send(chunk, { binary: true });
        if (!throttled && ws.bufferedAmount > HIGH_WATER) {
          throttled = true;
          attachment?.pause();
          const drain = setInterval(() => {
            if (ws.readyState !== ws.OPEN || ws.bufferedAmount < LOW_WATER) {
              clearInterval(drain);
              throttled = false;
              attachment?.resume();
            }
          }, 20);
        }
      },
      exit: () => {
        send({ type: 'exit' });
        ws.close(1000, 'session ended');
      },
      replaced: () => {
        send({ type: 'error', error: 'replaced', message: 'This terminal was opened in another tab' });
        ws.close(4001, 'replaced');
      },
    });
    if (ws.readyState !== ws.OPEN) return attachment.detach();
    for (const [data, isBinary] of early.splice(0)) handle(data, isBinary);
    ws.on('close', () => attachment?.detach());
  } catch (err) {
    fail(isAppError(err) ? err : new AppError(500, 'terminal_failed', messageOf(err)));
  }
}

function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new AppError(400, 'bad_request', `${name} must be a whole number from ${min} to ${max}`);
  return n;
}
