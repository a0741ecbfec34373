import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  rawRequest,
  runningPushed,
  signIn,
  startApp,
  upgradeRequest,
  type Harness,
} from '../unit/http/harness.ts';
import { cookieTemplate, origin, originHeaders, query, runs, segment } from './arbitraries.ts';

let h: Harness;
let host: string;
beforeAll(async () => {
  h = await startApp({ allowedOrigins: ['https://lab.example.edu'] });
  host = `127.0.0.1:${h.port}`;
  // A running environment, so accepted terminal sockets really attach a shell.
  const alice = await signIn(h.base, 'alice');
  const started = await fetch(`${h.base}/api/env`, {
    method: 'POST',
    headers: { cookie: alice, 'content-type': 'application/json' },
    body: JSON.stringify({ labId: 'topics' }),
  });
  expect(started.status).toBe(202);
  await runningPushed(h.base, alice);
});
afterAll(async () => {
  await h.dispose();
});
afterEach(async () => {
  expect((await fetch(`${h.base}/healthz`)).status).toBe(200);
  // Emptied, so one failing batch does not fail the next ones too.
  expect(h.errors.splice(0)).toEqual([]);
});

/** Upgrade targets: the two sockets with garbage around them, and paths that are no URL. */
const upgradeTarget = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.constantFrom('/ws/env', '/ws/terminal', '/ws/class/1', '/ws/class/0', '/ws/authoring'),
        fc.constantFrom('', '', '', '/', '//'),
        query,
      )
      .map(([p, tail, q]) => `${p}${tail}${q}`),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('//x:99999/ws/env', '//[/ws/terminal', '/ws/', '//', '/', '/api/', '*', 'ws/env'),
        fc.array(segment, { maxLength: 3 }),
        query,
      )
      .map(([p, segs, q]) => `${p}${segs.join('/')}${q}`),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 2000, max: 20_000 }).map((n) => `/ws/terminal?node=${'x'.repeat(n)}`),
  },
);

/** Mostly a valid session, so that origin checks are what stands between a request and a 101. */
const cookie = fc.oneof(fc.constant('{session}'), cookieTemplate);

/** Handshake headers a real client gets right and a fuzzer need not. */
const handshakeNoise = fc.constantFrom<Record<string, string>>(
  {},
  {},
  { 'Sec-WebSocket-Version': '8' },
  { 'Sec-WebSocket-Key': 'short' },
  { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits=99' },
  { 'Sec-WebSocket-Protocol': ', ,' },
);

describe('WebSocket upgrades no browser would send', () => {
  it('never get a 5xx, and a cross-site or null Origin never gets 101 Switching Protocols', async () => {
    await fc.assert(
      fc.asyncProperty(upgradeTarget, cookie, origin, handshakeNoise, async (t, cookieT, o, noise) => {
        const cookie =
          cookieT?.includes('{session}') === true
            ? cookieT.replaceAll('{session}', await signIn(h.base, 'alice'))
            : cookieT;
        const headers = {
          ...(cookie === undefined ? {} : { Cookie: cookie }),
          ...originHeaders(o, host),
          ...noise,
        };
        const res = await rawRequest(h.port, upgradeRequest(t, headers, host));
        expect(res.status, res.head).toBeGreaterThanOrEqual(100);
        expect(res.status, `${res.head}\n\n${res.body}`).toBeLessThan(500);
        if (res.status === 101) {
          expect(['none', 'own', 'allowed'], `101 for ${JSON.stringify(o)}`).toContain(o.kind);
          expect(cookieT ?? '', '101 without a session').toContain('{session}');
        }
      }),
      runs(300),
    );
  });
});
