/**
 * Acceptance: one student's cookie reaches nothing of another student's, through any route or
 * socket, in accounts mode with both environments up.
 */
import { describe, expect, it } from 'vitest';
import { newEnvId } from '../../../server/env/naming.ts';
import type { EnvRef } from '../../../server/env/EnvironmentBackend.ts';
import type {
  CheckResponse,
  EnvStatus,
  LabView,
  Outline,
  TerminalEvent,
} from '../../../server/http/apiTypes.ts';
import type { Harness } from './harness.ts';
import {
  recordInput,
  runningEnv,
  type Socket,
  upgradeStatus,
  type Client,
  classroomPerTest,
} from './classroomSupport.ts';

const { start, socket } = classroomPerTest();

/** Every environment an engine or server call addressed, in order. */
function recordRefs(app: Harness): EnvRef[] {
  const refs: EnvRef[] = [];
  const spy = <T extends object>(target: T, methods: (keyof T)[]): void => {
    for (const m of methods) {
      const original = target[m] as (ref: EnvRef, ...rest: unknown[]) => unknown;
      target[m] = ((ref: EnvRef, ...rest: unknown[]) => {
        refs.push({ id: ref.id, owner: ref.owner });
        return original.call(target, ref, ...rest);
      }) as T[keyof T];
    }
  };
  spy(app.nodes, ['exec', 'openTerminal', 'listDir', 'readFile', 'writeFile']);
  spy(app.backend, ['create', 'status', 'stop', 'start', 'remove']);
  return refs;
}

function terminal(app: Harness, c: Client, query: string): Socket<TerminalEvent> {
  return socket<TerminalEvent>(app, `/ws/terminal?${query}`, c.cookie);
}

/** Class, two students with running environments, and A's work: a pass, a hint, a position, a shell. */
async function twoStudents() {
  const room = await start();
  const app = room.h;
  const cls = await room.createClass(room.admin);
  const a = await room.student(cls.joinCode, 'alice');
  const b = await room.student(cls.joinCode, 'bob');
  await runningEnv(app, a);
  await runningEnv(app, b);
  expect((await a.call('POST', '/api/labs/topics/checks/what-is-a-partition', { answer: [0] })).status).toBe(
    200,
  );
  expect((await a.call('POST', '/api/labs/topics/checks/orders-topic/hints')).status).toBe(200);
  expect((await a.call('PUT', '/api/labs/topics/position', { step: 1 })).status).toBe(204);
  const shell = terminal(app, a, 'node=bigdata02');
  await shell.next((e) => e.type === 'attached');
  const term = app.nodes.terminals[0];
  if (term === undefined) throw new Error('no terminal');
  const input = recordInput(term);
  shell.ws.send(Buffer.from('export SECRET=alice\r'));
  await shell.outputIncludes('export SECRET=alice');
  const aUser = app.store.userById(a.me.id);
  const bUser = app.store.userById(b.me.id);
  if (aUser === undefined || bUser === undefined) throw new Error('users missing');
  return { ...room, app, cls, a, b, aUser, bUser, shell, term, input };
}

describe('one student’s cookie reaches nothing of another’s', () => {
  it('through every route and socket, both environments up', async () => {
    const { app, cls, a, b, aUser, bUser, shell, term, input } = await twoStudents();
    const aProgress = app.store.progress(a.me.id);
    // B's check fails on B's cluster (one partition), which reveals B's first hint.
    app.nodes.agent['topic orders'] = {
      name: 'orders',
      exists: true,
      partitions: [{ partition: 0, leader: 1, replicas: [1], isr: [1], offline: [] }],
      replicationFactor: 1,
      configs: {},
    };
    const refs = recordRefs(app);
    // Smuggled ids and names are ignored everywhere: the session alone says whose things these are.
    const smuggle = `student=${a.me.id}&studentId=${a.me.id}&owner=alice&envId=${aUser.envId}`;
    const headers = { 'x-student': String(a.me.id), 'x-env-id': aUser.envId };
    const call = (method: string, url: string, body?: unknown, contentType?: string) =>
      b.call(method, url, body, { headers, ...(contentType ? { contentType } : {}) });

    // Environment: status, start, files, checks: all B's own.
    const status = await call('GET', `/api/env?${smuggle}`);
    expect(status.json).toMatchObject({ phase: 'running' });
    expect((await call('POST', `/api/env?${smuggle}`, { labId: 'topics' })).status).toBe(202);
    const listing = await call('GET', `/api/files?node=bigdata01&path=/root&${smuggle}`);
    expect(listing.status).toBe(200);
    expect((await call('GET', `/api/files?node=bigdata01&path=/root/notes.txt&${smuggle}`)).status).toBe(200);
    const written = await call(
      'PUT',
      `/api/files?node=bigdata01&path=/root/bob.txt&${smuggle}`,
      'bob\n',
      'text/plain',
    );
    expect(written.status).toBe(200);
    const check = await call('POST', `/api/labs/topics/checks/orders-topic?${smuggle}`, {});
    expect((check.json as CheckResponse).exercise).toMatchObject({ attempts: 1, hints: ['提示一'] });

    // Progress: B sees none of A's pass, hints or position.
    const outline = (await call('GET', `/api/labs?${smuggle}`)).json as Outline;
    expect(outline.labs[0]).toMatchObject({ id: 'topics', passed: 0, earned: 0, position: null });
    const lab = (await call('GET', `/api/labs/topics?lang=en&${smuggle}`)).json as LabView;
    expect(lab.position).toBeNull();
    const quiz = lab.steps[1]?.blocks.find((bl) => bl.kind === 'exercise');
    expect(quiz).toMatchObject({ exercise: { id: 'what-is-a-partition', status: 'todo', attempts: 0 } });
    const hint = await call('POST', `/api/labs/topics/checks/orders-topic/hints?${smuggle}`);
    expect((hint.json as CheckResponse).exercise.hints).toEqual(['提示一', '提示二']);
    expect((await call('PUT', `/api/labs/topics/position?${smuggle}`, { step: 0 })).status).toBe(204);

    // The instructors' routes and sockets are closed to students.
    for (const [method, url, body] of [
      ['GET', `/api/classes/${cls.id}/gradebook`],
      ['GET', `/api/classes/${cls.id}/gradebook.csv`],
      ['GET', `/api/classes/${cls.id}/students/${a.me.id}`],
      ['POST', `/api/classes/${cls.id}/students/${a.me.id}/env`, { action: 'reset' }],
      ['GET', `/api/classes/${cls.id}`],
    ] as const) {
      expect((await call(method, url, body)).status, url).toBe(403);
    }
    expect(await upgradeStatus(app, `/ws/class/${cls.id}`, { cookie: b.cookie })).toBe(403);
    expect(
      await upgradeStatus(app, `/ws/terminal?node=bigdata02&student=${a.me.id}&watch=1`, {
        cookie: b.cookie,
      }),
    ).toBe(403);

    // B's terminal on the same server is B's own new shell, without A's scrollback; asking for
    // A's by id is a watch, which students may not do.
    expect(await upgradeStatus(app, `/ws/terminal?node=bigdata02&${smuggle}`, { cookie: b.cookie })).toBe(
      403,
    );
    const bShell = terminal(app, b, `node=bigdata02&owner=alice&envId=${aUser.envId}`);
    expect(await bShell.next((e) => e.type === 'attached')).toMatchObject({ fresh: true, replayed: 0 });
    bShell.ws.send(Buffer.from('echo bob\r'));
    await bShell.outputIncludes('echo bob');
    expect(bShell.output).not.toContain('SECRET');
    expect(app.nodes.terminals).toHaveLength(2);
    expect(app.nodes.terminals[1]).not.toBe(term);

    // Sign-out everywhere and a reset of B's environment end B's things only.
    expect((await call('DELETE', `/api/env?${smuggle}`)).json).toMatchObject({ phase: 'none' });
    await bShell.closed;

    // Every engine and server call B's requests made addressed B's environment as B.
    expect(refs.length).toBeGreaterThan(5);
    expect(refs.filter((r) => r.id !== bUser.envId || r.owner !== 'bob')).toEqual([]);

    // A's environment, shell and progress are untouched.
    expect(await app.backend.status({ id: aUser.envId, owner: 'alice' })).toMatchObject({
      state: 'running',
      mode: 'ready',
    });
    expect(((await a.call('GET', '/api/env')).json as EnvStatus).phase).toBe('running');
    expect(input).toEqual(['export SECRET=alice\r']);
    expect(term.closed).toBe(false);
    shell.ws.send(Buffer.from('echo $SECRET\r'));
    await shell.outputIncludes('echo $SECRET');
    expect(shell.output).not.toContain('echo bob');
    expect(app.store.progress(a.me.id)).toEqual(aProgress);
    expect(app.store.positions(a.me.id).get('topics')).toBe(1);
    expect(((await a.call('GET', '/api/labs')).json as Outline).labs[0]).toMatchObject({
      passed: 1,
      earned: 5,
    });
  });

  it('even when handed the other’s environment id, and when an instructor acts on that student', async () => {
    const { app, cls, admin, b, aUser, term, input } = await handedAsId();
    const aRef = { id: aUser.envId, owner: 'alice' };
    const refused = (r: { status: number }) => [403, 404].includes(r.status);

    expect((await b.call('GET', '/api/env')).json).toMatchObject({ error: 'not_your_environment' });
    for (const [method, url, body, contentType] of [
      ['POST', '/api/env', { labId: 'topics' }],
      ['POST', '/api/env', { labId: 'setup', reset: true }],
      ['GET', '/api/files?node=bigdata01&path=/root'],
      ['GET', '/api/files?node=bigdata01&path=/root/notes.txt'],
      ['PUT', '/api/files?node=bigdata01&path=/root/notes.txt', 'bob was here\n', 'text/plain'],
      ['POST', '/api/labs/topics/checks/orders-topic', {}],
    ] as const) {
      const r = await b.call(method, url, body, contentType ? { contentType } : {});
      expect(refused(r), `${method} ${url}: ${r.status} ${r.text}`).toBe(true);
    }
    const bShell = terminal(app, b, 'node=bigdata02');
    expect(await bShell.closed).toBe(4403);
    expect(bShell.messages).toEqual([
      expect.objectContaining({ type: 'error', error: 'not_your_environment' }),
    ]);

    // An instructor acting on B reaches B's refs only: the engine refuses them for A's environment.
    const stop = await admin.call('POST', `/api/classes/${cls.id}/students/${b.me.id}/env`, {
      action: 'stop',
    });
    expect(stop.status).toBe(403);
    const watch = terminal(app, admin, `node=bigdata02&student=${b.me.id}&watch=1`);
    expect(await watch.closed).toBe(4403);
    expect(watch.output).not.toContain('SECRET');

    expect(await app.backend.status(aRef)).toMatchObject({ state: 'running', mode: 'ready' });
    expect(app.nodes.files.get('bigdata01:/root/notes.txt')?.toString()).toBe('hello\n');
    expect(app.nodes.terminals).toHaveLength(1);
    expect(term.closed).toBe(false);
    expect(input).toEqual(['export SECRET=alice\r']);
  });

  // EnvManager hangs up an environment's shells (by environment id) only after the engine
  // allowed the removal for this owner.
  it('keeps the other’s shells when a reset is refused', async () => {
    const { app, cls, admin, b, term } = await handedAsId();
    expect((await b.call('DELETE', '/api/env')).status).toBe(403);
    const reset = await admin.call('POST', `/api/classes/${cls.id}/students/${b.me.id}/env`, {
      action: 'reset',
    });
    expect(reset.status).toBe(403);
    expect(term.closed).toBe(false);
    expect(app.terminals.size).toBe(1);
  });
});

/**
 * Two students where B holds A's environment id. The store never gives one id to two users; make
 * the worst case happen anyway (as in api.test.ts): A's containers stay under the old id,
 * labelled alice, and B holds that id.
 */
async function handedAsId() {
  const two = await twoStudents();
  const { app, aUser, bUser } = two;
  expect(() => app.store.setEnvId(bUser.id, aUser.envId)).toThrow(/UNIQUE/);
  app.store.setEnvId(aUser.id, newEnvId());
  app.store.setEnvId(bUser.id, aUser.envId);
  return two;
}
