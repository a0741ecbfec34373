/**
 * Every malformed input to the classroom routes and sockets answers 4xx with a JSON message,
 * never a 500: the harness collects error-level logs, and they must stay empty.
 */
import { describe, expect, it } from 'vitest';
import type { ApiError } from '../../../server/http/apiTypes.ts';
import { rawRequest, upgradeRequest } from './harness.ts';
import { classroomPerTest } from './classroomSupport.ts';

const { start } = classroomPerTest();

/** Bodies no route takes, sent as JSON text. */
const BAD_BODIES = [
  '{"name": ',
  'null',
  '[]',
  '"text"',
  '1',
  '{"__proto__": {"role": "admin"}, "name": "x"}',
  '{"constructor": {"prototype": {"role": "admin"}}}',
  '['.repeat(3000) + ']'.repeat(3000),
  JSON.stringify({
    name: ['a'],
    password: { a: 1 },
    token: null,
    joinCode: 7,
    labs: 'topics',
    due: [],
    action: 1,
  }),
  JSON.stringify({
    name: 'x'.repeat(2000),
    password: 'p'.repeat(5000),
    token: 't'.repeat(300),
    joinCode: 'j'.repeat(100),
  }),
];

function expectClientError(r: { status: number; json: unknown; text: string }, what: string): void {
  expect(r.status, `${what}: ${r.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(r.status, `${what}: ${r.text.slice(0, 200)}`).toBeLessThan(500);
  const body = r.json as ApiError;
  expect(typeof body.error, what).toBe('string');
  expect(body.message.length, what).toBeGreaterThan(3);
}

describe('malformed input', () => {
  it('answers bad bodies on every classroom route with 4xx and a JSON message', async () => {
    const { admin, createClass, student } = await start();
    const cls = await createClass(admin);
    const sam = await student(cls.joinCode, 'sam');
    const routes: [string, string][] = [
      ['POST', '/api/session'],
      ['POST', '/api/signup'],
      ['POST', '/api/setup'],
      ['POST', '/api/password'],
      ['PUT', '/api/me'],
      ['POST', '/api/classes'],
      ['PATCH', `/api/classes/${cls.id}`],
      ['POST', `/api/classes/${cls.id}/students/${sam.me.id}/env`],
      ['POST', '/api/users'],
    ];
    for (const [method, url] of routes)
      for (const body of BAD_BODIES) {
        const r = await admin.call(method, url, body);
        expectClientError(r, `${method} ${url} ${body.slice(0, 40)}`);
      }
    // The admin is still the only admin, and still signed in.
    expect((await admin.call<{ role: string }>('GET', '/api/me')).json.role).toBe('admin');
  });

  it('answers bad ids, paths and queries with 4xx', async () => {
    const { admin, createClass, student } = await start();
    const cls = await createClass(admin);
    const sam = await student(cls.joinCode, 'sam');
    const ids = [
      '%',
      '%E0%A4%A',
      '-1',
      '0',
      '1e3',
      '0x1',
      '1%2F2',
      '%20' + cls.id,
      '99999999999999999999',
      'abc',
      '1.5',
      "1'--",
    ];
    const requests: [string, string, unknown?][] = [];
    for (const id of ids) {
      requests.push(
        ['GET', `/api/classes/${id}`],
        ['PATCH', `/api/classes/${id}`, { open: false }],
        ['GET', `/api/classes/${id}/gradebook`],
        ['GET', `/api/classes/${id}/gradebook.csv`],
        ['GET', `/api/classes/${cls.id}/students/${id}`],
        ['POST', `/api/classes/${cls.id}/students/${id}/env`, { action: 'stop' }],
        ['POST', `/api/users/${id}/password-link`],
        ['GET', `/api/authoring/labs/${id}`],
        ['POST', `/api/authoring/labs/topics/exercises/${id}/run`, {}],
      );
    }
    requests.push(
      ['GET', '/api/authoring/labs/topics?lang=en&lang=zh'],
      ['GET', '/api/authoring/labs/topics?lang=%'],
      ['GET', '/api/authoring/labs/..%2F..%2Fetc%2Fpasswd'],
      ['GET', `/api/classes/${cls.id}/nothing-here`],
      ['DELETE', `/api/classes/${cls.id}`],
      ['PUT', '/api/users'],
    );
    for (const [method, url, body] of requests)
      expectClientError(await admin.call(method, url, body), `${method} ${url}`);
    // Nothing changed: the class is open, sam has no environment action on record.
    expect((await admin.call<{ open: boolean }>('GET', `/api/classes/${cls.id}`)).json.open).toBe(true);
    expect((await sam.call<{ phase: string }>('GET', '/api/env')).json.phase).toBe('none');
  });

  it('answers odd content types, charsets and oversized bodies with 4xx', async () => {
    const { admin, createClass } = await start();
    const cls = await createClass(admin);
    const cases: [string, string, string, number][] = [
      ['POST', '/api/classes', 'application/json; charset=utf-16', 400],
      ['POST', '/api/classes', 'application/json; charset=latin1', 415],
      ['POST', `/api/classes/${cls.id}/roster`, 'text/csv; charset=klingon', 415],
      ['POST', '/api/classes', 'text/plain', 400],
      ['POST', '/api/session', 'application/x-www-form-urlencoded', 400],
    ];
    for (const [method, url, contentType, status] of cases) {
      const r = await admin.call(method, url, '{"name":"x"}', { contentType });
      expect(r.status, `${url} ${contentType}`).toBe(status);
      expectClientError(r, `${url} ${contentType}`);
    }
    const huge = await admin.call('POST', '/api/classes', JSON.stringify({ name: 'x'.repeat(100_000) }));
    expect(huge.status).toBe(413);
    const bigRoster = await admin.call('POST', `/api/classes/${cls.id}/roster`, 'a\n'.repeat(600_000), {
      contentType: 'text/csv',
    });
    expect(bigRoster.status).toBe(413);
    expectClientError(bigRoster, 'big roster');
    const longRoster = await admin.call(
      'POST',
      `/api/classes/${cls.id}/roster`,
      Array.from({ length: 2001 }, (_, i) => `s${i}`).join('\n'),
      { contentType: 'text/csv' },
    );
    expect(longRoster.status).toBe(400);
    expect((longRoster.json as ApiError).details).toMatch(/more than 2000/);
    const longCell = await admin.call('POST', `/api/classes/${cls.id}/roster`, 'x'.repeat(5000), {
      contentType: 'text/csv',
    });
    expectClientError(longCell, 'a 5000-byte cell');
    expect((await admin.call<unknown[]>('GET', '/api/users')).json).toHaveLength(1);
  });

  it('answers malformed upgrades of the class and watch sockets with 4xx', async () => {
    const { admin, createClass, h: app } = await start();
    const cls = await createClass(admin);
    const host = `127.0.0.1:${app.port}`;
    for (const target of [
      `/ws/class/${cls.id}/extra`,
      '/ws/class/%',
      '/ws/class/',
      `/ws/terminal?node=bigdata01&student=%E0&watch=1`,
      `/ws/terminal?node=bigdata01&student=9998&student=9999&watch=1`,
      `/ws/terminal?node=%00&student=9999&watch=1`,
      `/ws/terminal?node=bigdata01&student=1&watch=%`,
    ]) {
      const res = await rawRequest(app.port, upgradeRequest(target, { Cookie: admin.cookie }, host));
      expect(res.status, target).toBeGreaterThanOrEqual(400);
      expect(res.status, target).toBeLessThan(500);
    }
  });
});
