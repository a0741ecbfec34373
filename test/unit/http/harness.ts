import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import WebSocket from 'ws';
import { checkTypes } from '../../../server/checks/registry.ts';
import type { EnvironmentBackend } from '../../../server/env/EnvironmentBackend.ts';
import type { EnvMessage } from '../../../server/http/apiTypes.ts';
import { createApp, type App } from '../../../server/http/app.ts';
import type { MetricsOptions } from '../../../server/metrics/Metrics.ts';
import type { AuthoringSource } from '../../../server/http/routes/authoring.ts';
import { loadCourse, type Course } from '../../../server/labs/loader.ts';
import { SqliteStore } from '../../../server/store/Store.ts';
import { Accounts, type AccountsOptions } from '../../../server/auth/Accounts.ts';
import { createEnvServices } from '../../../server/services.ts';
import type { Admission } from '../../../server/env/Admission.ts';
import { IdleCuller, type IdlePolicy } from '../../../server/env/IdleCuller.ts';
import type { TerminalHub } from '../../../server/terminal/TerminalHub.ts';
import { healthyProbe, InMemoryNodes, InstantBackend } from '../../../server/env/InMemoryEnvironments.ts';

/** The real app on an ephemeral port of 127.0.0.1, with in-memory environments and store. */
export interface Harness {
  readonly app: App;
  readonly base: string;
  readonly port: number;
  readonly backend: EnvironmentBackend;
  readonly nodes: InMemoryNodes;
  readonly terminals: TerminalHub;
  readonly store: SqliteStore;
  readonly accounts: Accounts;
  /** The idle culler, when `idle` was given (passes only on `sweep()`, on the harness's clock). */
  readonly culler: IdleCuller | undefined;
  /** Error-level log lines so far: a 5xx, or something only the last-resort handlers saw. */
  readonly errors: string[];
  dispose(): Promise<void>;
}

/** Options of startApp. */
export interface HarnessOptions {
  readonly allowedOrigins?: readonly string[];
  /** Serve a tiny built web app too, so the static and client-route handlers are exercised. */
  readonly withWebDist?: boolean;
  /** The environments (default: in memory, up at once). */
  readonly backend?: EnvironmentBackend;
  /** How long a detached terminal is kept (default 60 s). */
  readonly graceMs?: number;
  /** Admission to the environments (default: every start boots at once). */
  readonly admission?: Admission;
  /** The course students get (default: the fixture course, unchanging). */
  readonly course?: () => Course;
  /** The labs as authors see them (default: the fixture course, unchanging). */
  readonly authoring?: AuthoringSource;
  /** Sign-in mode (default `open`: name-only sign-in, as the student tests use). */
  readonly auth?: 'open' | 'accounts';
  /** Rate limits of sign-in and sign-up. */
  readonly limits?: Pick<AccountsOptions, 'perAccount' | 'perAddress'>;
  /** The store's clock and session lifetime (tests of expiry). */
  readonly now?: () => number;
  readonly sessionTtlMs?: number;
  /** Serve /metrics (listing the harness's backend); default: not served. */
  readonly metrics?: Omit<MetricsOptions, 'environments'>;
  /** Cull idle environments by this policy, on this clock (default: no culler). */
  readonly idle?: { readonly policy: IdlePolicy; readonly now: () => number };
}

const course = loadCourse(path.resolve(import.meta.dirname, '../../fixtures/labs-mini'), checkTypes);

/** Boots the app the way test/unit/http/api.test.ts does, capturing error-level logs. */
export async function startApp(options: HarnessOptions = {}): Promise<Harness> {
  const errors: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      errors.push(chunk.toString('utf8'));
      done();
    },
  });
  const log = pino({ level: 'error' }, sink);
  const store = new SqliteStore(':memory:', {
    ...(options.now ? { now: options.now } : {}),
    ...(options.sessionTtlMs ? { sessionTtlMs: options.sessionTtlMs } : {}),
  });
  let base = '';
  const accounts = new Accounts(store, {
    mode: options.auth ?? 'open',
    baseUrl: () => base,
    ...options.limits,
    ...(options.now ? { now: options.now } : {}),
  });
  const backend = options.backend ?? new InstantBackend();
  const nodes = new InMemoryNodes(backend);
  const { envs, terminals, grading } = createEnvServices(backend, nodes, store, log, {
    terminal: { graceMs: options.graceMs ?? 60_000, scrollbackBytes: 1024 },
    ...(options.admission ? { admission: options.admission } : {}),
  });
  const culler =
    options.idle === undefined
      ? undefined
      : new IdleCuller({
          envs,
          environments: backend,
          store,
          log,
          policy: options.idle.policy,
          now: options.idle.now,
          intervalMs: 0,
        });
  const culling = culler?.start();
  const app = createApp({
    log,
    health: healthyProbe,
    store,
    course: options.course ?? (() => course),
    accounts,
    session: { ttlMs: options.sessionTtlMs ?? 3600_000, secure: false },
    envs,
    terminals,
    grading,
    ...(options.withWebDist ? { webDist: fakeWebDist() } : {}),
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
    ...(options.authoring ? { authoring: options.authoring } : {}),
    ...(options.metrics ? { metrics: { ...options.metrics, environments: backend } } : {}),
    ...(culler ? { activity: culler } : {}),
  });
  await new Promise<void>((r) => app.server.listen(0, '127.0.0.1', r));
  const { port } = app.server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    app,
    base,
    port,
    backend,
    nodes,
    terminals,
    store,
    accounts,
    culler,
    errors,
    dispose: () => {
      culling?.dispose();
      return app.dispose();
    },
  };
}

/** Resolves when /ws/env pushes a running status: the environment is up, no polling. */
export function runningPushed(base: string, cookie: string): Promise<void> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws/env`, { headers: { cookie } });
  return new Promise<void>((resolve, reject) => {
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString('utf8')) as EnvMessage;
      if (m.type === 'status' && m.status.phase === 'running') {
        ws.close();
        resolve();
      }
    });
    ws.on('error', reject);
  });
}

function fakeWebDist(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kl-web-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Kafka Lab</title>');
  writeFileSync(path.join(dir, 'assets', 'app-1234.js'), 'export {};');
  return dir;
}

/** Signs a new student in and returns the `kl_session=...` cookie pair. */
export async function signIn(base: string, name: string): Promise<string> {
  const res = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (res.status !== 200 || cookie === undefined) throw new Error(`sign-in failed: ${res.status}`);
  return cookie;
}

/** What came back on a raw connection: the status line's code, the head and the body. */
export interface RawResponse {
  readonly status: number;
  readonly head: string;
  readonly body: string;
}

/**
 * Sends bytes exactly as given on a fresh TCP connection (so malformed request lines really reach
 * the server) and reads one response: up to the end of its head for `101 Switching Protocols`
 * (the socket then speaks WebSocket and is closed by us), else until the server closes. A
 * connection closed without any answer is status 0. `end` half-closes after writing, for bytes
 * that may not form a complete request (the server then has nothing more to wait for).
 */
export function rawRequest(
  port: number,
  request: string | Buffer,
  options: { end?: boolean; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const head = end < 0 ? text : text.slice(0, end);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
      resolve({
        status: status === undefined ? 0 : Number(status),
        head,
        body: end < 0 ? '' : text.slice(end + 4),
      });
    };
    // A guard against a server that neither answers nor closes, reported as such; not a wait.
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const shown = (typeof request === 'string' ? request : request.toString('latin1')).slice(0, 300);
      reject(new Error(`no complete answer within ${timeoutMs} ms to ${JSON.stringify(shown)}`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('latin1');
      if (text.startsWith('HTTP/1.1 101 ') && text.includes('\r\n\r\n')) finish();
    });
    socket.on('close', finish);
    // The server may close while we are still writing a large request (e.g. after a 431).
    socket.on('error', finish);
    if (options.end) socket.end(request);
    else socket.write(request);
  });
}

/** A raw WebSocket upgrade request for `target` with extra header lines. */
export function upgradeRequest(target: string, headers: Record<string, string>, host: string): string {
  const lines = [
    `GET ${target} HTTP/1.1`,
    `Host: ${host}`,
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}
