import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, signIn, startApp, type Harness } from '../unit/http/harness.ts';
import {
  body,
  contentType,
  cookieTemplate,
  method,
  origin,
  originHeaders,
  runs,
  target,
  type OriginChoice,
} from './arbitraries.ts';

let h: Harness;
let host: string;
beforeAll(async () => {
  h = await startApp({ allowedOrigins: ['https://lab.example.edu'], withWebDist: true });
  host = `127.0.0.1:${h.port}`;
});
afterAll(async () => {
  await h.dispose();
});
// After every batch: the process still serves, and nothing reached the error log (a 5xx, or an
// exception only the last-resort handlers would have seen).
afterEach(async () => {
  expect((await fetch(`${h.base}/healthz`)).status).toBe(200);
  // Emptied, so one failing batch does not fail the next ones too.
  expect(h.errors.splice(0)).toEqual([]);
});

/** Fills `{session}` with a freshly signed-in student's cookie, so earlier sign-outs don't matter. */
async function cookieFor(template: string | undefined): Promise<string | undefined> {
  if (template === undefined || !template.includes('{session}')) return template;
  const session = await signIn(h.base, 'alice');
  return template.replaceAll('{session}', session);
}

/** One HTTP/1.1 request as raw bytes, with Connection: close so the answer ends with the socket. */
function request(
  m: string,
  t: string,
  headers: Record<string, string | undefined>,
  payload?: Buffer,
): Buffer {
  const lines = [`${m} ${t} HTTP/1.1`, `Host: ${host}`, 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) lines.push(`${k}: ${v}`);
  if (payload !== undefined) lines.push(`Content-Length: ${payload.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload ?? Buffer.alloc(0)]);
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const crossSite = (o: OriginChoice): boolean =>
  o.kind === 'foreign' || o.kind === 'null' || o.kind === 'garbage';

describe('HTTP requests no browser would send', () => {
  it('never get a 5xx, and a cross-site state change never succeeds', async () => {
    await fc.assert(
      fc.asyncProperty(
        method,
        target,
        cookieTemplate,
        origin,
        contentType,
        fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'bogus'), { nil: undefined }),
        fc.option(body, { nil: undefined }),
        async (m, t, cookieT, o, type, encoding, payload) => {
          const cookie = await cookieFor(cookieT);
          const headers = {
            Cookie: cookie,
            'Content-Type': type,
            'Content-Encoding': encoding,
            ...originHeaders(o, host),
          };
          const res = await rawRequest(h.port, request(m, t, headers, payload));
          expect(res.status, res.head).toBeGreaterThanOrEqual(100);
          expect(res.status, `${res.head}\n\n${res.body.slice(0, 500)}`).toBeLessThan(500);
          if (!SAFE.has(m) && crossSite(o) && t.startsWith('/api/'))
            expect(res.status, res.head).toBeGreaterThanOrEqual(400);
        },
      ),
      runs(300),
    );
  });

  it('never get a 5xx on a real API route with the right method, signed in', async () => {
    const routes: [string, string][] = [
      ['POST', '/api/session'],
      ['PUT', '/api/me'],
      ['GET', '/api/labs/topics'],
      ['PUT', '/api/labs/topics/position'],
      ['POST', '/api/labs/topics/checks/what-is-a-partition'],
      ['POST', '/api/labs/topics/checks/orders-topic'],
      ['POST', '/api/labs/topics/checks/orders-topic/hints'],
      ['POST', '/api/env'],
      ['GET', '/api/files?node=bigdata01&path=/root'],
      ['PUT', '/api/files?node=bigdata01&path=/root/fuzzed.txt'],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        contentType,
        body,
        fc.constantFrom('', '&lang=en', '&lang=xx', '?lang=zh&lang=en'),
        async ([m, t], type, payload, extra) => {
          const cookie = await cookieFor('{session}');
          const res = await rawRequest(
            h.port,
            request(
              m,
              `${t}${t.includes('?') ? extra : extra.replace(/^&/, '?')}`,
              { Cookie: cookie, 'Content-Type': type },
              payload,
            ),
          );
          expect(res.status, `${res.head}\n\n${res.body.slice(0, 500)}`).toBeGreaterThanOrEqual(200);
          expect(res.status, `${res.head}\n\n${res.body.slice(0, 500)}`).toBeLessThan(500);
        },
      ),
      runs(200),
    );
  });

  it('never get a 5xx from bytes that are barely HTTP at all', async () => {
    const piece = fc.oneof(
      fc.constantFrom(
        'GET ',
        'POST ',
        '/api/me',
        '/ws/env',
        ' HTTP/1.1',
        ' HTTP/9.9',
        '\r\n',
        '\n',
        `Host: 127.0.0.1`,
        'Cookie: kl_session=%',
        'Content-Length: 5',
        'Content-Length: -1',
        'Transfer-Encoding: chunked',
        'Connection: upgrade',
        'Upgrade: websocket',
        ': ',
        '0\r\n\r\n',
      ),
      fc.string({ unit: 'binary-ascii', maxLength: 20 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 12 }), async (pieces) => {
        // Half-closed after the bytes: whatever they are, the server has nothing more to wait for.
        const res = await rawRequest(h.port, Buffer.from(`${pieces.join('')}\r\n\r\n`, 'latin1'), {
          end: true,
        });
        expect(res.status, res.head).toBeLessThan(500);
      }),
      runs(150),
    );
  });
});
