import { describe, expect, it } from 'vitest';
import type { ClassMessage, GradebookRow, TerminalEvent } from '../../../server/http/apiTypes.ts';
import { recordInput, runningEnv, upgradeStatus, classroomPerTest } from './classroomSupport.ts';

const { start, socket } = classroomPerTest();

const isRow = (m: ClassMessage): m is Extract<ClassMessage, { type: 'row' }> => m.type === 'row';

describe('the class socket', () => {
  it('adds the row of a student who joins with the code while the instructor watches', async () => {
    const { admin, createClass, student, h: app } = await start();
    const cls = await createClass(admin);
    const feed = socket<ClassMessage>(app, `/ws/class/${cls.id}`, admin.cookie);
    const first = await feed.next(() => true, 'a first message');
    expect(first.type === 'gradebook' && first.gradebook.rows).toEqual([]);
    await student(cls.joinCode, 'newcomer');
    const again = await feed.next(
      (m): m is Extract<ClassMessage, { type: 'gradebook' }> =>
        m.type === 'gradebook' && m.gradebook.rows.length > 0,
      'a gradebook with the newcomer',
    );
    expect(again.gradebook.rows.map((r) => r.name)).toEqual(['newcomer']);
  });

  it('sends the gradebook first, then the row of a student who passes, then environment changes', async () => {
    const { admin, createClass, student, h: app } = await start();
    const cls = await createClass(admin);
    const sam = await student(cls.joinCode, 'sam');
    const feed = socket<ClassMessage>(app, `/ws/class/${cls.id}`, admin.cookie);
    const first = await feed.next(() => true, 'a first message');
    expect(first).toMatchObject({ type: 'gradebook' });
    if (first.type !== 'gradebook') throw new Error('not a gradebook');
    expect(first.gradebook.rows.map((r) => [r.name, r.total])).toEqual([['sam', 0]]);

    const answer = await sam.call('POST', '/api/labs/topics/checks/what-is-a-partition', { answer: [0] });
    expect(answer.status).toBe(200);
    const pushed = await feed.next(
      (m): m is Extract<ClassMessage, { type: 'row' }> => isRow(m) && m.row.cells[1]?.status === 'passed',
      'a row with the pass',
    );
    expect(pushed.row).toMatchObject<Partial<GradebookRow>>({ studentId: sam.me.id, name: 'sam', total: 5 });
    expect(pushed.row.cells[1]).toMatchObject({ status: 'passed', attempts: 1, points: 5 });

    // A revealed hint is a change of the row too.
    await sam.call('POST', '/api/labs/topics/checks/orders-topic/hints');
    await feed.next((m) => isRow(m) && m.row.cells[0]?.hints === 1, 'a row with the hint');

    // The student's own start reaches everyone watching, as does an instructor's action.
    await runningEnv(app, sam);
    await feed.next(
      (m) => m.type === 'env' && m.studentId === sam.me.id && m.phase === 'running',
      'env running',
    );
    await admin.call('POST', `/api/classes/${cls.id}/students/${sam.me.id}/env`, { action: 'stop' });
    await feed.next(
      (m) => m.type === 'env' && m.studentId === sam.me.id && m.phase === 'stopped',
      'env stopped',
    );

    // A roster change sends the whole gradebook again.
    await admin.call('POST', `/api/classes/${cls.id}/roster`, 'newbie\n', { contentType: 'text/csv' });
    await feed.next(
      (m) => m.type === 'gradebook' && m.gradebook.rows.some((r) => r.name === 'newbie'),
      'a gradebook with newbie',
    );
  });

  it('sends a class only its own students’ rows', async () => {
    const { admin, createClass, student, h: app } = await start();
    const mine = await createClass(admin, 'Mine');
    const other = await createClass(admin, 'Other');
    const sam = await student(mine.joinCode, 'sam');
    const olga = await student(other.joinCode, 'olga');
    const feed = socket<ClassMessage>(app, `/ws/class/${mine.id}`, admin.cookie);
    await feed.next((m) => m.type === 'gradebook');
    await olga.call('POST', '/api/labs/topics/checks/what-is-a-partition', { answer: [0] });
    await sam.call('POST', '/api/labs/topics/checks/what-is-a-partition', { answer: [1] });
    // Sam's row comes after Olga's pass was recorded; nothing of Olga's came before it.
    await feed.next((m) => isRow(m) && m.row.name === 'sam', 'sam’s row');
    expect(feed.messages.filter(isRow).map((m) => m.row.name)).toEqual(['sam']);
  });

  it('refuses students at the upgrade, and unknown classes', async () => {
    const { admin, createClass, student, h: app } = await start();
    const cls = await createClass(admin);
    const sam = await student(cls.joinCode, 'sam');
    expect(await upgradeStatus(app, `/ws/class/${cls.id}`, { cookie: sam.cookie })).toBe(403);
    expect(await upgradeStatus(app, `/ws/class/${cls.id}`)).toBe(401);
    for (const path of ['/ws/class/999', '/ws/class/0', '/ws/class/abc', '/ws/class/99999999999999999'])
      expect(await upgradeStatus(app, path, { cookie: admin.cookie }), path).toBe(404);
  });
});

describe('watching a student’s terminal', () => {
  it('shows the instructor the scrollback and the output; the watcher’s frames never reach the shell', async () => {
    const { instructor, createClass, student, h: app } = await start();
    const tina = await instructor('tina');
    const cls = await createClass(tina);
    const sam = await student(cls.joinCode, 'sam');
    await runningEnv(app, sam);

    const shell = socket<TerminalEvent>(app, '/ws/terminal?node=bigdata01', sam.cookie);
    await shell.next((e) => e.type === 'attached', 'attached');
    const term = app.nodes.terminals[0];
    if (term === undefined) throw new Error('no terminal opened');
    const input = recordInput(term);
    shell.ws.send(Buffer.from('echo hi\r'));
    await shell.outputIncludes('echo hi');

    const watch = socket<TerminalEvent>(
      app,
      `/ws/terminal?node=bigdata01&student=${sam.me.id}&watch=1&cols=50&rows=10`,
      tina.cookie,
    );
    const attached = await watch.next((e) => e.type === 'attached', 'attached');
    expect(attached).toMatchObject({ type: 'attached', node: 'bigdata01', fresh: false });
    await watch.outputIncludes('bigdata01$ echo hi');

    watch.ws.send(Buffer.from('rm -rf /\r'));
    watch.ws.send(JSON.stringify({ type: 'resize', cols: 20, rows: 5 }));
    watch.ws.send(JSON.stringify({ type: 'pause' }));
    await watch.until(() => watch.messages.filter((e) => e.type === 'error').length === 3, 'three refusals');
    expect(watch.messages.filter((e) => e.type === 'error')).toEqual(
      Array.from({ length: 3 }, () => ({
        type: 'error',
        error: 'read_only',
        message: expect.stringMatching(/read-only/) as unknown,
      })),
    );

    // What the student types afterwards still reaches both; what the watcher sent never did.
    shell.ws.send(Buffer.from('echo after\r'));
    await watch.outputIncludes('echo after');
    await shell.outputIncludes('echo after');
    expect(input.join('')).toBe('echo hi\recho after\r');
    expect(watch.output).not.toContain('rm -rf');
    expect(shell.output).not.toContain('rm -rf');
    expect(term.sizes).toEqual([]);
    expect(app.nodes.terminals).toHaveLength(1);
    // The student's terminal keeps flowing: the watcher's pause was refused too.
    expect(shell.messages.filter((e) => e.type === 'error')).toEqual([]);

    // The watcher is told the student's size (80x24, the default), and each change of it.
    expect(watch.messages.find((e) => e.type === 'size')).toEqual({ type: 'size', cols: 80, rows: 24 });
    shell.ws.send(JSON.stringify({ type: 'resize', cols: 120, rows: 40 }));
    await watch.next((e) => e.type === 'size' && e.cols === 120 && e.rows === 40, 'the new size');
    expect(term.sizes).toEqual([{ cols: 120, rows: 40 }]);

    // The watcher leaving does not end the student's shell.
    await watch.close();
    shell.ws.send(Buffer.from('echo still\r'));
    await shell.outputIncludes('echo still');
  });

  it('tells the student and the watcher when an instructor stops the environment under their shell', async () => {
    const { admin, createClass, student, h: app } = await start();
    const cls = await createClass(admin);
    const sam = await student(cls.joinCode, 'sam');
    await runningEnv(app, sam);
    const shell = socket<TerminalEvent>(app, '/ws/terminal?node=bigdata03', sam.cookie);
    await shell.next((e) => e.type === 'attached');
    const watch = socket<TerminalEvent>(
      app,
      `/ws/terminal?node=bigdata03&student=${sam.me.id}&watch=1`,
      admin.cookie,
    );
    await watch.next((e) => e.type === 'attached');

    const stop = await admin.call('POST', `/api/classes/${cls.id}/students/${sam.me.id}/env`, {
      action: 'stop',
    });
    expect(stop.status).toBe(200);
    expect(await shell.closed).toBe(1000);
    expect(await watch.closed).toBe(1000);
    expect(shell.messages.at(-1)).toEqual({ type: 'exit' });
    expect(watch.messages.at(-1)).toEqual({ type: 'exit' });
    expect(app.terminals.size).toBe(0);
    expect(app.nodes.terminals[0]?.closed).toBe(true);
  });

  it('refuses a watch without watch=1, by a student, of a student outside the instructor’s classes, and of a stopped environment', async () => {
    const { instructor, createClass, student, h: app } = await start();
    const tina = await instructor('tina');
    const cls = await createClass(tina);
    const sam = await student(cls.joinCode, 'sam');
    const ada = await student(cls.joinCode, 'ada');
    await runningEnv(app, sam);
    const target = `/ws/terminal?node=bigdata01&student=${sam.me.id}`;
    expect(await upgradeStatus(app, target, { cookie: tina.cookie })).toBe(400);
    expect(await upgradeStatus(app, `${target}&watch=true`, { cookie: tina.cookie })).toBe(400);
    expect(await upgradeStatus(app, `${target}&watch=1`, { cookie: ada.cookie })).toBe(403);
    expect(await upgradeStatus(app, `${target}&watch=1`, { cookie: sam.cookie })).toBe(403);
    for (const id of ['9999', 'abc', '', String(tina.me.id)])
      expect(
        await upgradeStatus(app, `/ws/terminal?node=bigdata01&student=${id}&watch=1`, {
          cookie: tina.cookie,
        }),
        id,
      ).toBe(404);
    expect(app.nodes.terminals).toHaveLength(0);

    // Ada has no environment: the socket opens and says so.
    const down = socket<TerminalEvent>(
      app,
      `/ws/terminal?node=bigdata01&student=${ada.me.id}&watch=1`,
      tina.cookie,
    );
    expect(await down.closed).toBe(4409);
    expect(down.messages).toEqual([expect.objectContaining({ type: 'error', error: 'env_not_running' })]);
    const badNode = socket<TerminalEvent>(
      app,
      `/ws/terminal?node=bigdata09&student=${sam.me.id}&watch=1`,
      tina.cookie,
    );
    expect(await badNode.closed).toBe(4400);
    expect(app.nodes.terminals).toHaveLength(0);
  });
});

describe('sockets and sessions', () => {
  it('closes a socket once its session ends (sign out everywhere)', async () => {
    const { admin, createClass, student, h: app } = await start();
    const cls = await createClass(admin);
    const sam = await student(cls.joinCode, 'sam');
    const env = socket<unknown>(app, '/ws/env', sam.cookie);
    const feed = socket<ClassMessage>(app, `/ws/class/${cls.id}`, admin.cookie);
    await env.next(() => true, 'a first status');
    await feed.next(() => true, 'a first gradebook');
    const closed = new Promise<number>((resolve) => env.ws.once('close', (code) => resolve(code)));
    expect((await sam.call('DELETE', '/api/sessions')).status).toBe(204);
    expect(await closed).toBe(4401);
    // The instructor's socket, on another session, stays open.
    expect(feed.ws.readyState).toBe(feed.ws.OPEN);
  }, 15_000);
});
