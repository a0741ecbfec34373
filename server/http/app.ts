import { createServer, type Server } from 'node:http';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Logger } from '../log.ts';
import { AppError, isAppError } from '../errors.ts';
import type { HealthProbe } from '../health.ts';

/** What the HTTP app needs; everything external comes in here. */
export interface AppDeps {
  readonly log: Logger;
  readonly health: HealthProbe;
}

/** A running app: the HTTP server (not yet listening) and how to shut it all down. */
export interface App {
  readonly server: Server;
  readonly express: Express;
  dispose(): Promise<void>;
}

/** Builds the express app and its HTTP server from injected dependencies. */
export function createApp(deps: AppDeps): App {
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    next();
  });

  app.get('/healthz', async (_req, res) => {
    const report = await deps.health();
    res.status(report.ok ? 200 : 503).json(report);
  });

  app.use((req, _res, next) =>
    next(new AppError(404, 'not_found', `No route for ${req.method} ${req.path}`)),
  );
  app.use(errorHandler(deps.log));

  const server = createServer(app);
  return {
    server,
    express: app,
    dispose: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The one place an error becomes an HTTP response: 4xx logged at debug, 5xx at error. */
function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const appErr = isAppError(err)
      ? err
      : isBodyParserError(err)
        ? new AppError(err.status, 'bad_request', `Malformed request body: ${err.message}`)
        : new AppError(500, 'internal', 'Internal error', { cause: err });
    const line = { reason: appErr.reason, method: req.method, path: req.path, err: appErr.cause ?? appErr };
    if (appErr.status >= 500) log.error(line, appErr.message);
    else log.debug(line, appErr.message);
    if (res.headersSent) return;
    res.status(appErr.status).json({
      error: appErr.reason,
      message: appErr.message,
      ...(appErr.details === undefined ? {} : { details: appErr.details }),
    });
  };
}

function isBodyParserError(err: unknown): err is { status: number; message: string } {
  return (
    typeof err === 'object' &&
    err !== null &&
    'type' in err &&
    'status' in err &&
    typeof (err as { status: unknown }).status === 'number' &&
    (err as { status: number }).status < 500
  );
}
