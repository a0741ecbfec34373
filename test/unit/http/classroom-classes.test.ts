import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { checkTypes } from '../../../server/checks/registry.ts';
import { loadCourse } from '../../../server/labs/loader.ts';
import { describe, expect, it } from 'vitest';
import type {
  ApiError,
  AuthoringPreview,
  AuthoringStatus,
  ClassDetail,
  ClassSummary,
  EnvStatus,
  GradebookJson,
  Me,
  RosterImportResult,
  StudentDetail,
  UserSummary,
} from '../../../server/http/apiTypes.ts';
import {
  PASSWORD,
  runningEnv,
  tokenOf,
  upgradeStatus,
  type Client,
  classroomPerTest,
} from './classroomSupport.ts';

const { start, app: current } = classroomPerTest();

/** A request as a table row: method, URL, and a body (a string goes as text/csv). */
type Request = readonly [method: string, url: string, body?: unknown];

function send(c: Client, [method, url, body]: Request) {
  return c.call<ApiError>(method, url, body, typeof body === 'string' ? { contentType: 'text/csv' } : {});
}

/** Every route of one class, for the role and ownership tables. */
function routesOf(classId: number, studentId: number): Request[] {
  return [
    ['GET', `/api/classes/${classId}`],
    ['PATCH', `/api/classes/${classId}`, { name: 'Taken over', newJoinCode: true, open: false }],
    ['POST', `/api/classes/${classId}/roster`, 'mallory\n'],
    ['GET', `/api/classes/${classId}/gradebook`],
    ['GET', `/api/classes/${classId}/gradebook.csv`],
    ['GET', `/api/classes/${classId}/students/${studentId}`],
    ['POST', `/api/classes/${classId}/students/${studentId}/env`, { action: 'reset' }],
  ];
}

/** A student passes the topics quiz on the second try. */
async function passQuiz(c: Client): Promise<void> {
  const url = '/api/labs/topics/checks/what-is-a-partition';
  expect((await c.call<{ status: string }>('POST', url, { answer: [1] })).json.status).toBe('fail');
  expect((await c.call<{ status: string }>('POST', url, { answer: [0] })).json.status).toBe('pass');
}

describe('roles', () => {
  it('refuses every instructor route to a student (403) and to nobody (401)', async () => {
    const { admin, createClass, student, client, h: app } = await start();
    const cls = await createClass(admin);
    const sam = await student(cls.joinCode, 'sam');
    const routes: Request[] = [
      ['POST', '/api/classes', { name: 'Mine' }],
      ['GET', '/api/classes'],
      ...routesOf(cls.id, sam.me.id),
      ['GET', '/api/users'],
      ['POST', '/api/users', { name: 'boss', role: 'admin' }],
      ['POST', `/api/users/${sam.me.id}/password-link`],
      ['GET', '/api/authoring/labs'],
      ['GET', '/api/authoring/labs/topics'],
      ['POST', '/api/authoring/labs/topics/exercises/orders-topic/run', {}],
    ];
    for (const route of routes) {
      const r = await send(sam, route);
      expect(r.status, route.join(' ')).toBe(403);
      expect(r.json).toMatchObject({
        error: 'forbidden',
        message: expect.stringMatching(/you are a student/) as unknown,
      });
      expect((await send(client(), route)).status, `signed out: ${route.join(' ')}`).toBe(401);
    }
    expect(await upgradeStatus(app, `/ws/class/${cls.id}`, { cookie: sam.cookie })).toBe(403);
    expect(await upgradeStatus(app, '/ws/authoring', { cookie: sam.cookie })).toBe(403);
    // The class is as it was.
    const [summary] = (await admin.call<ClassSummary[]>('GET', '/api/classes')).json;
    expect(summary).toMatchObject({ name: 'Kafka 101', joinCode: cls.joinCode, open: true, students: 1 });
    expect((await admin.call<UserSummary[]>('GET', '/api/users')).json.map((u) => u.name)).toEqual([
      'root',
      'sam',
    ]);
  });

  it('keeps the user list to admins', async () => {
    const { instructor } = await start();
    const tina = await instructor('tina');
    for (const route of [
      ['GET', '/api/users'],
      ['POST', '/api/users', { name: 'x', role: 'instructor' }],
      ['POST', `/api/users/${tina.me.id}/password-link`],
    ] as const) {
      const r = await send(tina, route);
      expect(r.status, `${route[0]} ${route[1]}`).toBe(403);
      expect(r.json.message).toBe('This needs the role admin; you are an instructor');
    }
  });

  it('answers 404 to an instructor for every route of a class they do not teach; admins see all classes', async () => {
    const { admin, instructor, createClass, student, h: app } = await start();
    const alice = await instructor('alice');
    const bob = await instructor('bob');
    const aliceClass = await createClass(alice, 'Alice’s class');
    const bobClass = await createClass(bob, 'Bob’s class');
    const sam = await student(aliceClass.joinCode, 'sam');
    await runningEnv(app, sam);

    for (const route of [...routesOf(aliceClass.id, sam.me.id), ...routesOf(999, sam.me.id)]) {
      const r = await send(bob, route);
      expect(r.status, route.join(' ')).toBe(404);
      expect(r.json.error).toBe('class_not_found');
    }
    // Nor through his own class: sam is not in it.
    for (const route of routesOf(bobClass.id, sam.me.id).filter(([, url]) => url.includes('/students/'))) {
      const r = await send(bob, route);
      expect(r.status, route.join(' ')).toBe(404);
      expect(r.json.error).toBe('student_not_found');
    }
    expect(await upgradeStatus(app, `/ws/class/${aliceClass.id}`, { cookie: bob.cookie })).toBe(404);
    expect(
      await upgradeStatus(app, `/ws/terminal?node=bigdata01&student=${sam.me.id}&watch=1`, {
        cookie: bob.cookie,
      }),
    ).toBe(404);
    expect((await bob.call<ClassSummary[]>('GET', '/api/classes')).json.map((c) => c.name)).toEqual([
      'Bob’s class',
    ]);

    // Alice's class and sam's environment are as they were.
    const detail = (await alice.call<ClassDetail>('GET', `/api/classes/${aliceClass.id}`)).json;
    expect(detail).toMatchObject({ name: 'Alice’s class', joinCode: aliceClass.joinCode, open: true });
    expect(detail.roster.map((s) => [s.name, s.env])).toEqual([['sam', 'running']]);

    const all = (await admin.call<ClassSummary[]>('GET', '/api/classes')).json;
    expect(all.map((c) => [c.name, c.instructors])).toEqual([
      ['Alice’s class', ['alice']],
      ['Bob’s class', ['bob']],
    ]);
    expect((await admin.call('GET', `/api/classes/${aliceClass.id}/gradebook`)).status).toBe(200);
    expect(await upgradeStatus(app, `/ws/class/${bobClass.id}`, { cookie: admin.cookie })).toBe(101);
  });

  it('previews a lab saved broken at its last good version, with the new problems at file:line', async () => {
    const dir = path.resolve(import.meta.dirname, '../../fixtures/labs-mini');
    const good = loadCourse(dir, checkTypes);
    const problem = { file: path.join(dir, 'topics', 'lab.md'), line: 7, message: 'YAML: bad indentation' };
    const room = await start({
      authoring: {
        dir,
        // The newest load left the broken lab out; students still get the good one.
        latest: () => ({
          course: { ...good, labs: good.labs.filter((l) => l.id !== 'topics'), problems: [problem] },
          problems: [problem],
          loadedAt: '2026-12-02T10:00:00.000Z',
          version: 2,
        }),
        current: () => good,
        onChange: () => ({ dispose: () => undefined }),
      },
    });
    const tina = await room.instructor('tina');
    const status = (await tina.call<AuthoringStatus>('GET', '/api/authoring/labs')).json;
    expect(status.labs.map((l) => [l.id, l.problems, l.held])).toEqual([
      ['setup', 0, false],
      ['topics', 1, true],
    ]);
    expect(status.problems).toEqual([
      { file: path.join('topics', 'lab.md'), line: 7, message: 'YAML: bad indentation' },
    ]);
    const preview = await tina.call<AuthoringPreview>('GET', '/api/authoring/labs/topics?lang=en');
    expect(preview.status).toBe(200);
    expect(preview.json).toMatchObject({ held: true, version: 2, lab: { id: 'topics', title: 'Topics' } });
    expect(preview.json.problems).toEqual([
      { file: path.join('topics', 'lab.md'), line: 7, message: 'YAML: bad indentation' },
    ]);
  });

  it('shows instructors the labs as authors see them, answer keys included, and runs checks without recording', async () => {
    const { instructor, h: app } = await start();
    const tina = await instructor('tina');
    const status = (await tina.call<AuthoringStatus>('GET', '/api/authoring/labs')).json;
    expect(status.labs.map((l) => [l.id, l.exercises, l.problems])).toEqual([
      ['topics', 2, 0],
      ['setup', 0, 0],
    ]);
    const preview = (await tina.call<AuthoringPreview>('GET', '/api/authoring/labs/topics?lang=en')).json;
    expect(preview.lab).toMatchObject({ id: 'topics', lang: 'en', title: 'Topics' });
    expect(preview.keys).toEqual([
      expect.objectContaining({
        exerciseId: 'orders-topic',
        kind: 'check',
        type: 'kafka.topic',
        hints: ['Hint one', 'Hint two'],
      }),
      expect.objectContaining({ exerciseId: 'what-is-a-partition', kind: 'quiz', answer: [0] }),
    ]);
    for (const [url, status] of [
      ['/api/authoring/labs/nope', 404],
      ['/api/authoring/labs/topics?lang=fr', 400],
    ] as const)
      expect((await tina.call('GET', url)).status, url).toBe(status);
    const run = (url: string) => tina.call<ApiError & { status: string }>('POST', url, {});
    expect((await run('/api/authoring/labs/topics/exercises/what-is-a-partition/run')).json.error).toBe(
      'not_a_check',
    );
    expect((await run('/api/authoring/labs/topics/exercises/nope/run')).status).toBe(404);
    const down = await run('/api/authoring/labs/topics/exercises/orders-topic/run');
    expect(down.status).toBe(200);
    expect(down.json.status).toBe('error');
    expect(app.store.progress(tina.me.id)).toEqual([]);
  });
});

describe('what instructors and admins are shown', () => {
  it('never holds a password hash, a session or link token, or an environment id', async () => {
    const { admin, instructor, createClass, student, h: app } = await start();
    const tina = await instructor('tina');
    const cls = await createClass(tina);
    const sam = await student(cls.joinCode, 'sam');
    await runningEnv(app, sam);
    await passQuiz(sam);
    const imported = await tina.call<RosterImportResult>(
      'POST',
      `/api/classes/${cls.id}/roster`,
      'newbie\n',
      {
        contentType: 'text/csv',
      },
    );
    const secrets = [
      ...app.store.users().map((u) => u.envId),
      ...[admin, tina, sam].map((c) => c.cookie.slice('kl_session='.length)),
      'scrypt$',
    ];
    const answers = [
      await admin.call('GET', '/api/users'),
      await tina.call('GET', '/api/classes'),
      await tina.call('GET', `/api/classes/${cls.id}`),
      await tina.call('GET', `/api/classes/${cls.id}/gradebook`),
      await tina.call('GET', `/api/classes/${cls.id}/gradebook.csv`),
      await tina.call('GET', `/api/classes/${cls.id}/students/${sam.me.id}`),
      await tina.call('GET', '/api/me'),
      await sam.call('GET', '/api/me'),
    ];
    for (const a of answers) {
      expect(a.status).toBe(200);
      for (const secret of secrets) expect(a.text).not.toContain(secret);
    }
    // The one place a link token is shown: the import's answer, once.
    expect(imported.json.created[0]?.link).toMatch(/token=[A-Za-z0-9_-]{40,}/);
  });
});

describe('classes', () => {
  it('refuses bad class names, unknown or repeated labs, and bad due dates with 400', async () => {
    const { admin } = await start();
    const cases: [unknown, RegExp][] = [
      [{ name: '' }, /empty/],
      [{ name: '   ' }, /empty/],
      [{ name: 'a\u0000b' }, /control/],
      [{ name: 'x'.repeat(101) }, /longer than 100/],
      [{ name: 'x'.repeat(5000) }, /class/],
      [{ name: 'C', labs: ['topics', 'nope'] }, /No such lab: "nope"/],
      [{ name: 'C', labs: ['topics', 'topics'] }, /twice/],
      [{ name: 'C', due: { topics: 'next friday' } }, /due/],
      [{ name: 'C', due: { topics: '2030-01-01' } }, /due/],
      [{ name: 'C', due: { topics: '2030-02-30T00:00:00Z' } }, /due/],
      [{ name: 'C', labs: ['setup'], due: { topics: '2030-01-01T00:00:00Z' } }, /does not use: topics/],
      [{ name: 'C', teacher: 'me' }, /teacher/],
    ];
    for (const [body, message] of cases) {
      const r = await admin.call<ApiError>('POST', '/api/classes', body);
      expect(r.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(r.json.message).toMatch(message);
    }
    expect((await admin.call<ClassSummary[]>('GET', '/api/classes')).json).toEqual([]);
  });

  it('creates, lists and shows a class with its roster and each student’s environment', async () => {
    const { admin, instructor, createClass, student, h: app } = await start();
    const tina = await instructor('tina');
    const cls = await createClass(tina, '  Kafka 101 ', {
      labs: ['setup', 'topics'],
      due: { topics: '2030-03-01T12:00:00+08:00', setup: null },
    });
    const busy = await student(cls.joinCode, 'busy');
    await student(cls.joinCode, 'idle');
    await runningEnv(app, busy);

    const list = (await tina.call<ClassSummary[]>('GET', '/api/classes')).json;
    expect(list).toEqual([
      {
        id: cls.id,
        name: 'Kafka 101',
        joinCode: cls.joinCode,
        open: true,
        labs: [
          { labId: 'setup', due: null },
          { labId: 'topics', due: '2030-03-01T04:00:00.000Z' },
        ],
        students: 2,
        instructors: ['tina'],
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
      },
    ]);
    const detail = (await tina.call<ClassDetail>('GET', `/api/classes/${cls.id}`)).json;
    expect(detail).toMatchObject(list[0] ?? {});
    expect(detail.roster.map((s) => [s.name, s.env, s.activated, s.email])).toEqual([
      ['busy', 'running', true, null],
      ['idle', 'none', true, null],
    ]);
    // A class without labs listed has the whole course.
    const whole = await createClass(admin, 'All');
    expect(
      (await admin.call<ClassDetail>('GET', `/api/classes/${whole.id}`)).json.labs.map((l) => l.labId),
    ).toEqual(['topics', 'setup']);
  });

  it('opens and closes a class, makes a new join code, and stops the old one', async () => {
    const { admin, createClass, client } = await start();
    const cls = await createClass(admin);
    const patch = (body: unknown) =>
      admin.call<ClassDetail & ApiError>('PATCH', `/api/classes/${cls.id}`, body);
    const signUp = (joinCode: string, name: string) =>
      client().call('POST', '/api/signup', { joinCode, name, password: PASSWORD });

    expect((await patch({ open: false })).json.open).toBe(false);
    expect((await signUp(cls.joinCode, 'closed')).status).toBe(404);
    expect((await patch({ open: true })).json.open).toBe(true);
    expect((await signUp(cls.joinCode, 'opened')).status).toBe(200);

    const renewed = await patch({ newJoinCode: true, name: 'Renamed' });
    expect(renewed.status).toBe(200);
    expect(renewed.json.name).toBe('Renamed');
    expect(renewed.json.joinCode).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(renewed.json.joinCode).not.toBe(cls.joinCode);
    const old = await signUp(cls.joinCode, 'old-code');
    expect(old.status).toBe(404);
    expect((await signUp(renewed.json.joinCode, 'new-code')).status).toBe(200);
    expect(
      (await admin.call<ClassDetail>('GET', `/api/classes/${cls.id}`)).json.roster.map((s) => s.name),
    ).toEqual(['new-code', 'opened']);
    for (const body of [{ newJoinCode: false }, { open: 'yes' }, { name: '' }, { colour: 'red' }]) {
      const r = await patch(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.message.length).toBeGreaterThan(5);
    }
  });

  it('changes the labs and due dates: a lab can be dropped, and a due date set alone keeps the others', async () => {
    const { admin, createClass } = await start();
    const cls = await createClass(admin, 'C', { due: { setup: '2030-05-01T00:00:00Z' } });
    const patch = (body: unknown) =>
      admin.call<ClassDetail & ApiError>('PATCH', `/api/classes/${cls.id}`, body);

    const due = await patch({ due: { topics: '2030-04-01T00:00:00Z' } });
    expect(due.status, due.text).toBe(200);
    expect(due.json.labs).toEqual([
      { labId: 'topics', due: '2030-04-01T00:00:00.000Z' },
      { labId: 'setup', due: '2030-05-01T00:00:00.000Z' },
    ]);
    const dropped = await patch({ labs: ['topics'] });
    expect(dropped.status, dropped.text).toBe(200);
    expect(dropped.json.labs).toEqual([{ labId: 'topics', due: '2030-04-01T00:00:00.000Z' }]);
    const cleared = await patch({ labs: ['setup', 'topics'], due: { topics: null } });
    expect(cleared.json.labs).toEqual([
      { labId: 'setup', due: null },
      { labId: 'topics', due: null },
    ]);
    for (const [body, message] of [
      [{ labs: ['nope'] }, /No such lab/],
      [{ labs: ['setup'], due: { topics: '2030-04-01T00:00:00Z' } }, /does not use: topics/],
      [{ due: { nope: null } }, /does not use: nope/],
    ] as const) {
      const r = await patch(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.message).toMatch(message);
    }
    expect(
      (await admin.call<ClassDetail>('GET', `/api/classes/${cls.id}`)).json.labs.map((l) => l.labId),
    ).toEqual(['setup', 'topics']);
  });

  it('adds a co-teacher by name, who then sees and runs the class; only instructors can be added', async () => {
    const { instructor, createClass, student } = await start();
    const tina = await instructor('tina');
    const uma = await instructor('uma');
    const cls = await createClass(tina);
    await student(cls.joinCode, 'sam');
    expect((await uma.call('GET', `/api/classes/${cls.id}`)).status).toBe(404);

    const added = await tina.call<ClassDetail>('PATCH', `/api/classes/${cls.id}`, { addInstructor: 'uma' });
    expect(added.json.instructors).toEqual(['tina', 'uma']);
    expect((await uma.call<ClassSummary[]>('GET', '/api/classes')).json.map((c) => c.id)).toEqual([cls.id]);
    expect(
      (await uma.call<ClassDetail>('GET', `/api/classes/${cls.id}`)).json.roster.map((s) => s.name),
    ).toEqual(['sam']);
    expect((await uma.call('GET', `/api/classes/${cls.id}/gradebook`)).status).toBe(200);
    expect((await tina.call('PATCH', `/api/classes/${cls.id}`, { addInstructor: 'uma' })).status).toBe(200);

    for (const name of ['sam', 'nobody', 'bad\u0007name', '']) {
      const r = await tina.call<ApiError>('PATCH', `/api/classes/${cls.id}`, { addInstructor: name });
      expect(r.status, name).toBe(400);
    }
    expect((await tina.call<ClassDetail>('GET', `/api/classes/${cls.id}`)).json.instructors).toEqual([
      'tina',
      'uma',
    ]);
  });
});

describe('roster import', () => {
  it('creates accounts with one-time links, adds existing students, and reports who was there already', async () => {
    const { admin, instructor, createClass, student, client } = await start();
    const tina = await instructor('tina');
    const other = await createClass(admin, 'Other');
    await student(other.joinCode, 'sara');
    const cls = await createClass(tina);
    await student(cls.joinCode, 'sam');

    const csv =
      '\uFEFFname,display name,email\r\nWang Wei,王伟,wang@example.edu\r\nli\r\n\r\nsara,,\r\nsam\r\n';
    const r = await tina.call<RosterImportResult>('POST', `/api/classes/${cls.id}/roster`, csv, {
      contentType: 'text/csv; charset=utf-8',
    });
    expect(r.status, r.text).toBe(201);
    expect(r.json.created).toEqual([
      {
        name: 'Wang Wei',
        displayName: '王伟',
        email: 'wang@example.edu',
        link: expect.stringContaining('/set-password?token=') as unknown,
      },
      {
        name: 'li',
        displayName: null,
        email: null,
        link: expect.stringContaining('/set-password?token=') as unknown,
      },
    ]);
    expect(r.json.added).toEqual(['sara']);
    expect(r.json.unchanged).toEqual(['sam']);
    const rows = parse(r.json.csv);
    expect(rows).toEqual([
      ['name', 'display name', 'email', 'link'],
      ['Wang Wei', '王伟', 'wang@example.edu', r.json.created[0]?.link],
      ['li', '', '', r.json.created[1]?.link],
    ]);

    const roster = () => tina.call<ClassDetail>('GET', `/api/classes/${cls.id}`).then((d) => d.json.roster);
    expect((await roster()).map((s) => [s.name, s.displayName, s.activated])).toEqual([
      ['Wang Wei', '王伟', false],
      ['li', null, false],
      ['sam', null, true],
      ['sara', null, true],
    ]);
    // Each link sets a password once and signs the student in.
    for (const created of r.json.created) {
      const c = client();
      const me = await c.call<Me>('POST', '/api/password', {
        token: tokenOf(created.link),
        password: PASSWORD,
      });
      expect(me.status).toBe(200);
      expect(me.json).toMatchObject({ name: created.name, role: 'student' });
      const again = await client().call('POST', '/api/password', {
        token: tokenOf(created.link),
        password: 'other password',
      });
      expect(again.status).toBe(410);
      await client().signIn(created.name);
    }
    expect((await roster()).every((s) => s.activated)).toBe(true);
    // The import told the class socket too: the gradebook lists everyone.
    const gb = (await tina.call<GradebookJson>('GET', `/api/classes/${cls.id}/gradebook`)).json;
    expect(gb.rows.map((row) => row.name)).toEqual(['Wang Wei', 'li', 'sam', 'sara']);
  });

  it('keeps formulas in the links file as text', async () => {
    const { admin, createClass } = await start();
    const cls = await createClass(admin);
    const r = await admin.call<RosterImportResult>(
      'POST',
      `/api/classes/${cls.id}/roster`,
      '"=HYPERLINK(""http://evil"",""x"")",@boss,\n',
      { contentType: 'text/csv' },
    );
    expect(r.status, r.text).toBe(201);
    expect(r.json.created[0]).toMatchObject({ name: '=HYPERLINK("http://evil","x")', displayName: '@boss' });
    expect(parse(r.json.csv)[1]?.slice(0, 2)).toEqual(['\'=HYPERLINK("http://evil","x")', "'@boss"]);
  });

  it('refuses a roster with any bad row, naming its line, and imports nothing of it', async () => {
    const { admin, instructor, createClass } = await start();
    const tina = await instructor('tina');
    const cls = await createClass(tina);
    const users = async () => (await admin.call<UserSummary[]>('GET', '/api/users')).json.map((u) => u.name);
    const before = await users();
    const cases: [string, RegExp][] = [
      ['name\nann\nb\u0001ob\ncid\n', /^line 3: .*control/m],
      ['ann\nbob\nANN\n', /^line 3: "ANN" is also on line 1/m],
      ['ann,Ann,ann@example.edu\nbob,Bob,not-an-email\n', /^line 2: "not-an-email" is not an email/m],
      ['ann\nbob,Bob,bob@example.edu,extra\n', /^line 2: too many columns/m],
      ['ann\n' + 'x'.repeat(65) + '\n', /^line 2: .*longer than 64/m],
      ['ann,' + 'd'.repeat(101) + '\n', /^line 1: .*display name is longer/m],
      ['ann,Ann\u202e,\n', /^line 1: .*control/m],
    ];
    for (const [csv, details] of cases) {
      const r = await tina.call<ApiError>('POST', `/api/classes/${cls.id}/roster`, csv, {
        contentType: 'text/csv',
      });
      expect(r.status, csv).toBe(400);
      expect(r.json).toMatchObject({
        error: 'bad_roster',
        message: expect.stringMatching(/nothing was imported/) as unknown,
      });
      expect(r.json.details, csv).toMatch(details);
    }
    for (const [csv, message] of [
      ['ann\n"bob\n', /not valid CSV \(line 2\)/],
      ['', /empty/],
      ['name\n\n', /empty/],
      ['ann\ntina\n', /line 2: "tina" is an instructor/],
      ['ann\nroot\n', /line 2: "root" is an admin/],
    ] as const) {
      const r = await tina.call<ApiError>('POST', `/api/classes/${cls.id}/roster`, csv, {
        contentType: 'text/csv',
      });
      expect(r.status, csv).toBe(400);
      expect(r.json.message, csv).toMatch(message);
    }
    expect(await users()).toEqual(before);
    const detail = (await tina.call<ClassDetail>('GET', `/api/classes/${cls.id}`)).json;
    expect(detail.roster).toEqual([]);
    expect(detail.instructors).toEqual(['tina']);
  });

  it('reports every problem of a roster at once', async () => {
    const { admin, createClass } = await start();
    const cls = await createClass(admin);
    const r = await admin.call<ApiError>(
      'POST',
      `/api/classes/${cls.id}/roster`,
      'a\u0000\nok\nok\nc,C,@\n',
      {
        contentType: 'text/csv',
      },
    );
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(/3 problem/);
    expect(r.json.details?.split('\n').map((l) => l.split(':')[0])).toEqual(['line 1', 'line 3', 'line 4']);
  });

  it('wants CSV: any other content type is a 415', async () => {
    const { admin, createClass } = await start();
    const cls = await createClass(admin);
    for (const [body, contentType] of [
      [JSON.stringify({ name: 'ann' }), 'application/json'],
      ['name=ann', 'application/x-www-form-urlencoded'],
      ['ann\n', 'application/octet-stream'],
      ['ann\n', 'image/png'],
    ] as const) {
      const r = await admin.call<ApiError>('POST', `/api/classes/${cls.id}/roster`, body, { contentType });
      expect(r.status, contentType).toBe(415);
      expect(r.json.message).toMatch(/text\/csv/);
    }
    const none = await fetch(`${current()?.base}/api/classes/${cls.id}/roster`, {
      method: 'POST',
      headers: { cookie: admin.cookie },
    });
    expect(none.status).toBe(415);
    for (const contentType of ['text/csv', 'text/plain', 'application/csv'])
      expect(
        (
          await admin.call('POST', `/api/classes/${cls.id}/roster`, `${contentType.replace('/', '-')}\n`, {
            contentType,
          })
        ).status,
        contentType,
      ).toBe(201);
  });
});

describe('gradebook', () => {
  it('shows a passed quiz with its attempts and points, in JSON and in CSV', async () => {
    const { admin, createClass, student } = await start();
    const cls = await createClass(admin, 'Kafka 101');
    const sam = await student(cls.joinCode, 'sam');
    await student(cls.joinCode, "=cmd|' /C calc'!A0");
    await student(cls.joinCode, '@SUM(A1)');
    await passQuiz(sam);

    const gb = (await admin.call<GradebookJson>('GET', `/api/classes/${cls.id}/gradebook`)).json;
    expect(gb.labs).toEqual([
      { labId: 'topics', dueAt: null },
      { labId: 'setup', dueAt: null },
    ]);
    expect(gb.exercises.map((e) => [e.labId, e.exerciseId, e.points])).toEqual([
      ['topics', 'orders-topic', 10],
      ['topics', 'what-is-a-partition', 5],
    ]);
    const row = gb.rows.find((r) => r.name === 'sam');
    expect(row).toMatchObject({ studentId: sam.me.id, total: 5, possible: 15, late: 0 });
    expect(row?.cells[0]).toMatchObject({ status: 'untried', attempts: 0, points: 0 });
    expect(row?.cells[1]).toMatchObject({
      status: 'passed',
      attempts: 2,
      points: 5,
      late: false,
      passedAt: expect.stringMatching(/^\d{4}-/) as unknown,
    });

    const res = await fetch(`${current()?.base}/api/classes/${cls.id}/gradebook.csv`, {
      headers: { cookie: admin.cookie },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="gradebook.csv"; filename\*=UTF-8''Kafka-101-gradebook.csv$/,
    );
    const rows = parse(await res.text(), { bom: true });
    expect(rows[0]).toEqual([
      'name',
      'display name',
      'topics/orders-topic',
      'topics/what-is-a-partition',
      'total',
      'possible',
      'late passes',
    ]);
    expect(rows.find((r) => r[0] === 'sam')).toEqual(['sam', '', '', '5', '5', '15', '0']);
    // A formula as a name stays text: one quote in front, nothing else changed.
    const names = rows.slice(1).map((r) => r[0]);
    expect(names).toContain("'=cmd|' /C calc'!A0");
    expect(names).toContain("'@SUM(A1)");
    expect(names.filter((n) => /^[=+\-@]/.test(n ?? ''))).toEqual([]);
  });

  it('marks passes after the due date late, and not once the due date moves past them', async () => {
    const { admin, createClass, student } = await start();
    const cls = await createClass(admin, 'Late', { due: { topics: '2020-01-01T00:00:00Z' } });
    const sam = await student(cls.joinCode, 'sam');
    await passQuiz(sam);
    const gb = (await admin.call<GradebookJson>('GET', `/api/classes/${cls.id}/gradebook`)).json;
    expect(gb.labs[0]).toEqual({ labId: 'topics', dueAt: '2020-01-01T00:00:00.000Z' });
    expect(gb.rows[0]).toMatchObject({ late: 1, total: 5 });
    expect(gb.rows[0]?.cells[1]).toMatchObject({ status: 'passed', late: true });
    const csv = parse((await admin.call('GET', `/api/classes/${cls.id}/gradebook.csv`)).text, {
      bom: true,
    });
    expect(csv[0]?.slice(-2)).toEqual(['late passes', 'topics late']);
    expect(csv[1]?.slice(-2)).toEqual(['1', 'yes']);

    await admin.call('PATCH', `/api/classes/${cls.id}`, { due: { topics: '2999-01-01T00:00:00Z' } });
    const later = (await admin.call<GradebookJson>('GET', `/api/classes/${cls.id}/gradebook`)).json;
    expect(later.rows[0]).toMatchObject({ late: 0, total: 5 });
  });
});

describe('a student’s page', () => {
  it('lists attempts with their messages, newest first, with the student’s row and environment', async () => {
    const { admin, createClass, student } = await start();
    const cls = await createClass(admin);
    const sam = await student(cls.joinCode, 'sam');
    await passQuiz(sam);
    expect((await sam.call('POST', '/api/labs/topics/checks/orders-topic/hints')).status).toBe(200);
    const detail = (await admin.call<StudentDetail>('GET', `/api/classes/${cls.id}/students/${sam.me.id}`))
      .json;
    expect(detail.student).toMatchObject({ id: sam.me.id, name: 'sam', env: 'none', activated: true });
    expect(detail.attempts.map((a) => [a.exerciseId, a.status, a.message.en])).toEqual([
      ['what-is-a-partition', 'pass', 'Right'],
      ['what-is-a-partition', 'fail', 'Not correct.'],
    ]);
    expect(detail.row).toMatchObject({ studentId: sam.me.id, total: 5 });
    expect(detail.row.cells[0]).toMatchObject({ status: 'untried', hints: 1 });
    expect(detail.exercises).toHaveLength(2);
    expect(detail.env.phase).toBe('none');
  });

  it('stops and resets a student’s environment; refuses bad actions and students of other classes', async () => {
    const { admin, createClass, student, h: app } = await start();
    const cls = await createClass(admin);
    const other = await createClass(admin, 'Other');
    const sam = await student(cls.joinCode, 'sam');
    const olga = await student(other.joinCode, 'olga');
    await runningEnv(app, sam);
    await runningEnv(app, olga);
    const env = (studentId: number, body: unknown, classId = cls.id) =>
      admin.call<EnvStatus & ApiError>('POST', `/api/classes/${classId}/students/${studentId}/env`, body);

    for (const body of [{ action: 'explode' }, {}, { action: 'stop', now: true }, 'stop']) {
      const r = await env(sam.me.id, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    for (const id of [olga.me.id, 9999]) {
      const r = await env(id, { action: 'reset' });
      expect(r.status).toBe(404);
      expect(r.json.error).toBe('student_not_found');
      expect((await admin.call('GET', `/api/classes/${cls.id}/students/${id}`)).status).toBe(404);
    }
    const samRef = { id: app.store.userById(sam.me.id)?.envId ?? '', owner: 'sam' };
    const olgaRef = { id: app.store.userById(olga.me.id)?.envId ?? '', owner: 'olga' };
    expect((await app.backend.status(samRef))?.state).toBe('running');

    const stopped = await env(sam.me.id, { action: 'stop' });
    expect(stopped.status).toBe(200);
    expect(stopped.json.phase).toBe('stopped');
    expect((await app.backend.status(samRef))?.state).toBe('stopped');
    expect((await sam.call<EnvStatus>('GET', '/api/env')).json.phase).toBe('stopped');
    const reset = await env(sam.me.id, { action: 'reset' });
    expect(reset.json.phase).toBe('none');
    expect(await app.backend.status(samRef)).toBeUndefined();
    // Olga, in the other class, kept hers.
    expect((await app.backend.status(olgaRef))?.state).toBe('running');
  });
});
