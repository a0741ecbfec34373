import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/auth/passwords.ts';
import { rawRequest, startApp, type Harness } from '../unit/http/harness.ts';
import { body, contentType, runs } from './arbitraries.ts';

/**
 * The classroom's routes, signed in as an admin (who may call every one of them) in accounts
 * mode: whatever the body and content type, the answer is 2xx or 4xx, never a 5xx.
 */
let h: Harness;
let cookie = '';
let classId = 0;
let studentId = 0;
beforeAll(async () => {
  h = await startApp({
    auth: 'accounts',
    limits: { perAccount: { max: 1e6, windowMs: 1000 }, perAddress: { max: 1e6, windowMs: 1000 } },
  });
  const hash = await hashPassword('fuzz password');
  const admin = h.store.createUser('root', 'admin', { passwordHash: hash });
  const student = h.store.createUser('pupil', 'student', { passwordHash: hash });
  studentId = student.id;
  classId = h.store.createClass('fuzz', admin.id, [{ labId: 'topics', due: null }]).id;
  h.store.addMember(classId, student.id, 'student');
  const res = await fetch(`${h.base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'root', password: 'fuzz password' }),
  });
  cookie = res.headers.get('set-cookie')?.split(';')[0] ?? '';
});
afterAll(async () => {
  await h.dispose();
});
afterEach(async () => {
  expect((await fetch(`${h.base}/healthz`)).status).toBe(200);
  expect(h.errors.splice(0)).toEqual([]);
});

function request(m: string, t: string, headers: Record<string, string | undefined>, payload: Buffer): Buffer {
  const lines = [`${m} ${t} HTTP/1.1`, `Host: 127.0.0.1:${h.port}`, 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) lines.push(`${k}: ${v}`);
  lines.push(`Content-Length: ${payload.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}

describe('classroom routes under random input', () => {
  it('never answer 5xx, signed in as an admin', async () => {
    const routes = (): [string, string][] => [
      ['POST', '/api/session'],
      ['POST', '/api/signup'],
      ['POST', '/api/setup'],
      ['POST', '/api/password'],
      ['POST', '/api/classes'],
      ['PATCH', `/api/classes/${classId}`],
      ['PATCH', '/api/classes/99999999999999999999'],
      ['POST', `/api/classes/${classId}/roster`],
      ['GET', `/api/classes/${classId}/gradebook`],
      ['GET', `/api/classes/${classId}/gradebook.csv`],
      ['GET', `/api/classes/${classId}/students/${studentId}`],
      ['GET', `/api/classes/${classId}/students/-1`],
      ['POST', `/api/classes/${classId}/students/${studentId}/env`],
      ['POST', '/api/users'],
      ['POST', `/api/users/${studentId}/password-link`],
      ['GET', '/api/authoring/labs'],
      ['GET', '/api/authoring/labs/topics?lang=xx'],
      ['POST', '/api/authoring/labs/topics/exercises/orders-topic/run'],
    ];
    const csvish = fc.oneof(
      body,
      fc
        .array(
          fc.tuple(fc.string({ maxLength: 80 }), fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 })),
          {
            maxLength: 30,
          },
        )
        .map((rows) => Buffer.from(rows.map((r) => r.join(',')).join('\n'), 'utf8')),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes()),
        fc.oneof(contentType, fc.constant('text/csv')),
        csvish,
        async ([m, t], type, payload) => {
          const res = await rawRequest(
            h.port,
            request(m, t, { Cookie: cookie, 'Content-Type': type }, payload),
          );
          expect(res.status, `${m} ${t}\n${res.head}\n\n${res.body.slice(0, 500)}`).toBeGreaterThanOrEqual(
            200,
          );
          expect(res.status, `${m} ${t}\n${res.head}\n\n${res.body.slice(0, 500)}`).toBeLessThan(500);
        },
      ),
      runs(300),
    );
  });
});
