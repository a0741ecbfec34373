import fc from 'fast-check';

/**
 * Generators for hostile HTTP: the request line, headers and bodies a browser would never send
 * but anyone with a socket can. Strings here go onto the wire as latin1, one byte per character.
 */

/** Pieces of paths that broke this server before (the security review) or break URL decoders. */
const NASTY_SEGMENTS = [
  '%',
  '%E0%A4%A',
  '%zz',
  '%00',
  '%2F',
  '%2e%2e',
  '%C0%80',
  '%FF',
  '..',
  '.',
  '',
  '//x:99999',
  '//[',
  '[',
  ']',
  '@',
  ':',
  ';',
  '*',
  '\\',
  '~',
  '%E4%B8%BB%E9%A2%98',
  '__proto__',
  'constructor',
  // A raw byte above ASCII: node's parser refuses it in a target (400), which must stay a 400.
  '\xe9',
];

/** Every API route of server/http/routes, with :params to fill in. */
const API_ROUTES = [
  '/api/session',
  '/api/me',
  '/api/labs',
  '/api/labs/:id',
  '/api/labs/:id/position',
  '/api/labs/:id/checks/:ex',
  '/api/labs/:id/checks/:ex/hints',
  '/api/env',
  '/api/files',
  '/api/auth',
  '/api/signup',
  '/api/setup',
  '/api/password',
  '/api/sessions',
  '/api/classes',
  '/api/classes/:id',
  '/api/classes/:id/roster',
  '/api/classes/:id/gradebook',
  '/api/classes/:id/gradebook.csv',
  '/api/classes/:id/students/:id',
  '/api/classes/:id/students/:id/env',
  '/api/users',
  '/api/authoring/labs/:id',
  '/healthz',
  '/',
  '/labs/:id',
  '/assets/:id',
  '/assets/app-1234.js',
  '/index.html',
];

const REAL_IDS = ['topics', 'setup', 'orders-topic', 'what-is-a-partition', 'bigdata01', 'nope'];

/** Printable ASCII without space (which would end the request target). */
const targetChar = fc.mapToConstant({ num: 0x7e - 0x21 + 1, build: (v) => String.fromCharCode(0x21 + v) });

/** Header value characters: printable ASCII and a few bytes above it, which node passes on. */
const headerChar = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.mapToConstant({ num: 0x7e - 0x20 + 1, build: (v) => String.fromCharCode(0x20 + v) }),
  },
  { weight: 1, arbitrary: fc.constantFrom('\x80', '\xa0', '\xe9', '\xff') },
);

/** One path segment: a route word, something nasty, or random target characters. */
export const segment: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...REAL_IDS) },
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_SEGMENTS) },
  { weight: 2, arbitrary: fc.string({ unit: targetChar, maxLength: 12 }).map((s) => s.replace(/[?#]/g, '')) },
);

/** A query string (with its `?`), often with the keys the routes read. */
export const query: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom('node', 'path', 'lang', 'cols', 'rows', 'node[]', '__proto__', 'a[b][c]'),
        segment,
      ),
      fc.oneof(
        fc.constantFrom('bigdata01', 'bigdata09', '/root', '/root/notes.txt', 'zh', 'en', '80', '-1', '1e9'),
        segment,
      ),
      fc.boolean(),
    ),
    { maxLength: 6 },
  )
  .map((pairs) =>
    pairs.length === 0 ? '' : `?${pairs.map(([k, v, bare]) => (bare ? k : `${k}=${v}`)).join('&')}`,
  );

/** A request target: an API route with filled-in params, a garbage path, or a very long one. */
export const target: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.constantFrom(...API_ROUTES), segment, segment, fc.constantFrom('', '/', '//'), query)
      .map(([route, id, ex, tail, q]) => `${route.replace(':id', id).replace(':ex', ex)}${tail}${q}`),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom('/', '//', '/api/', '//x:99999/', '//[/', '/ws/'),
        fc.array(segment, { maxLength: 5 }),
        query,
      )
      .map(([prefix, segs, q]) => `${prefix}${segs.join('/')}${q}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('/api/labs/', '/', '/api/files?path='), fc.integer({ min: 1000, max: 20_000 }))
      .map(([prefix, n]) => `${prefix}${'x'.repeat(n)}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('*', 'http://127.0.0.1/api/me', 'x', '/%', '/api/%') },
);

/**
 * A Cookie header, or none. `{session}` stands for a valid `kl_session=...` pair minted for the
 * case (so sign-outs during the run do not turn later cases anonymous).
 */
export const cookieTemplate: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '{session}',
      'kl_session=%',
      'kl_session=%E0%A4%A',
      'kl_session=%; {session}',
      '{session}; kl_session=%',
      '{session}; {session}',
      '{session}x',
      'kl_session',
      'kl_session=',
      '=; ;=;;',
      'a=b; {session}; c',
      `kl_session=${'A'.repeat(6000)}`,
      `{session}; ${'junk=1; '.repeat(800)}`,
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: headerChar, maxLength: 60 }).map((s) => `kl_session=${s}`) },
  { weight: 1, arbitrary: fc.string({ unit: headerChar, maxLength: 60 }) },
);

/** Origin header variants: none, own, allow-listed, foreign, opaque, not a URL. */
export type OriginKind = 'none' | 'own' | 'allowed' | 'foreign' | 'null' | 'garbage';

/** An Origin (or Referer-only) header choice and how it must be judged. */
export interface OriginChoice {
  readonly kind: OriginKind;
  /** Header lines to send (filled in with the server's host by `originHeaders`). */
  readonly header: string | undefined;
  readonly via: 'origin' | 'referer';
}

/** Origin choices; `{host}` is the server's own `host:port`. */
export const origin: fc.Arbitrary<OriginChoice> = fc.oneof(
  fc.constant<OriginChoice>({ kind: 'none', header: undefined, via: 'origin' }),
  fc.constantFrom<OriginChoice>(
    { kind: 'own', header: 'http://{host}', via: 'origin' },
    { kind: 'own', header: 'https://{host}', via: 'origin' },
    { kind: 'own', header: 'http://{host}/labs/topics', via: 'referer' },
    { kind: 'allowed', header: 'https://lab.example.edu', via: 'origin' },
    { kind: 'allowed', header: 'https://LAB.example.edu:443', via: 'origin' },
    { kind: 'foreign', header: 'http://evil.example', via: 'origin' },
    { kind: 'foreign', header: 'http://{host}.evil.example', via: 'origin' },
    { kind: 'foreign', header: 'https://lab.example.edu:8443', via: 'origin' },
    { kind: 'foreign', header: 'http://evil.example/page?x', via: 'referer' },
    { kind: 'null', header: 'null', via: 'origin' },
    { kind: 'garbage', header: 'http://[', via: 'origin' },
    { kind: 'garbage', header: 'not a url', via: 'referer' },
  ),
);

/** The header line(s) for an origin choice against a server at `host`. */
export function originHeaders(choice: OriginChoice, host: string): Record<string, string> {
  if (choice.header === undefined) return {};
  const value = choice.header.replaceAll('{host}', host);
  return choice.via === 'origin' ? { Origin: value } : { Referer: value };
}

/** Content types, well-formed or not, with charsets body-parser may or may not know. */
export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=utf-16',
    'application/json; charset=bogus',
    'text/plain',
    'text/plain; charset=latin1',
    'application/octet-stream',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    '*/*',
    ';;',
    '',
  ),
  fc.string({ unit: headerChar, maxLength: 30 }),
);

/** Bodies: JSON the routes expect (with wrong values), any JSON, broken JSON, raw bytes. */
export const body: fc.Arbitrary<Buffer> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .record(
        {
          name: fc.oneof(fc.string({ maxLength: 70 }), fc.jsonValue()),
          lang: fc.oneof(fc.constantFrom('zh', 'en', 'fr'), fc.jsonValue()),
          labId: fc.oneof(fc.constantFrom('topics', 'setup', 'nope'), fc.jsonValue()),
          reset: fc.jsonValue(),
          step: fc.oneof(fc.integer({ min: -2, max: 9 }), fc.jsonValue()),
          answer: fc.oneof(fc.array(fc.integer({ min: -1, max: 5 }), { maxLength: 25 }), fc.jsonValue()),
        },
        { requiredKeys: [] },
      )
      .map((o) => Buffer.from(JSON.stringify(o))),
  },
  { weight: 2, arbitrary: fc.json().map((j) => Buffer.from(j)) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        '{"name": ',
        '[',
        '"',
        `${'['.repeat(5000)}${']'.repeat(5000)}`,
        '{"__proto__": {"polluted": true}, "name": "x"}',
        '{"constructor": {"prototype": {"x": 1}}}',
        '\uFEFF{"name":"bom"}',
      )
      .map((s) => Buffer.from(s)),
  },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
);

/** Request methods: the ones routes answer, others node knows, and tokens it does not. */
export const method: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE') },
  { weight: 2, arbitrary: fc.constantFrom('HEAD', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'QUERY') },
  {
    weight: 1,
    arbitrary: fc.string({ unit: fc.constantFrom('A', 'B', 'X', '-', '!'), minLength: 1, maxLength: 8 }),
  },
);

/**
 * fast-check run options: a bounded run count; FUZZ_SEED (and FUZZ_PATH), as printed by a failed
 * run, replay that run's cases.
 */
export function runs(numRuns: number): { numRuns: number; seed?: number; path?: string } {
  const { FUZZ_SEED: seed, FUZZ_PATH: path } = process.env;
  return {
    numRuns,
    ...(seed === undefined ? {} : { seed: Number(seed) }),
    ...(path === undefined ? {} : { path }),
  };
}
