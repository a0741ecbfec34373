import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { newEnvId } from '../../../server/env/naming.ts';
import type { EnvironmentBackend } from '../../../server/env/EnvironmentBackend.ts';
import type {
  CheckResponse,
  EnvMessage,
  EnvStatus,
  LabView,
  Outline,
  TerminalEvent,
} from '../../../server/http/apiTypes.ts';
import { FailingBackend } from '../../../server/env/InMemoryEnvironments.ts';
import { startApp, type Harness } from './harness.ts';

const start = (backend?: EnvironmentBackend, graceMs?: number): Promise<Harness> =>
  startApp({ ...(backend ? { backend } : {}), ...(graceMs === undefined ? {} : { graceMs }) });

/** A browser-like client: keeps the session cookie. */
class Client {
  cookie = '';
  constructor(private readonly base: string) {}
  async call(
    method: string,
    url: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<{ status: number; json: unknown; text: string }> {
    const res = await fetch(`${this.base}${url}`, {
      method,
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(body !== undefined ? { 'content-type': contentType } : {}),
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0] ?? '';
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }
  async signIn(name: string): Promise<void> {
    expect((await this.call('POST', '/api/session', { name })).status).toBe(200);
  }
}

let h: Harness;
let c: Client;
beforeEach(async () => {
  h = await start();
  c = new Client(h.base);
});
afterEach(async () => {
  await h.app.dispose();
});

describe('sign-in', () => {
  it('signs in by name, remembers the language, and signs out', async () => {
    expect((await c.call('GET', '/api/me')).status).toBe(401);
    await c.signIn('张三');
    const me = { id: 1, name: '张三', displayName: null, role: 'student', lang: 'zh' };
    expect((await c.call('GET', '/api/me')).json).toEqual(me);
    expect((await c.call('PUT', '/api/me', { lang: 'en' })).json).toEqual({ ...me, lang: 'en' });
    expect((await c.call('DELETE', '/api/session')).status).toBe(204);
    expect((await c.call('GET', '/api/me')).status).toBe(401);
  });

  it('rejects bad payloads with 400 and a message', async () => {
    for (const body of [
      {},
      { name: '' },
      { name: 'x'.repeat(65) },
      { name: 'a\nb' },
      { name: 'ok', extra: 1 },
    ]) {
      const r = await c.call('POST', '/api/session', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect((r.json as { message: string }).message.length).toBeGreaterThan(5);
    }
    const malformed = await c.call('POST', '/api/session', '{"name": ', 'application/json');
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({
      error: 'bad_request',
      message: expect.stringMatching(/^Malformed JSON/) as unknown,
    });
    const huge = await c.call('POST', '/api/session', JSON.stringify({ name: 'x'.repeat(100_000) }));
    expect(huge.status).toBe(413);
    await c.signIn('alice');
    expect((await c.call('PUT', '/api/me', { lang: 'fr' })).status).toBe(400);
  });
});

describe('labs', () => {
  beforeEach(() => c.signIn('alice'));

  it('lists the outline with progress', async () => {
    const outline = (await c.call('GET', '/api/labs')).json as Outline;
    expect(outline.labs.map((l) => [l.id, l.exercises, l.points, l.passed])).toEqual([
      ['topics', 2, 15, 0],
      ['setup', 0, 0, 0],
    ]);
  });

  it('renders a lab per language, sanitized, without answer keys or check parameters', async () => {
    const zh = (await c.call('GET', '/api/labs/topics?lang=zh')).json as LabView;
    expect(zh.title).toBe('主题');
    expect(zh.steps.map((s) => s.title)).toEqual(['创建主题', '小测验']);
    const text = JSON.stringify(zh);
    expect(text).toContain('<code class=\\"language-bash\\">');
    expect(text).not.toContain('<script');
    expect(text).not.toContain('"answer"');
    expect(text).not.toContain('"partitions"');
    expect(text).not.toContain('提示一'); // hints come one at a time
    const en = JSON.stringify((await c.call('GET', '/api/labs/topics?lang=en')).json);
    expect(en).toContain('target=\\"_blank\\"');
    expect(en).not.toMatch(/href=\\"javascript:/);
    expect(en).toContain('[bad](javascript:alert(1))'); // left as text, not a link
  });

  it('answers unknown labs, exercises and bad queries with 4xx', async () => {
    expect((await c.call('GET', '/api/labs/nope')).status).toBe(404);
    expect((await c.call('GET', '/api/labs/topics?lang=fr')).status).toBe(400);
    expect((await c.call('PUT', '/api/labs/topics/position', { step: 7 })).status).toBe(400);
    expect((await c.call('PUT', '/api/labs/topics/position', { step: -1 })).status).toBe(400);
    expect((await c.call('PUT', '/api/labs/topics/position', { step: 1 })).status).toBe(204);
    expect(((await c.call('GET', '/api/labs')).json as Outline).labs[0]?.position).toBe(1);
    expect((await c.call('POST', '/api/labs/topics/checks/nope', {})).status).toBe(404);
    expect((await c.call('POST', '/api/labs/topics/checks/what-is-a-partition', {})).status).toBe(400);
    expect(
      (await c.call('POST', '/api/labs/topics/checks/what-is-a-partition', { answer: [5] })).status,
    ).toBe(400);
    expect(
      (await c.call('POST', '/api/labs/topics/checks/what-is-a-partition', { answer: [0, 1] })).status,
    ).toBe(400);
    expect(
      (await c.call('POST', '/api/labs/topics/checks/what-is-a-partition', { answer: 'a' })).status,
    ).toBe(400);
    expect((await c.call('GET', '/api/nope')).status).toBe(404);
  });

  it('grades quizzes and records attempts', async () => {
    const wrong = (await c.call('POST', '/api/labs/topics/checks/what-is-a-partition', { answer: [1] }))
      .json as CheckResponse;
    expect(wrong).toMatchObject({ status: 'fail', exercise: { status: 'failed', attempts: 1 } });
    const right = (await c.call('POST', '/api/labs/topics/checks/what-is-a-partition', { answer: [0] }))
      .json as CheckResponse;
    expect(right).toMatchObject({
      status: 'pass',
      message: { en: 'Right' },
      exercise: { status: 'passed', attempts: 2 },
    });
    expect(((await c.call('GET', '/api/labs')).json as Outline).labs[0]).toMatchObject({
      passed: 1,
      earned: 5,
    });
  });

  it('runs a check on the environment: error while it is down (no attempt), then fail with a hint, then pass', async () => {
    const down = (await c.call('POST', '/api/labs/topics/checks/orders-topic', {})).json as CheckResponse;
    expect(down).toMatchObject({ status: 'error', exercise: { attempts: 0, hints: [] } });

    expect((await c.call('POST', '/api/env', { labId: 'topics' })).status).toBe(202);
    await until(async () => ((await c.call('GET', '/api/env')).json as EnvStatus).phase === 'running');

    h.nodes.agent['topic orders'] = {
      name: 'orders',
      exists: true,
      partitions: [{ partition: 0, leader: 1, replicas: [1], isr: [1], offline: [] }],
      replicationFactor: 1,
      configs: {},
    };
    const failed = (await c.call('POST', '/api/labs/topics/checks/orders-topic', {})).json as CheckResponse;
    expect(failed).toMatchObject({
      status: 'fail',
      message: { en: 'Topic orders has 1 partition; the exercise expects 3.' },
      exercise: { attempts: 1, hints: ['提示一'], hintCount: 2 },
    });

    const hint = (await c.call('POST', '/api/labs/topics/checks/orders-topic/hints?lang=en'))
      .json as CheckResponse;
    expect(hint.exercise.hints).toEqual(['Hint one', 'Hint two']);
    expect((await c.call('POST', '/api/labs/topics/checks/orders-topic/hints?lang=xx')).status).toBe(400);
    const three = [0, 1, 2].map((partition) => ({
      partition,
      leader: 1,
      replicas: [1],
      isr: [1],
      offline: [],
    }));
    h.nodes.agent['topic orders'] = {
      name: 'orders',
      exists: true,
      partitions: three,
      replicationFactor: 1,
      configs: {},
    };
    const passed = (await c.call('POST', '/api/labs/topics/checks/orders-topic', {})).json as CheckResponse;
    expect(passed).toMatchObject({ status: 'pass', exercise: { status: 'passed', attempts: 2 } });
  });
});

describe('environment', () => {
  beforeEach(() => c.signIn('alice'));

  it('starts in the lab’s mode, refuses the other mode without reset, and resets', async () => {
    expect(((await c.call('GET', '/api/env')).json as EnvStatus).phase).toBe('none');
    expect((await c.call('POST', '/api/env', { labId: 'topics' })).status).toBe(202);
    await until(async () => ((await c.call('GET', '/api/env')).json as EnvStatus).phase === 'running');
    const mismatch = await c.call('POST', '/api/env', { labId: 'setup' });
    expect(mismatch.status).toBe(409);
    expect(mismatch.json).toMatchObject({ error: 'mode_mismatch' });
    expect((await c.call('POST', '/api/env', { labId: 'setup', reset: true })).status).toBe(202);
    await until(async () => ((await c.call('GET', '/api/env')).json as EnvStatus).mode === 'install');
    expect(((await c.call('DELETE', '/api/env')).json as EnvStatus).phase).toBe('none');
  });

  it('rejects bad payloads', async () => {
    expect((await c.call('POST', '/api/env', {})).status).toBe(400);
    expect((await c.call('POST', '/api/env', { labId: 'nope' })).status).toBe(404);
    expect((await c.call('POST', '/api/env', { labId: 'topics', reset: 'yes' })).status).toBe(400);
  });

  it('reports a failed boot with its reason and details', async () => {
    await h.app.dispose();
    h = await start(new FailingBackend());
    c = new Client(h.base);
    await c.signIn('bob');
    await c.call('POST', '/api/env', { labId: 'topics' });
    let status: EnvStatus | undefined;
    await until(
      async () => ((status = (await c.call('GET', '/api/env')).json as EnvStatus), status.phase === 'failed'),
    );
    expect(status?.error).toMatchObject({
      error: 'brokers_not_ready',
      details: expect.stringContaining('bigdata02') as unknown,
    });
  });

  it('pushes status and snapshots on /ws/env', async () => {
    await c.call('POST', '/api/env', { labId: 'topics' });
    await until(async () => ((await c.call('GET', '/api/env')).json as EnvStatus).phase === 'running');
    h.nodes.agent.snapshot = { at: 'now', brokers: [], controller: null, topics: [], groups: [], errors: [] };
    const ws = new WebSocket(`${h.base.replace('http', 'ws')}/ws/env`, { headers: { cookie: c.cookie } });
    const messages: EnvMessage[] = [];
    ws.on('message', (d: Buffer) => messages.push(JSON.parse(d.toString('utf8')) as EnvMessage));
    await until(() => Promise.resolve(messages.some((m) => m.type === 'snapshot')));
    expect(messages[0]).toMatchObject({ type: 'status', status: { phase: 'running' } });
    ws.close();
  });
});

describe('environment identity', () => {
  it('a student handed another’s environment id (a name collision) sees and touches none of it', async () => {
    await c.signIn('alice');
    await c.call('POST', '/api/env', { labId: 'topics' });
    await until(async () => ((await c.call('GET', '/api/env')).json as EnvStatus).phase === 'running');
    await c.call('PUT', '/api/files?node=bigdata01&path=/root/notes.txt', 'alice was here\n', 'text/plain');

    // Before, the id was derived from the name, and a colliding name gave mallory alice's id.
    // Now ids come from the store; make the worst case happen anyway and check every door.
    const mallory = new Client(h.base);
    await mallory.signIn('mallory');
    const alice = h.store.findStudent('alice');
    const m = h.store.findStudent('mallory');
    if (!alice || !m) throw new Error('students missing');
    expect(m.envId).not.toBe(alice.envId);
    // The store itself refuses to give one id to two students...
    expect(() => h.store.setEnvId(m.id, alice.envId)).toThrow(/UNIQUE/);
    // ...so move alice aside first, leaving her containers (labelled alice) under the old id.
    h.store.setEnvId(alice.id, newEnvId());
    h.store.setEnvId(m.id, alice.envId);

    const status = await mallory.call('GET', '/api/env');
    expect(status.status).toBe(403);
    expect(status.json).toMatchObject({ error: 'not_your_environment' });
    const read = await mallory.call('GET', '/api/files?node=bigdata01&path=/root/notes.txt');
    expect(read.status).toBe(404);
    expect(read.text).not.toContain('alice was here');
    expect(
      (await mallory.call('PUT', '/api/files?node=bigdata01&path=/root/x', 'x', 'text/plain')).status,
    ).toBe(404);
    expect((await mallory.call('POST', '/api/labs/topics/checks/orders-topic', {})).status).toBe(403);
    expect((await mallory.call('DELETE', '/api/env')).status).toBe(403);
    const ws = new WebSocket(`${h.base.replace('http', 'ws')}/ws/terminal?node=bigdata01`, {
      headers: { cookie: mallory.cookie },
    });
    const events: TerminalEvent[] = [];
    ws.on('message', (d: Buffer, isBinary) => {
      if (!isBinary) events.push(JSON.parse(d.toString('utf8')) as TerminalEvent);
    });
    await new Promise((r) => ws.on('close', r));
    expect(events).toEqual([expect.objectContaining({ type: 'error', error: 'not_your_environment' })]);
    expect(h.nodes.terminals).toHaveLength(0);

    // Alice's environment is untouched.
    expect((await h.backend.status({ id: alice.envId, owner: 'alice' }))?.state).toBe('running');
    expect(h.nodes.files.get('bigdata01:/root/notes.txt')?.toString()).toBe('alice was here\n');
  });

  it('removes an environment once when the same student resets it twice at once', async () => {
    await c.signIn('alice');
    await c.call('POST', '/api/env', { labId: 'topics' });
    await until(async () => ((await c.call('GET', '/api/env')).json as EnvStatus).phase === 'running');
    const [a, b] = await Promise.all([c.call('DELETE', '/api/env'), c.call('DELETE', '/api/env')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(((await c.call('GET', '/api/env')).json as EnvStatus).phase).toBe('none');
  });
});

describe('files', () => {
  beforeEach(async () => {
    await c.signIn('alice');
    await c.call('POST', '/api/env', { labId: 'topics' });
    await until(async () => ((await c.call('GET', '/api/env')).json as EnvStatus).phase === 'running');
  });

  it('lists, reads and writes', async () => {
    expect((await c.call('GET', '/api/files?node=bigdata01&path=/root')).json).toMatchObject({
      kind: 'dir',
      entries: expect.arrayContaining([expect.objectContaining({ name: 'notes.txt' })]) as unknown,
    });
    expect((await c.call('GET', '/api/files?node=bigdata01&path=/root/notes.txt')).json).toMatchObject({
      kind: 'file',
      content: 'hello\n',
    });
    expect(
      (await c.call('PUT', '/api/files?node=bigdata01&path=/root/notes.txt', '你好\n', 'text/plain')).json,
    ).toEqual({ path: '/root/notes.txt', bytes: 7 });
    expect((await c.call('GET', '/api/files?node=bigdata01&path=/root/notes.txt')).json).toMatchObject({
      content: '你好\n',
    });
  });

  it('rejects traversal, unknown servers, binary and oversized files with 4xx', async () => {
    const cases: [string, string, number][] = [
      ['GET', '/api/files?node=bigdata01&path=/root/../etc/shadow', 400],
      ['GET', '/api/files?node=bigdata01&path=/etc/shadow', 403],
      ['GET', '/api/files?node=bigdata09&path=/root', 400],
      ['GET', '/api/files?node=bigdata01', 400],
      ['GET', '/api/files?node=bigdata01&path=/root/missing', 404],
      ['GET', '/api/files?node=bigdata01&path=/root/blob.bin', 415],
    ];
    for (const [method, url, status] of cases) expect((await c.call(method, url)).status, url).toBe(status);
    const big = await c.call(
      'PUT',
      '/api/files?node=bigdata01&path=/root/big',
      'x'.repeat(1024 * 1024 + 10),
      'text/plain',
    );
    expect(big.status).toBe(413);
    expect(big.json).toMatchObject({ error: 'too_large' });
  });
});

describe('terminal socket', () => {
  beforeEach(async () => {
    await c.signIn('alice');
    await c.call('POST', '/api/env', { labId: 'topics' });
    await until(async () => ((await c.call('GET', '/api/env')).json as EnvStatus).phase === 'running');
  });

  const open = (
    query: string,
  ): { ws: WebSocket; events: TerminalEvent[]; output: () => string; closed: Promise<number> } => {
    const ws = new WebSocket(`${h.base.replace('http', 'ws')}/ws/terminal?${query}`, {
      headers: { cookie: c.cookie },
    });
    const events: TerminalEvent[] = [];
    let output = '';
    ws.on('message', (d: Buffer, isBinary) =>
      isBinary
        ? (output += d.toString('utf8'))
        : events.push(JSON.parse(d.toString('utf8')) as TerminalEvent),
    );
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    return { ws, events, output: () => output, closed };
  };

  it('bridges binary frames both ways, resizes, and reattaches to the same shell with its output', async () => {
    const first = open('node=bigdata02&cols=100&rows=30');
    await until(() => Promise.resolve(first.events.some((e) => e.type === 'attached')));
    expect(first.events[0]).toEqual({ type: 'attached', node: 'bigdata02', fresh: true, replayed: 0 });
    first.ws.send(Buffer.from('echo hi\n'));
    await until(() => Promise.resolve(first.output().includes('bigdata02$ echo hi')));
    first.ws.send(JSON.stringify({ type: 'resize', cols: 120, rows: 40 }));
    await until(() => Promise.resolve(h.nodes.terminals[0]?.sizes.some((s) => s.cols === 120) ?? false));
    first.ws.close();
    await first.closed;

    const second = open('node=bigdata02');
    await until(() => Promise.resolve(second.output().includes('echo hi')));
    expect(second.events[0]).toMatchObject({ type: 'attached', fresh: false });
    expect(h.nodes.terminals).toHaveLength(1);
    second.ws.close();
  });

  it('says "exit" when the shell ends, and rejects bad requests and oversized frames', async () => {
    const t = open('node=bigdata01');
    await until(() => Promise.resolve(t.events.some((e) => e.type === 'attached')));
    t.ws.send(JSON.stringify({ type: 'jump' }));
    await until(() => Promise.resolve(t.events.some((e) => e.type === 'error')));
    expect(t.events.find((e) => e.type === 'error')).toMatchObject({ error: 'bad_message' });
    t.ws.send(Buffer.from('exit\n'));
    await until(() => Promise.resolve(t.events.some((e) => e.type === 'exit')));
    expect(await t.closed).toBe(1000);

    const badNode = open('node=bigdata09');
    expect(await badNode.closed).toBe(4400);
    expect(badNode.events[0]).toMatchObject({ type: 'error', error: 'bad_request' });

    const big = open('node=bigdata03');
    await until(() => Promise.resolve(big.events.some((e) => e.type === 'attached')));
    big.ws.send(Buffer.alloc(70 * 1024));
    expect(await big.closed).toBe(1009);
  });

  it('refuses sockets without a session or with an unknown path', async () => {
    const anonymous = new WebSocket(`${h.base.replace('http', 'ws')}/ws/terminal?node=bigdata01`);
    const status = await new Promise<number>((r) =>
      anonymous.on('unexpected-response', (_req, res) => r(res.statusCode ?? 0)),
    );
    expect(status).toBe(401);
    const nowhere = new WebSocket(`${h.base.replace('http', 'ws')}/ws/nowhere`, {
      headers: { cookie: c.cookie },
    });
    expect(
      await new Promise<number>((r) =>
        nowhere.on('unexpected-response', (_req, res) => r(res.statusCode ?? 0)),
      ),
    ).toBe(404);
  });
});

async function until(probe: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}
