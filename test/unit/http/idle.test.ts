import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { IdlePolicy } from '../../../server/env/IdleCuller.ts';
import type { EnvMessage, EnvStatus, TerminalEvent } from '../../../server/http/apiTypes.ts';
import { signIn, startApp, type Harness } from './harness.ts';

const MINUTE = 60_000;
const policy: IdlePolicy = { stopMs: 10 * MINUTE, warnMs: 2 * MINUTE, expireMs: 24 * 60 * MINUTE };

let h: Harness;
let culler: NonNullable<Harness['culler']>;
const clock = { t: 0 };
const sockets: WebSocket[] = [];

beforeEach(async () => {
  clock.t = 1_700_000_000_000;
  h = await startApp({ idle: { policy, now: () => clock.t } });
  if (h.culler === undefined) throw new Error('the harness made no culler');
  culler = h.culler;
});
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await h.dispose();
});

/** Everything /ws/env pushed to one page, and a way to wait for the next message of a kind. */
class EnvFeed {
  readonly messages: EnvMessage[] = [];
  private readonly waiters: {
    from: number;
    ok: (m: EnvMessage) => boolean;
    resolve: (m: EnvMessage) => void;
  }[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return;
      this.messages.push(JSON.parse(data.toString('utf8')) as EnvMessage);
      for (const w of [...this.waiters]) this.check(w);
    });
  }

  /** Resolves with the first message from index `from` on that satisfies `ok`. */
  when(ok: (m: EnvMessage) => boolean, from = 0): Promise<EnvMessage> {
    return new Promise((resolve) => {
      const w = { from, ok, resolve };
      this.waiters.push(w);
      this.check(w);
    });
  }

  /** Resolves with the next message (after those seen so far) that satisfies `ok`. */
  next(ok: (m: EnvMessage) => boolean): Promise<EnvMessage> {
    return this.when(ok, this.messages.length);
  }

  send(text: string | Buffer): void {
    this.ws.send(text);
  }

  private check(w: EnvFeed['waiters'][number]): void {
    const m = this.messages.slice(w.from).find(w.ok);
    if (m === undefined) return;
    this.waiters.splice(this.waiters.indexOf(w), 1);
    w.resolve(m);
  }
}

const isWarning = (m: EnvMessage): boolean => m.type === 'idle-warning';
const isCleared = (m: EnvMessage): boolean => m.type === 'idle-cleared';
const isStatus =
  (phase: EnvStatus['phase']) =>
  (m: EnvMessage): boolean =>
    m.type === 'status' && m.status.phase === phase;

/** Opens /ws/env as the cookie's student; resolves once the current status arrived. */
async function openFeed(cookie: string): Promise<EnvFeed> {
  const ws = new WebSocket(`${h.base.replace('http', 'ws')}/ws/env`, { headers: { cookie } });
  sockets.push(ws);
  const feed = new EnvFeed(ws);
  await feed.when((m) => m.type === 'status');
  return feed;
}

async function call(cookie: string, method: string, url: string, body?: string, type = 'application/json') {
  const res = await fetch(`${h.base}${url}`, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { 'content-type': type }) },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  return { status: res.status, json: (text === '' ? undefined : JSON.parse(text)) as unknown };
}

/** A signed-in student with a running environment and their /ws/env feed. */
async function student(name: string): Promise<{ cookie: string; feed: EnvFeed; envId: string }> {
  const cookie = await signIn(h.base, name);
  const feed = await openFeed(cookie);
  expect((await call(cookie, 'POST', '/api/env', JSON.stringify({ labId: 'topics' }))).status).toBe(202);
  await feed.when(isStatus('running'));
  const envId = h.store.findStudent(name)?.envId;
  if (envId === undefined) throw new Error(`${name} is not in the store`);
  return { cookie, feed, envId };
}

/** Runs `action` and resolves with the first message after it on `feed` that satisfies `ok`. */
async function expecting(
  feed: EnvFeed,
  ok: (m: EnvMessage) => boolean,
  action: () => unknown,
): Promise<EnvMessage> {
  const heard = feed.next(ok);
  await action();
  return heard;
}

/** Moves the clock and runs one culler pass. */
async function after(ms: number): Promise<void> {
  clock.t += ms;
  await culler.sweep();
}

describe('idle environments over HTTP and /ws/env', () => {
  it('warns the page, a heartbeat keeps it, the stop is told with its notice, and a start resumes it with its files', async () => {
    const alice = await student('alice');
    const put = await call(
      alice.cookie,
      'PUT',
      '/api/files?node=bigdata01&path=/root/idle.txt',
      'kept\n',
      'text/plain',
    );
    expect(put.status).toBe(200);

    expect(await expecting(alice.feed, isWarning, () => after(8 * MINUTE))).toEqual({
      type: 'idle-warning',
      stopsInSeconds: 120,
    });
    await expecting(alice.feed, isCleared, () => alice.feed.send(JSON.stringify({ type: 'heartbeat' })));

    await expecting(alice.feed, isWarning, () => after(8 * MINUTE));
    await expecting(alice.feed, isStatus('stopped'), () => after(2 * MINUTE));
    // The stop is pushed at once; its notice follows as soon as it is stored.
    await alice.feed.when(
      (m) =>
        m.type === 'status' && m.status.phase === 'stopped' && m.status.notice?.reason === 'idle_stopped',
    );
    expect((await call(alice.cookie, 'GET', '/api/env')).json).toMatchObject({
      phase: 'stopped',
      notice: { reason: 'idle_stopped', message: expect.stringMatching(/files are kept/) as unknown },
    });

    const resumed = alice.feed.next(isStatus('running'));
    const start = await call(alice.cookie, 'POST', '/api/env', JSON.stringify({ labId: 'topics' }));
    expect(start.status).toBe(202);
    expect((start.json as EnvStatus).notice).toBeUndefined();
    const up = (await resumed) as Extract<EnvMessage, { type: 'status' }>;
    // Resumed, not made afresh: the servers were started again, no network was created.
    expect(up.status.events.map((e) => e.phase)).toContain('servers');
    expect(up.status.events.map((e) => e.phase)).not.toContain('network');
    const file = await call(alice.cookie, 'GET', '/api/files?node=bigdata01&path=/root/idle.txt');
    expect(file.json).toMatchObject({ kind: 'file', content: 'kept\n' });
    expect(h.store.envTimes(alice.envId)?.stoppedMs).toBeNull();
    expect(h.errors).toEqual([]);
  });

  it('counts API calls and terminal input as activity: each ends the warning', async () => {
    const alice = await student('alice');
    await expecting(alice.feed, isWarning, () => after(9 * MINUTE));
    await expecting(alice.feed, isCleared, async () =>
      expect((await call(alice.cookie, 'GET', '/api/labs')).status).toBe(200),
    );

    await expecting(alice.feed, isWarning, () => after(9 * MINUTE));
    const term = new WebSocket(`${h.base.replace('http', 'ws')}/ws/terminal?node=bigdata01`, {
      headers: { cookie: alice.cookie },
    });
    sockets.push(term);
    await new Promise<void>((resolve) =>
      term.on('message', (d: Buffer, isBinary) => {
        if (!isBinary && (JSON.parse(d.toString('utf8')) as TerminalEvent).type === 'attached') resolve();
      }),
    );
    // Opening a terminal is not typing in it: the warning stands until a key is pressed.
    expect(alice.feed.messages.at(-1)).toMatchObject({ type: 'idle-warning' });
    const cleared = alice.feed.next(isCleared);
    term.send(Buffer.from('ls'), { binary: true });
    await cleared;
    expect(h.errors).toEqual([]);
  });

  it("never lets one student's heartbeat, API call or keystroke end another's warning or keep their environment", async () => {
    const alice = await student('alice');
    const bob = await student('bob');
    const aliceWarned = alice.feed.next(isWarning);
    await expecting(bob.feed, isWarning, () => after(9 * MINUTE));
    await aliceWarned;

    // Bob names Alice's environment in his heartbeat: it is still only his.
    await expecting(bob.feed, isCleared, () =>
      bob.feed.send(JSON.stringify({ type: 'heartbeat', envId: alice.envId, student: 'alice' })),
    );
    expect((await call(bob.cookie, 'GET', '/api/env')).status).toBe(200);
    const term = new WebSocket(`${h.base.replace('http', 'ws')}/ws/terminal?node=bigdata01`, {
      headers: { cookie: bob.cookie },
    });
    sockets.push(term);
    const echoed = new Promise<void>((resolve) =>
      term.on('message', (d: Buffer, isBinary) => {
        if (isBinary && d.toString('utf8').includes('q')) resolve();
      }),
    );
    await new Promise<void>((resolve) => term.on('open', () => resolve()));
    term.send(Buffer.from('q'), { binary: true });
    await echoed;

    await expecting(alice.feed, isStatus('stopped'), () => after(2 * MINUTE));
    expect(alice.feed.messages.filter(isCleared)).toEqual([]);
    expect(((await call(bob.cookie, 'GET', '/api/env')).json as EnvStatus).phase).toBe('running');
    // Bob's page heard nothing of Alice's stop.
    expect(bob.feed.messages.filter(isStatus('stopped'))).toEqual([]);
    expect(h.errors).toEqual([]);
  });

  it('ignores malformed /ws/env messages: the socket stays open and heartbeats still count', async () => {
    const alice = await student('alice');
    await expecting(alice.feed, isWarning, () => after(9 * MINUTE));
    const junk: (string | Buffer)[] = [
      Buffer.from([0, 1, 2, 255]),
      'not json',
      '',
      'null',
      '[]',
      '{}',
      '"heartbeat"',
      '{"type":"heartbeat"',
      '{"type":"HEARTBEAT"}',
      '{"type":"nope"}',
      '{"type":{"type":"heartbeat"}}',
      '{"__proto__":{"type":"heartbeat"}}',
      JSON.stringify({ type: 'x', pad: 'y'.repeat(60_000) }),
      '['.repeat(30_000) + ']'.repeat(30_000),
    ];
    // Frames arrive in order: when the heartbeat after the junk is answered, all of it was read.
    await expecting(alice.feed, isCleared, () => {
      for (const j of junk) alice.feed.send(j);
      alice.feed.send(JSON.stringify({ type: 'heartbeat' }));
    });
    expect(alice.feed.messages.filter(isCleared)).toHaveLength(1);
    expect(alice.feed.ws.readyState).toBe(WebSocket.OPEN);

    // A frame beyond the size limit closes that socket (1009), and only that one.
    const big = await openFeed(alice.cookie);
    const closed = new Promise<number>((resolve) => big.ws.on('close', (code) => resolve(code)));
    big.send(JSON.stringify({ type: 'heartbeat', pad: 'z'.repeat(70_000) }));
    expect(await closed).toBe(1009);
    await expecting(alice.feed, isWarning, () => after(9 * MINUTE));
    await expecting(alice.feed, isCleared, () => call(alice.cookie, 'GET', '/api/env'));
    expect(h.errors).toEqual([]);
  });
});
