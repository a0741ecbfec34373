import { existsSync } from 'node:fs';
import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { GradingService } from '../checks/GradingService.ts';
import type { EnvManager } from '../env/EnvManager.ts';
import type { ActivitySink } from '../env/IdleCuller.ts';
import { AppError, isAppError } from '../errors.ts';
import type { HealthProbe } from '../health.ts';
import type { Course } from '../labs/loader.ts';
import type { Logger } from '../log.ts';
import { Metrics, type MetricsOptions } from '../metrics/Metrics.ts';
import { metricsRoute } from '../metrics/route.ts';
import type { Accounts } from '../auth/Accounts.ts';
import { ClassHub } from '../classroom/ClassHub.ts';
import { ClassView } from '../classroom/ClassView.ts';
import type { ClassroomStore, ProgressStore, Student, StudentStore } from '../store/Store.ts';
import type { TerminalHub } from '../terminal/TerminalHub.ts';
import { authoringRoutes, staticAuthoring, type AuthoringSource } from './routes/authoring.ts';
import { classRoutes } from './routes/classes.ts';
import { envRoutes } from './routes/env.ts';
import { fileRoutes } from './routes/files.ts';
import { labRoutes } from './routes/labs.ts';
import { sessionRoutes, type SessionOptions } from './routes/session.ts';
import { userRoutes } from './routes/users.ts';
import { originGuard } from './origin.ts';
import { answerRaw } from './rawHttp.ts';
import { attachWebSockets } from './ws.ts';

/** What the HTTP app needs; everything external comes in here. */
export interface AppDeps {
  readonly log: Logger;
  readonly health: HealthProbe;
  readonly store: StudentStore & ProgressStore & ClassroomStore;
  /** The course served to students now (the last good version while authors edit). */
  readonly course: () => Course;
  /** Sign-in rules (mode, rate limits, one-time links). */
  readonly accounts: Accounts;
  /** The session cookie's lifetime and Secure flag. */
  readonly session: SessionOptions;
  /**
   * Express's `trust proxy`: how many reverse proxies are in front (their X-Forwarded-For gives
   * the client's address for rate limits); default none (the socket's address).
   */
  readonly trustProxy?: number | false;
  /** The labs as authors see them (newest load, with its problems); default: `course` as it is. */
  readonly authoring?: AuthoringSource;
  readonly envs: EnvManager;
  readonly grading: GradingService;
  readonly terminals: TerminalHub;
  /** The built browser app (dist/web); when missing, only the API is served. */
  readonly webDist?: string;
  /**
   * Origins besides the server's own (e.g. `https://lab.example.edu` behind a proxy that rewrites
   * Host) whose pages may change state and open the sockets; default none.
   */
  readonly allowedOrigins?: readonly string[];
  /** Serve Prometheus metrics at `/metrics` (token or loopback only); default: not served. */
  readonly metrics?: MetricsOptions;
  /**
   * Told of every signed-in API request, terminal input and page heartbeat, as activity of the
   * caller's own environment (the idle culler); default: nobody.
   */
  readonly activity?: ActivitySink;
}

/** A running app: the HTTP server (not yet listening) and how to shut it all down. */
export interface App {
  readonly server: Server;
  readonly express: Express;
  dispose(): Promise<void>;
}

/**
 * Monaco injects styles and runs its editor worker from a blob; the terminal and cluster sockets
 * are same-origin. Nothing is loaded from elsewhere.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Builds the express app, its WebSockets and its HTTP server from injected dependencies. */
export function createApp(deps: AppDeps): App {
  const app = express();
  app.disable('x-powered-by');
  // Behind a reverse proxy, the client's address (rate limits) comes from X-Forwarded-For.
  if (deps.trustProxy !== undefined && deps.trustProxy !== false) app.set('trust proxy', deps.trustProxy);
  app.set('query parser', 'simple');
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    next();
  });

  app.get('/healthz', async (_req, res) => {
    const report = await deps.health();
    res.status(report.ok ? 200 : 503).json(report);
  });

  const metrics =
    deps.metrics === undefined
      ? undefined
      : new Metrics({
          ...deps.metrics,
          envs: deps.envs,
          grading: deps.grading,
          terminals: deps.terminals,
          log: deps.log,
        });
  if (metrics !== undefined && deps.metrics !== undefined)
    app.get('/metrics', metricsRoute(metrics, deps.metrics.token));

  const view = new ClassView(deps.store, deps.course, deps.envs);
  const hub = new ClassHub(deps.store, view, deps.grading, deps.envs, deps.log);
  const joined = deps.accounts.onJoined((classId) => hub.classChanged(classId));
  const authoring = deps.authoring ?? staticAuthoring(deps.course);

  const api = express.Router();
  // Activity of whoever the route signed in (requireStudent/requireRole put them there), once the
  // request is over (answered, or abandoned: only 'close' comes then): a request refused before
  // sign-in names nobody.
  const activity = deps.activity;
  if (activity !== undefined)
    api.use((_req, res, next) => {
      let told = false;
      const tell = (): void => {
        if (told) return;
        told = true;
        const who = res.locals.student as Student | undefined;
        if (who !== undefined) activity.record(who);
      };
      res.once('finish', tell);
      res.once('close', tell);
      next();
    });
  // JSON bodies only; routes that take other types (the roster's CSV) parse their own.
  api.use(express.json({ limit: '64kb' }));
  api.use(sessionRoutes(deps.store, deps.accounts, deps.session));
  api.use(classRoutes({ ...deps, view, hub }));
  api.use(userRoutes(deps.store, deps.accounts, deps.envs));
  api.use(authoringRoutes({ ...deps, authoring }));
  api.use(labRoutes(deps));
  api.use(envRoutes(deps.store, deps.course, deps.envs));
  api.use(fileRoutes(deps.store, deps.envs));
  api.use((req, _res, next) =>
    next(new AppError(404, 'not_found', `No API route ${req.method} /api${req.path}`)),
  );
  app.use('/api', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  // Before the body parsers: a cross-site request is refused without reading its body.
  app.use('/api', originGuard(deps.allowedOrigins ?? []));
  app.use('/api', api);

  const dist = deps.webDist;
  if (dist !== undefined && existsSync(path.join(dist, 'index.html'))) {
    // Vite's hashed assets never change under the same name.
    app.use(
      '/assets',
      express.static(path.join(dist, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }),
    );
    app.use(express.static(dist, { index: false }));
    // Client-side routes (/labs/install, ...) all load the app.
    app.get(/^\/(?!api\/|ws\/|healthz$).*/, (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(dist, 'index.html'));
    });
  }

  app.use((req, _res, next) => next(new AppError(404, 'not_found', `Nothing at ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.log, (reason) => metrics?.serverError(reason)));

  const server = createServer(app);
  server.on('clientError', clientErrorHandler(deps.log));
  const closeSockets = attachWebSockets(server, {
    ...deps,
    hub,
    authoring,
    serverError: (reason) => metrics?.serverError(reason),
  });
  return {
    server,
    express: app,
    dispose: async () => {
      closeSockets();
      joined.dispose();
      hub.dispose();
      metrics?.dispose();
      deps.envs.dispose();
      await deps.terminals.dispose();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/**
 * The one place an error becomes an HTTP response: 4xx logged at debug, 5xx at error and counted
 * (by reason) for the metrics.
 */
function errorHandler(log: Logger, serverError: (reason: string) => void): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const appErr = isAppError(err)
      ? err
      : isHttpError(err)
        ? fromHttpError(err, req.method, req.path)
        : new AppError(500, 'internal', 'Internal error', { cause: err });
    const line = { reason: appErr.reason, method: req.method, path: req.path, err: appErr.cause ?? appErr };
    if (appErr.status >= 500) {
      log.error(line, appErr.message);
      serverError(appErr.reason);
    } else log.debug(line, appErr.message);
    if (res.headersSent) return;
    if (appErr.status === 429 && appErr.details !== undefined) res.setHeader('Retry-After', appErr.details);
    res.status(appErr.status).json({
      error: appErr.reason,
      message: appErr.message,
      ...(appErr.details === undefined ? {} : { details: appErr.details }),
    });
  };
}

/**
 * Requests node's HTTP parser refuses (bad request line, oversized headers, a stalled client)
 * never reach express: answer them here, once, and close the connection.
 */
function clientErrorHandler(log: Logger): (err: Error & { code?: string }, socket: Duplex) => void {
  return (err, socket) => {
    log.debug({ err, code: err.code }, 'client error');
    // A reset connection has nobody left to answer, and bytes written into a response already
    // under way (node's own default handler checks the same private field) would corrupt it.
    const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (err.code === 'ECONNRESET' || inFlight === true) return void socket.destroy();
    const status =
      err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    answerRaw(socket, status, status === 400 ? 'Malformed HTTP request' : (STATUS_CODES[status] ?? 'Error'));
  };
}

/** Errors of express's body parsers, router and static files carry a 4xx status. */
function isHttpError(err: unknown): err is HttpError {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

type HttpError = { status: number; message: string; type?: string; syscall?: string };

function fromHttpError(err: HttpError, method: string, path: string): AppError {
  // express.static's 404 is a file-system error whose message names the file on this server.
  if (err.status === 404) return new AppError(404, 'not_found', `Nothing at ${method} ${path}`);
  const reason = err.status === 413 ? 'too_large' : 'bad_request';
  if (err.syscall !== undefined)
    return new AppError(err.status, reason, STATUS_CODES[err.status] ?? 'Bad request');
  return new AppError(err.status, reason, httpErrorMessage(err));
}

function httpErrorMessage(err: HttpError): string {
  if (err.type === 'entity.too.large') return 'The request body is too large';
  if (err.type === 'entity.parse.failed') return `Malformed JSON: ${err.message}`;
  return err.message;
}
