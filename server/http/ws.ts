import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';
import type { EnvManager } from '../env/EnvManager.ts';
import type { ActivitySink } from '../env/IdleCuller.ts';
import type { NodeName } from '../env/EnvironmentBackend.ts';
import { checkNode } from '../env/naming.ts';
import { AppError, isAppError, messageOf } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ClassHub } from '../classroom/ClassHub.ts';
import type { ClassroomStore, Student, StudentStore } from '../store/Store.ts';
import type { AuthoringSource } from './routes/authoring.ts';
import type { Attachment, TerminalHub } from '../terminal/TerminalHub.ts';
import type { AuthoringMessage, ClassMessage, EnvControl, EnvMessage, TerminalEvent } from './apiTypes.ts';
import { sessionToken, studentOf } from './auth.ts';
import { crossOriginError, originAllowed } from './origin.ts';
import { answerRaw, requestTarget } from './rawHttp.ts';

/** How often open sockets are checked against their session (sign-out closes them by then). */
export const SESSION_SWEEP_MS = 5000;

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

/** What a page may say on /ws/env. */
const envControl: z.ZodType<EnvControl> = z.object({ type: z.literal('heartbeat') });

/** Dependencies of the WebSocket endpoints. */
export interface WsDeps {
  readonly log: Logger;
  readonly store: StudentStore & ClassroomStore;
  readonly envs: EnvManager;
  readonly terminals: TerminalHub;
  readonly hub: ClassHub;
  readonly authoring: AuthoringSource;
  /** Origins besides the server's own whose pages may open the sockets (default: none). */
  readonly allowedOrigins?: readonly string[];
  /** Told of terminal input and page heartbeats (the idle culler); default: nobody. */
  readonly activity?: ActivitySink;
  /** Told of every upgrade refused with a 5xx, by reason (the metrics' 5xx count). */
  readonly serverError?: (reason: string) => void;
}

/** Sockets for instructors only. */
const TEACHING = new Set(['/ws/authoring']);
const CLASS_PATH = /^\/ws\/class\/([1-9][0-9]{0,15})$/;

/**
 * Wires /ws/terminal, /ws/env, /ws/class/:id and /ws/authoring onto the HTTP server; returns a
 * function that closes them.
 */
export function attachWebSockets(server: Server, deps: WsDeps): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_FRAME });
  const allowedOrigins = deps.allowedOrigins ?? [];
  // A socket lives no longer than the session that opened it: signing out (everywhere), a
  // password set through a link, a removed account or an expired session closes it soon after.
  const sessions = new Map<WebSocket, string>();
  const sweep = setInterval(() => {
    for (const [ws, token] of sessions) {
      if (deps.store.sessionStudent(token) !== undefined) continue;
      sessions.delete(ws);
      ws.close(4401, 'session ended');
    }
  }, SESSION_SWEEP_MS);
  sweep.unref();
  // Total, like the HTTP error handler: whatever the request holds, the client gets an HTTP
  // answer (4xx for its mistakes, 500 for ours) and the process keeps running.
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Node takes its own error listener off a socket it hands to 'upgrade'; without one, a client
    // resetting the connection while we answer would be an uncaught 'error' event.
    socket.on('error', (err) => deps.log.debug({ err }, 'upgrade socket error'));
    try {
      const url = requestTarget(req.url);
      if (!url) throw new AppError(400, 'bad_request', 'Malformed request target');
      const classMatch = CLASS_PATH.exec(url.pathname);
      if (
        url.pathname !== '/ws/terminal' &&
        url.pathname !== '/ws/env' &&
        !TEACHING.has(url.pathname) &&
        classMatch === null
      )
        throw new AppError(404, 'not_found', `No WebSocket at ${url.pathname}`);
      // Before the session: a cross-site page must not learn whether its visitor is signed in.
      if (!originAllowed(req, allowedOrigins)) throw crossOriginError(req);
      const student = studentOf(req, deps.store);
      if (!student) throw new AppError(401, 'not_signed_in', 'Sign in first');
      const watching = url.pathname === '/ws/terminal' && url.searchParams.has('student');
      const teaching = TEACHING.has(url.pathname) || classMatch !== null || watching;
      if (teaching && student.role === 'student')
        throw new AppError(403, 'forbidden', 'This needs the role instructor or admin; you are a student');
      const classId = classMatch === null ? undefined : Number(classMatch[1]);
      if (classId !== undefined && !teaches(deps.store, student, classId))
        throw new AppError(404, 'class_not_found', `You have no class ${classId}`);
      const watched = watching ? watchedStudent(deps.store, student, url.searchParams) : undefined;
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', (err) => deps.log.debug({ err }, 'websocket error'));
        const token = sessionToken(req);
        if (token !== undefined) sessions.set(ws, token);
        ws.on('close', () => sessions.delete(ws));
        // Past this point the socket speaks WebSocket, so a failure closes it with 1011.
        const broken = (err: unknown): void => {
          deps.log.error({ err, path: url.pathname }, 'websocket handler failed');
          ws.close(1011, 'internal error');
        };
        try {
          if (url.pathname === '/ws/env') envSocket(ws, student, deps);
          else if (classId !== undefined) feed<ClassMessage>(ws, (send) => deps.hub.subscribe(classId, send));
          else if (url.pathname === '/ws/authoring')
            feed<AuthoringMessage>(ws, (send) =>
              deps.authoring.onChange(({ version, problems }) =>
                send({ type: 'reloaded', version, problems: problems.length }),
              ),
            );
          else if (watched !== undefined) watchSocket(ws, watched, url.searchParams, deps).catch(broken);
          else terminalSocket(ws, student, url.searchParams, deps).catch(broken);
        } catch (err) {
          broken(err);
        }
      });
    } catch (err) {
      const e = isAppError(err) ? err : new AppError(500, 'internal', 'Internal error', { cause: err });
      const line = { reason: e.reason, url: req.url?.slice(0, 500), err: e.cause ?? e };
      if (e.status >= 500) {
        deps.log.error(line, `upgrade refused: ${e.message}`);
        deps.serverError?.(e.reason);
      } else deps.log.debug(line, `upgrade refused: ${e.message}`);
      answerRaw(socket, e.status, e.message);
    }
  };
  server.on('upgrade', onUpgrade);
  return () => {
    clearInterval(sweep);
    sessions.clear();
    server.off('upgrade', onUpgrade);
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  };
}

/** Whether a user may see a class: admins all, instructors theirs. */
function teaches(store: ClassroomStore, user: Student, classId: number): boolean {
  if (store.classById(classId) === undefined) return false;
  return user.role === 'admin' || store.isMember(classId, user.id, 'instructor');
}

/**
 * The student an instructor asks to watch (`student=<id>&watch=1`): 404 unless the student is in
 * one of the instructor's classes (admins: anyone).
 */
function watchedStudent(store: ClassroomStore, user: Student, params: URLSearchParams): Student {
  if (params.get('watch') !== '1')
    throw new AppError(400, 'bad_request', "Another student's terminal can only be watched: add watch=1");
  const raw = params.get('student') ?? '';
  const id = /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : NaN;
  const target = Number.isSafeInteger(id) ? store.userById(id) : undefined;
  const visible =
    target !== undefined &&
    (user.role === 'admin' ||
      store.classIdsOfStudent(target.id).some((c) => store.isMember(c, user.id, 'instructor')));
  if (!visible)
    throw new AppError(404, 'student_not_found', `You have no student ${JSON.stringify(raw.slice(0, 40))}`);
  return target;
}

/** Sends a JSON text frame while the socket is open. */
function jsonSender<M>(ws: WebSocket): (m: M) => void {
  return (m) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
}

/**
 * A server-to-browser feed: `subscribe` gets the sender, its subscription ends with the socket,
 * and whatever the browser says on it is ignored.
 */
function feed<M>(ws: WebSocket, subscribe: (send: (m: M) => void) => { dispose(): void }): void {
  const sub = subscribe(jsonSender<M>(ws));
  ws.on('close', () => sub.dispose());
  ws.on('message', () => undefined);
}

/**
 * /ws/env: the student's environment feed, and their page's heartbeats (activity, which also
 * ends an idle warning). Anything else the page sends is ignored: a stale or foreign client must
 * not be able to break the feed, and there is nothing to answer it with.
 */
function envSocket(ws: WebSocket, student: Student, deps: WsDeps): void {
  const sub = deps.envs.subscribe(student, jsonSender<EnvMessage>(ws));
  ws.on('close', () => sub.dispose());
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    try {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      envControl.parse(JSON.parse(buf.toString('utf8')));
    } catch (err) {
      deps.log.debug({ err, userId: student.id }, 'ignored a malformed /ws/env message');
      return;
    }
    deps.activity?.record(student);
  });
}

/**
 * The server, the size and the running environment a terminal socket asks for: 400 for a bad
 * node or size, 409 (with `notRunning`) unless the environment runs.
 */
async function terminalTarget(
  params: URLSearchParams,
  student: Student,
  deps: WsDeps,
  notRunning: string,
): Promise<{ node: NodeName; size: { cols: number; rows: number } }> {
  const node = checkNode(params.get('node'));
  const size = { cols: intParam(params, 'cols', 80, 2, 1000), rows: intParam(params, 'rows', 24, 2, 500) };
  const env = await deps.envs.status(student);
  if (env.phase !== 'running') throw new AppError(409, 'env_not_running', notRunning);
  return { node, size };
}

/** Ends a terminal socket with an `error` event and a 4xxx close code from the error's status. */
function failTerminal(ws: WebSocket, err: unknown): void {
  const e = isAppError(err) ? err : new AppError(500, 'terminal_failed', messageOf(err));
  jsonSender<TerminalEvent>(ws)({ type: 'error', error: e.reason, message: e.message });
  ws.close(4000 + Math.min(e.status, 999), e.reason.slice(0, 100));
}

/**
 * An instructor watching a student's shell: output and `attached` as the student gets them;
 * every frame from the watcher is refused (an `error` event), nothing reaches the shell.
 */
async function watchSocket(
  ws: WebSocket,
  student: Student,
  params: URLSearchParams,
  deps: WsDeps,
): Promise<void> {
  const send = jsonSender<TerminalEvent>(ws);
  ws.on('message', () =>
    send({ type: 'error', error: 'read_only', message: 'Watching is read-only: your input was not sent' }),
  );
  try {
    const { node, size } = await terminalTarget(
      params,
      student,
      deps,
      "The student's environment is not running",
    );
    const handle = await deps.terminals.watch(deps.envs.nodes(student), node, size, {
      attached: ({ fresh, replayed }) => send({ type: 'attached', node, fresh, replayed }),
      data: (chunk) => {
        if (ws.readyState !== ws.OPEN) return;
        // A viewer never slows the student's shell: one too slow to keep up is let go.
        if (ws.bufferedAmount > 4 * HIGH_WATER) return void ws.close(4008, 'too slow');
        ws.send(chunk, { binary: true });
      },
      exit: () => {
        send({ type: 'exit' });
        ws.close(1000, 'session ended');
      },
      replaced: () => undefined,
      resized: (cols, rows) => send({ type: 'size', cols, rows }),
    });
    if (ws.readyState !== ws.OPEN) return handle.detach();
    ws.on('close', () => handle.detach());
  } catch (err) {
    failTerminal(ws, err);
  }
}

async function terminalSocket(
  ws: WebSocket,
  student: Student,
  params: URLSearchParams,
  deps: WsDeps,
): Promise<void> {
  const send = jsonSender<TerminalEvent>(ws);
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
    if (isBinary) {
      deps.activity?.record(student);
      return attachment.write(buf);
    }
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
    else if (msg.type === 'pause') attachment.pause('browser');
    else attachment.resume('browser');
  };

  try {
    const { node, size } = await terminalTarget(
      params,
      student,
      deps,
      'Your environment is not running: start it first',
    );
    let throttled = false;
    attachment = await deps.terminals.attach(deps.envs.nodes(student), node, size, {
      attached: ({ fresh, replayed }) => send({ type: 'attached', node, fresh, replayed }),
      data: (chunk) => {
        if (ws.readyState !== ws.OPEN) return;
        ws.send(chunk, { binary: true });
        if (!throttled && ws.bufferedAmount > HIGH_WATER) {
          throttled = true;
          attachment?.pause('backpressure');
          const drain = setInterval(() => {
            if (ws.readyState !== ws.OPEN || ws.bufferedAmount < LOW_WATER) {
              clearInterval(drain);
              throttled = false;
              attachment?.resume('backpressure');
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
    failTerminal(ws, err);
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
