// The HTTP client: one typed function per endpoint of the contract in server/http/apiTypes.ts.
import type {
  ApiError,
  AuthInfo,
  CheckRequest,
  CheckResponse,
  DirListing,
  EnvStatus,
  FileView,
  Lang,
  LabView,
  Me,
  Outline,
  SavedFile,
  SetPasswordRequest,
  SetupRequest,
  SignUpRequest,
  StartEnvRequest,
} from '../../server/http/apiTypes.ts';
import { toDisposable, type Disposable } from './disposable.ts';

/** A failed request: the HTTP status plus the server's ApiError (or a stand-in when the body was not one). */
export class ApiFailure extends Error {
  /** HTTP status; 0 when the server could not be reached at all. */
  readonly status: number;
  /** The stable machine reason from ApiError.error. */
  readonly reason: string;
  /** Longer diagnostics (ApiError.details), shown collapsed. */
  readonly details: string | undefined;
  /** Seconds to wait before trying again (a 429's Retry-After), when the server said. */
  readonly retryAfterS: number | undefined;

  constructor(status: number, body: ApiError, retryAfterS?: number) {
    super(body.message);
    this.name = 'ApiFailure';
    this.status = status;
    this.reason = body.error;
    this.details = body.details;
    this.retryAfterS = retryAfterS;
  }
}

/**
 * A Retry-After header in seconds: either delay-seconds or an HTTP date (RFC 9110 10.2.3);
 * undefined when absent or unreadable. `now` is injectable for tests.
 */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

const unauthorizedListeners = new Set<() => void>();

/** Calls `listener` whenever an API call answers 401, so the app can show the sign-in page again. */
export function onUnauthorized(listener: () => void): Disposable {
  unauthorizedListeners.add(listener);
  return toDisposable(() => unauthorizedListeners.delete(listener));
}

function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { error?: unknown }).error === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** Options of apiRequest. */
export interface RequestOptions {
  body?: unknown;
  /** Send the body as text instead of JSON (file saves, CSV uploads). */
  text?: string;
  /** The Content-Type of `text` (default text/plain). */
  textType?: string;
  /** Do not broadcast a 401 (GET /api/me probes whether we are signed in at all). */
  quiet401?: boolean;
}

/** One JSON request to the API; every failure becomes an ApiFailure (401s are broadcast). */
export async function apiRequest<T>(method: string, url: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: string | undefined;
  if (opts.text !== undefined) {
    headers['Content-Type'] = `${opts.textType ?? 'text/plain'}; charset=utf-8`;
    body = opts.text;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body, credentials: 'same-origin' });
  } catch (err) {
    throw new ApiFailure(0, {
      error: 'network',
      message: 'The server could not be reached',
      details: err instanceof Error ? err.message : String(err),
    });
  }
  const raw = await res.text();
  let parsed: unknown = undefined;
  if (raw !== '') {
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
  }
  if (!res.ok) {
    if (res.status === 401 && opts.quiet401 !== true) unauthorizedListeners.forEach((l) => l());
    throw new ApiFailure(
      res.status,
      isApiError(parsed)
        ? parsed
        : {
            error: `http_${res.status}`,
            message: res.statusText || `HTTP ${res.status}`,
            details: raw.slice(0, 2000),
          },
      res.status === 429 ? parseRetryAfter(res.headers.get('Retry-After')) : undefined,
    );
  }
  return parsed as T;
}

const request = apiRequest;
const enc = encodeURIComponent;

/** GET /api/me; null when not signed in. */
export async function getMe(): Promise<Me | null> {
  try {
    return await request<Me>('GET', '/api/me', { quiet401: true });
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) return null;
    throw err;
  }
}

/** GET /api/auth: the sign-in mode, whether setup is pending, the password rule (no session needed). */
export function getAuth(): Promise<AuthInfo> {
  return request<AuthInfo>('GET', '/api/auth', { quiet401: true });
}

/**
 * POST /api/session {name, password?}: signs in. The password is left out when not given (open
 * mode, where a name alone signs in a student who has none). 401 is not broadcast: it is this
 * form's own answer ("wrong name or password"), not a lost session.
 */
export function signIn(name: string, password?: string): Promise<Me> {
  return request<Me>('POST', '/api/session', {
    body: password === undefined ? { name } : { name, password },
    quiet401: true,
  });
}

/** POST /api/signup: a student creates their account with a join code. */
export function signUp(req: SignUpRequest): Promise<Me> {
  return request<Me>('POST', '/api/signup', { body: req, quiet401: true });
}

/** POST /api/setup: the one-time setup link creates the first admin (and signs them in). */
export function setup(req: SetupRequest): Promise<Me> {
  return request<Me>('POST', '/api/setup', { body: req, quiet401: true });
}

/** POST /api/password: a one-time link sets the account's password (and signs it in). */
export function setPassword(req: SetPasswordRequest): Promise<Me> {
  return request<Me>('POST', '/api/password', { body: req, quiet401: true });
}

/** DELETE /api/session. */
export function signOut(): Promise<void> {
  return request<void>('DELETE', '/api/session');
}

/** PUT /api/me {lang}: remembers the zh/en choice. */
export function setLang(lang: Lang): Promise<Me> {
  return request<Me>('PUT', '/api/me', { body: { lang } });
}

/** GET /api/labs: the course outline with the caller's progress. */
export function getOutline(): Promise<Outline> {
  return request<Outline>('GET', '/api/labs');
}

/** GET /api/labs/:id?lang=: the rendered lab. */
export function getLab(id: string, lang: Lang): Promise<LabView> {
  return request<LabView>('GET', `/api/labs/${enc(id)}?lang=${lang}`);
}

/** PUT /api/labs/:id/position {step}. */
export function savePosition(labId: string, step: number): Promise<void> {
  return request<void>('PUT', `/api/labs/${enc(labId)}/position`, { body: { step } });
}

/** POST /api/labs/:id/checks/:exerciseId: runs a check or grades a quiz answer. */
export function runCheck(
  labId: string,
  exerciseId: string,
  req: CheckRequest,
  lang: Lang,
): Promise<CheckResponse> {
  return request<CheckResponse>('POST', `/api/labs/${enc(labId)}/checks/${enc(exerciseId)}?lang=${lang}`, {
    body: req,
  });
}

/** POST /api/labs/:id/checks/:exerciseId/hints: reveals the next hint. */
export function revealHint(labId: string, exerciseId: string, lang: Lang): Promise<CheckResponse> {
  return request<CheckResponse>(
    'POST',
    `/api/labs/${enc(labId)}/checks/${enc(exerciseId)}/hints?lang=${lang}`,
    {
      body: {},
    },
  );
}

/** GET /api/env. */
export function getEnv(): Promise<EnvStatus> {
  return request<EnvStatus>('GET', '/api/env');
}

/** POST /api/env {labId, reset?}: starts, resumes or (with reset) replaces the environment; 202. */
export function startEnv(req: StartEnvRequest): Promise<EnvStatus | undefined> {
  return request<EnvStatus | undefined>('POST', '/api/env', { body: req });
}

/** What GET /healthz said: ok, or the report to show an operator. */
export interface Health {
  ok: boolean;
  /** The raw report (its shape belongs to the server; it is shown, not interpreted). */
  report: unknown;
}

/** GET /healthz: 200 when the engine, store and images are fine, 503 with what is wrong. */
export async function getHealth(): Promise<Health> {
  try {
    const res = await fetch('/healthz', { headers: { Accept: 'application/json' } });
    const raw = await res.text();
    let report: unknown = raw;
    try {
      report = JSON.parse(raw);
    } catch {
      // not JSON: keep the text
    }
    return { ok: res.ok, report };
  } catch (err) {
    return { ok: false, report: err instanceof Error ? err.message : String(err) };
  }
}

/** GET /api/files?node=&path=: a directory listing or a text file. */
export function getFile(node: string, path: string): Promise<DirListing | FileView> {
  return request<DirListing | FileView>('GET', `/api/files?node=${enc(node)}&path=${enc(path)}`);
}

/** PUT /api/files?node=&path= with the content as a text/plain body. */
export function saveFile(node: string, path: string, content: string): Promise<SavedFile> {
  return request<SavedFile>('PUT', `/api/files?node=${enc(node)}&path=${enc(path)}`, { text: content });
}

/** The same-origin WebSocket URL for a path such as /ws/env. */
export function wsUrl(path: string): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}${path}`;
}
