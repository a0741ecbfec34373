/**
 * Clients, accounts and sockets for the classroom API tests (classroom-*.test.ts): the real app
 * from harness.ts in `accounts` mode, driven the way the browser drives it.
 */
import { afterEach, expect } from 'vitest';
import WebSocket from 'ws';
import type {
  ClassDetail,
  CreatedClass,
  EnvMessage,
  Me,
  OneTimeLink,
} from '../../../server/http/apiTypes.ts';
import { hashPassword } from '../../../server/auth/passwords.ts';
import type { EchoTerminal } from '../../../server/env/InMemoryEnvironments.ts';
import { startApp, type Harness, type HarnessOptions } from './harness.ts';

/** The password every test account gets (long enough for checkNewPassword). */
export const PASSWORD = 'correct horse battery';

/** One answer of the API. */
export interface Answer<T> {
  readonly status: number;
  readonly json: T;
  readonly text: string;
  readonly headers: Headers;
}

/** A browser-like client: keeps the session cookie it is given. */
export class Client {
  cookie = '';
  constructor(readonly base: string) {}

  /**
   * One request. A string body is sent as it is (with `contentType`), anything else as JSON;
   * a Set-Cookie answer replaces the kept cookie (a cleared cookie empties it).
   */
  async call<T = unknown>(
    method: string,
    url: string,
    body?: unknown,
    options: { contentType?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const res = await fetch(`${this.base}${url}`, {
      method,
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(body !== undefined ? { 'content-type': options.contentType ?? 'application/json' } : {}),
        ...options.headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0]?.replace(/^kl_session=$/, '') ?? '';
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json: json as T, text, headers: res.headers };
  }

  /** Signs in with a password; fails the test unless it works. */
  async signIn(name: string, password = PASSWORD): Promise<Me> {
    const r = await this.call<Me>('POST', '/api/session', { name, password });
    expect(r.status, r.text).toBe(200);
    return r.json;
  }
}

/** The `token` query parameter of a one-time link. */
export function tokenOf(link: string): string {
  const token = new URL(link).searchParams.get('token');
  if (token === null) throw new Error(`no token in ${link}`);
  return token;
}

/** The app in accounts mode, with the setup link already used: an admin is signed in. */
export interface Classroom {
  readonly h: Harness;
  readonly admin: Client;
  /** A new client, signed out. */
  readonly client: () => Client;
  /** An instructor created by the admin and signed in through their set-password link. */
  readonly instructor: (name: string) => Promise<Client & { me: Me }>;
  /** A class of `teacher`'s (default: every lab, no due dates). */
  readonly createClass: (teacher: Client, name?: string, extra?: object) => Promise<CreatedClass>;
  /** A student who signed up with the class's join code. */
  readonly student: (joinCode: string, name: string) => Promise<Client & { me: Me }>;
  /** The class as its instructor sees it. */
  readonly detail: (teacher: Client, classId: number) => Promise<ClassDetail>;
}

/** Boots the app in accounts mode and creates the first admin through the setup link. */
export async function classroom(options: Omit<HarnessOptions, 'auth'> = {}): Promise<Classroom> {
  const h = await startApp({ ...options, auth: 'accounts' });
  const client = (): Client => new Client(h.base);
  const admin = client();
  const setup = h.accounts.setupLink();
  if (setup === undefined) throw new Error('no setup link on a fresh store');
  const made = await admin.call('POST', '/api/setup', {
    token: tokenOf(setup.link),
    name: 'root',
    password: PASSWORD,
  });
  expect(made.status, made.text).toBe(200);
  return {
    h,
    admin,
    client,
    instructor: async (name) => {
      const link = await admin.call<OneTimeLink>('POST', '/api/users', { name, role: 'instructor' });
      expect(link.status, link.text).toBe(201);
      const c = client();
      const me = await c.call<Me>('POST', '/api/password', {
        token: tokenOf(link.json.link),
        password: PASSWORD,
      });
      expect(me.status, me.text).toBe(200);
      return Object.assign(c, { me: me.json });
    },
    createClass: async (teacher, name = 'Kafka 101', extra = {}) => {
      const r = await teacher.call<CreatedClass>('POST', '/api/classes', { name, ...extra });
      expect(r.status, r.text).toBe(201);
      return r.json;
    },
    student: async (joinCode, name) => {
      const c = client();
      const me = await c.call<Me>('POST', '/api/signup', { joinCode, name, password: PASSWORD });
      expect(me.status, me.text).toBe(200);
      return Object.assign(c, { me: me.json });
    },
    detail: async (teacher, classId) => {
      const r = await teacher.call<ClassDetail>('GET', `/api/classes/${classId}`);
      expect(r.status, r.text).toBe(200);
      return r.json;
    },
  };
}

let stockHash: Promise<string> | undefined;

/**
 * A user made straight in the store with the stock password (one scrypt for all of them): for
 * tests about something else than how accounts are made.
 */
export async function storedUser(
  h: Harness,
  name: string,
  role: 'student' | 'instructor' | 'admin',
): Promise<number> {
  stockHash ??= hashPassword(PASSWORD);
  return h.store.createUser(name, role, { passwordHash: await stockHash }).id;
}

/** The WebSocket URL of a path on the harness. */
export function wsUrl(h: Harness, path: string): string {
  return `${h.base.replace('http', 'ws')}${path}`;
}

/**
 * The HTTP status an upgrade gets: 101 when the socket opens (it is closed at once), else the
 * status of the refusal.
 */
export function upgradeStatus(
  h: Harness,
  path: string,
  headers: Record<string, string> = {},
): Promise<number> {
  const ws = new WebSocket(wsUrl(h, path), { headers });
  return new Promise<number>((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (err) => reject(err));
  });
}

/** How long a socket test waits for a message before failing with what it got instead. */
const WAIT_MS = 5000;

/**
 * A WebSocket that keeps everything it receives: text frames parsed as JSON, binary frames
 * appended to `output`; `next` and `outputIncludes` wait for what a test expects.
 */
export class Socket<M> {
  readonly ws: WebSocket;
  readonly messages: M[] = [];
  output = '';
  readonly closed: Promise<number>;
  private isClosed = false;
  private readonly waiters = new Set<() => void>();

  constructor(h: Harness, path: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(wsUrl(h, path), { headers });
    // A refused upgrade is an 'error' then a 'close' (1006); tests look at what arrived.
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) this.output += data.toString('utf8');
      else this.messages.push(JSON.parse(data.toString('utf8')) as M);
      for (const w of [...this.waiters]) w();
    });
    this.closed = new Promise((resolve) =>
      this.ws.on('close', (code) => {
        this.isClosed = true;
        resolve(code);
        for (const w of [...this.waiters]) w();
      }),
    );
  }

  /** The first message (from the start) that matches; waits for it if none has yet. */
  next<T extends M>(match: (m: M) => m is T, what?: string): Promise<T>;
  next(match: (m: M) => boolean, what?: string): Promise<M>;
  next(match: (m: M) => boolean, what = 'a matching message'): Promise<M> {
    return this.waitFor(() => this.messages.find(match), what);
  }

  /** Waits until `probe` holds of what has arrived so far. */
  until(probe: () => boolean, what: string): Promise<void> {
    return this.waitFor(() => (probe() ? true : undefined), what).then(() => undefined);
  }

  /** Waits until the binary output so far contains `text`. */
  outputIncludes(text: string): Promise<void> {
    return this.waitFor(
      () => (this.output.includes(text) ? true : undefined),
      `output ${JSON.stringify(text)}`,
    ).then(() => undefined);
  }

  close(): Promise<number> {
    this.ws.close();
    return this.closed;
  }

  private waitFor<T>(probe: () => T | undefined, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        const found = probe();
        if (found !== undefined) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        } else if (this.isClosed) {
          this.waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`socket closed before ${what}; got ${this.describe()}`));
        }
      };
      // A guard against a socket that never sends it, reported with what did come; not a wait.
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${what} within ${WAIT_MS} ms; got ${this.describe()}`));
      }, WAIT_MS);
      this.waiters.add(check);
      check();
    });
  }

  private describe(): string {
    return `${JSON.stringify(this.messages).slice(0, 1000)} and output ${JSON.stringify(this.output.slice(-300))}`;
  }
}

/** Starts the client's environment for the `topics` lab and resolves once /ws/env says it runs. */
export async function runningEnv(h: Harness, c: Client): Promise<void> {
  const env = new Socket<EnvMessage>(h, '/ws/env', { cookie: c.cookie });
  const started = await c.call('POST', '/api/env', { labId: 'topics' });
  expect(started.status, started.text).toBe(202);
  await env.next((m) => m.type === 'status' && m.status.phase === 'running', 'a running status');
  await env.close();
}

/** Records what reaches a shell: every write into the terminal's stream. */
export function recordInput(term: EchoTerminal): string[] {
  const input: string[] = [];
  const write = term.stream.write.bind(term.stream) as (chunk: Buffer, ...rest: unknown[]) => boolean;
  term.stream.write = ((chunk: Buffer, ...rest: unknown[]) => {
    input.push(Buffer.from(chunk).toString('utf8'));
    return write(chunk, ...rest);
  }) as typeof term.stream.write;
  return input;
}

/**
 * One classroom app per test: `start` boots it (accounts mode, the first admin made), `socket`
 * opens sockets that are closed after the test, `app` is the current one; after each test the
 * app is disposed and nothing may have reached its error-level log.
 */
export function classroomPerTest(): {
  start: (options?: Omit<HarnessOptions, 'auth'>) => Promise<Classroom>;
  socket: <M>(app: Harness, path: string, cookie: string) => Socket<M>;
  app: () => Harness | undefined;
} {
  let h: Harness | undefined;
  const sockets: Socket<unknown>[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.ws.terminate();
    const errors = h?.errors ?? [];
    await h?.dispose();
    h = undefined;
    expect(errors).toEqual([]);
  });
  return {
    start: async (options = {}) => {
      const room = await classroom(options);
      h = room.h;
      return room;
    },
    socket: <M>(app: Harness, path: string, cookie: string): Socket<M> => {
      const s = new Socket<M>(app, path, { cookie });
      sockets.push(s);
      return s;
    },
    app: () => h,
  };
}
