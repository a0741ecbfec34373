/**
 * The one error type of Kafka Lab. Anything that can go wrong in a way a user should hear about
 * is an AppError: an HTTP-ish `status`, a machine-readable `reason`, and a `message` that is safe
 * to show to a student or operator. Only the outermost handlers (HTTP, WebSocket, CLI) turn it
 * into a response, an exit code or a console line.
 */
export class AppError extends Error {
  /** HTTP status the error maps to (4xx: the caller's mistake, 5xx: ours or the engine's). */
  readonly status: number;
  /** Stable machine-readable reason, e.g. `engine_unreachable`, `bad_request`. */
  readonly reason: string;
  /** Extra detail for the user (log tails, the list of problems); never secrets. */
  readonly details: string | undefined;

  constructor(
    status: number,
    reason: string,
    message: string,
    options: { cause?: unknown; details?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.status = status;
    this.reason = reason;
    this.details = options.details;
  }
}

/** A 400: the request or command line itself is wrong. */
export function badRequest(message: string, details?: string): AppError {
  return new AppError(400, 'bad_request', message, details === undefined ? {} : { details });
}

/** A 404 for a named thing that does not exist. */
export function notFound(what: string, message: string): AppError {
  return new AppError(404, `${what}_not_found`, message);
}

/** Whether an error is an AppError (or looks like one after crossing a module boundary). */
export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** The message of any thrown value, for logs and wrapped errors. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
