import { pino } from 'pino';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installLastResort } from '../../../server/http/lastResort.ts';
import { rawRequest, runningPushed, signIn, startApp, upgradeRequest, type Harness } from './harness.ts';

let h: Harness;
let alice: string;
beforeEach(async () => {
  h = await startApp();
  alice = await signIn(h.base, 'alice');
});
afterEach(async () => {
  await h.dispose();
});

const host = (): string => `127.0.0.1:${h.port}`;
const upgrade = (target: string, headers: Record<string, string> = {}) =>
  rawRequest(h.port, upgradeRequest(target, headers, host()));
const healthy = async (): Promise<void> => expect((await fetch(`${h.base}/healthz`)).status).toBe(200);

describe('malformed requests never end the server', () => {
  it('treats an undecodable session cookie on an upgrade as no session', async () => {
    for (const cookie of ['kl_session=%', 'kl_session=%E0%A4%A', `kl_session=%; ${alice}`]) {
      for (const target of ['/ws/env', '/ws/terminal?node=bigdata01'])
        expect((await upgrade(target, { Cookie: cookie })).status, `${target} ${cookie}`).toBe(401);
    }
    await healthy();
  });

  it('answers request targets that are no URL path with 4xx on the upgrade path', async () => {
    const x = await upgrade('//x:99999/ws/env', { Cookie: alice });
    expect(x.status).toBe(404);
    expect(x.body).toContain('No WebSocket at //x:99999/ws/env');
    expect((await upgrade('//[/ws/terminal', { Cookie: alice })).status).toBe(404);
    expect((await upgrade('*', { Cookie: alice })).status).toBe(400);
    await healthy();
  });

  it('answers 401, not 500, to an undecodable session cookie on the API', async () => {
    for (const cookie of ['kl_session=%', 'kl_session=%E0%A4%A']) {
      const res = await fetch(`${h.base}/api/me`, { headers: { cookie } });
      expect(res.status, cookie).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'not_signed_in' });
    }
    expect(h.errors).toEqual([]);
  });

  it('answers what node’s HTTP parser refuses with 400 or 431 and keeps serving', async () => {
    expect((await rawRequest(h.port, 'NOT HTTP AT ALL\r\n\r\n')).status).toBe(400);
    const huge = `GET /api/me HTTP/1.1\r\nHost: ${host()}\r\nCookie: ${'a'.repeat(20_000)}\r\n\r\n`;
    expect((await rawRequest(h.port, huge)).status).toBe(431);
    await healthy();
  });

  it('answers a missing static asset with a 404 that does not name the file on the server', async () => {
    await h.dispose();
    h = await startApp({ withWebDist: true });
    const res = await fetch(`${h.base}/assets/missing-1234.js`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: string; message: string };
    expect(body).toEqual({ error: 'not_found', message: 'Nothing at GET /assets/missing-1234.js' });
  });

  it('turns a failure of our own during an upgrade into a logged 500', async () => {
    h.store.sessionStudent = () => {
      throw new Error('the store is gone');
    };
    const res = await upgrade('/ws/env', { Cookie: alice });
    expect(res.status).toBe(500);
    expect(res.body).not.toContain('the store is gone');
    expect(h.errors.join('\n')).toContain('the store is gone');
    await healthy();
  });
});

describe('cross-site WebSockets and requests', () => {
  const sameOrigin = (): string => `http://${host()}`;

  it('refuses a foreign or null Origin on both sockets, before looking at the session', async () => {
    for (const target of ['/ws/env', '/ws/terminal?node=bigdata01']) {
      for (const origin of ['http://evil.example', 'null', `http://${host()}.evil.example`]) {
        const res = await upgrade(target, { Cookie: alice, Origin: origin });
        expect(res.status, `${target} ${origin}`).toBe(403);
        expect(res.body).toMatch(/refused/);
      }
      expect((await upgrade(target, { Origin: 'http://evil.example' })).status).toBe(403);
    }
  });

  it('opens the sockets for the server’s own origin and for clients that send none', async () => {
    for (const target of ['/ws/env', '/ws/terminal?node=bigdata01']) {
      expect((await upgrade(target, { Cookie: alice, Origin: sameOrigin() })).status, target).toBe(101);
      expect((await upgrade(target, { Cookie: alice, Origin: `https://${host()}` })).status).toBe(101);
      expect((await upgrade(target, { Cookie: alice })).status, target).toBe(101);
    }
  });

  it('honours the configured allow-list', async () => {
    await h.dispose();
    h = await startApp({ allowedOrigins: ['https://lab.example.edu'] });
    alice = await signIn(h.base, 'alice');
    expect((await upgrade('/ws/env', { Cookie: alice, Origin: 'https://LAB.example.edu:443' })).status).toBe(
      101,
    );
    expect((await upgrade('/ws/env', { Cookie: alice, Origin: 'https://lab.example.edu:8443' })).status).toBe(
      403,
    );
  });

  it('refuses a state-changing API request from a foreign origin or referer, and changes nothing', async () => {
    const put = (headers: Record<string, string>) =>
      fetch(`${h.base}/api/me`, {
        method: 'PUT',
        headers: { cookie: alice, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ lang: 'en' }),
      });
    for (const headers of [
      { origin: 'http://evil.example' } as Record<string, string>,
      { origin: 'null' },
      { referer: 'http://evil.example/page' },
      { referer: 'not a url' },
    ]) {
      const res = await put(headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.json()).toMatchObject({ error: 'cross_origin' });
    }
    const me = await fetch(`${h.base}/api/me`, { headers: { cookie: alice, origin: 'http://evil.example' } });
    expect(await me.json()).toMatchObject({ lang: 'zh' });
    const signInFromElsewhere = await fetch(`${h.base}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: JSON.stringify({ name: 'mallory' }),
    });
    expect(signInFromElsewhere.status).toBe(403);
    expect(signInFromElsewhere.headers.get('set-cookie')).toBeNull();
    expect((await put({ origin: sameOrigin(), referer: `${sameOrigin()}/labs/topics` })).status).toBe(200);
  });
});

describe('file uploads', () => {
  beforeEach(async () => {
    await fetch(`${h.base}/api/env`, {
      method: 'POST',
      headers: { cookie: alice, 'content-type': 'application/json' },
      body: JSON.stringify({ labId: 'topics' }),
    });
    await runningPushed(h.base, alice);
  });

  const put = (
    cookie: string,
    file: string,
    body: Uint8Array<ArrayBuffer> | string,
    type = 'application/octet-stream',
  ) =>
    fetch(`${h.base}/api/files?node=bigdata01&path=${file}`, {
      method: 'PUT',
      headers: { cookie, 'content-type': type },
      body,
    });

  it('refuses binary content with 415 and writes nothing', async () => {
    const binary = Uint8Array.from({ length: 4096 }, (_, i) => i % 256);
    for (const [body, type] of [
      [binary, 'application/octet-stream'],
      [binary, 'text/plain'],
      ['text with a \0 NUL', 'text/plain'],
      [Uint8Array.from([0x68, 0x69, 0xc3]), 'text/plain; charset=utf-8'], // a cut-off "é"
    ] as const) {
      const res = await put(alice, '/root/notes.txt', body, type);
      expect(res.status).toBe(415);
      expect(await res.json()).toMatchObject({
        error: 'binary_file',
        message: expect.stringMatching(/UTF-8/) as unknown,
      });
    }
    const blob = await put(alice, '/root/new.bin', binary);
    expect(blob.status).toBe(415);
    expect(h.nodes.files.get('bigdata01:/root/notes.txt')?.toString('utf8')).toBe('hello\n');
    expect(h.nodes.files.has('bigdata01:/root/new.bin')).toBe(false);
  });

  it('stores UTF-8 text byte for byte, whatever the content type says', async () => {
    const text = '# 配置\nbroker.id=1\n';
    const res = await put(alice, '/root/notes.txt', text, 'application/octet-stream');
    expect(await res.json()).toEqual({ path: '/root/notes.txt', bytes: Buffer.byteLength(text) });
    expect(h.nodes.files.get('bigdata01:/root/notes.txt')?.toString('utf8')).toBe(text);
  });

  it('never lets one student write into another’s servers, nor a signed-out session', async () => {
    const bob = await signIn(h.base, 'bob');
    const res = await put(bob, '/root/notes.txt', 'bob was here\n', 'text/plain');
    // Bob's request goes to Bob's environment, which does not exist.
    expect(res.status).toBe(404);
    expect(h.nodes.files.get('bigdata01:/root/notes.txt')?.toString('utf8')).toBe('hello\n');
    await fetch(`${h.base}/api/session`, { method: 'DELETE', headers: { cookie: bob } });
    expect((await put(bob, '/root/notes.txt', 'again\n', 'text/plain')).status).toBe(401);
    expect((await upgrade('/ws/terminal?node=bigdata01', { Cookie: bob })).status).toBe(401);
  });
});

describe('installLastResort', () => {
  it('logs what escapes every handler at error level, installs once, and uninstalls', () => {
    const lines: string[] = [];
    const log = pino(
      { level: 'error' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString('utf8'));
          done();
        },
      }),
    );
    const before = process.listeners('uncaughtException');
    const beforeRejections = process.listenerCount('unhandledRejection');
    const dispose = installLastResort(log);
    try {
      expect(installLastResort(log)).toBe(dispose);
      const added = process.listeners('uncaughtException').filter((l) => !before.includes(l));
      expect(added).toHaveLength(1);
      expect(process.listenerCount('unhandledRejection')).toBe(beforeRejections + 1);
      // Called directly: emitting the event would also reach vitest's own handler.
      added[0]?.(new Error('stray bug'), 'uncaughtException');
      expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 50, err: { message: 'stray bug' } });
    } finally {
      dispose();
    }
    expect(process.listeners('uncaughtException')).toEqual(before);
    expect(process.listenerCount('unhandledRejection')).toBe(beforeRejections);
    dispose();
    const again = installLastResort(log);
    expect(again).not.toBe(dispose);
    again();
  });
});
