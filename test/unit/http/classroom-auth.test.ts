import { afterEach, describe, expect, it } from 'vitest';
import type {
  ApiError,
  AuthInfo,
  ClassSummary,
  Me,
  OneTimeLink,
  UserSummary,
} from '../../../server/http/apiTypes.ts';
import { startApp, type Harness, type HarnessOptions } from './harness.ts';
import { classroom, Client, PASSWORD, tokenOf, upgradeStatus, type Classroom } from './classroomSupport.ts';

let h: Harness | undefined;
afterEach(async () => {
  const errors = h?.errors ?? [];
  await h?.dispose();
  h = undefined;
  // Nothing here may be a 5xx or reach a last-resort handler.
  expect(errors).toEqual([]);
});

/** The app in accounts mode without an admin yet. */
async function fresh(options: Omit<HarnessOptions, 'auth'> = {}): Promise<Harness> {
  h = await startApp({ ...options, auth: 'accounts' });
  return h;
}

/** The app with its first admin, remembered for the teardown. */
async function withAdmin(options: Omit<HarnessOptions, 'auth'> = {}): Promise<Classroom> {
  const room = await classroom(options);
  h = room.h;
  return room;
}

/** A clock the test moves by hand. */
function clock(): { now: () => number; advance(ms: number): void } {
  let t = Date.parse('2030-01-01T08:00:00Z');
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('first-run setup', () => {
  it('creates the first admin once through the setup link, and GET /api/auth says when it is needed', async () => {
    const app = await fresh();
    const c = new Client(app.base);
    expect((await c.call<AuthInfo>('GET', '/api/auth')).json).toEqual({
      mode: 'accounts',
      setupRequired: true,
      minPasswordLength: 8,
    });
    const link = app.accounts.setupLink();
    if (link === undefined) throw new Error('no setup link');
    const token = tokenOf(link.link);

    const bad = await c.call<ApiError>('POST', '/api/setup', {
      token: 'not-a-token',
      name: 'root',
      password: PASSWORD,
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      error: 'bad_token',
      message: expect.stringMatching(/not valid/) as unknown,
    });
    // A refused password leaves the link usable.
    const short = await c.call<ApiError>('POST', '/api/setup', { token, name: 'root', password: 'short' });
    expect(short.status).toBe(400);
    expect(short.json.message).toMatch(/at least 8/);
    expect(c.cookie).toBe('');

    const made = await c.call<Me>('POST', '/api/setup', { token, name: 'root', password: PASSWORD });
    expect(made.status).toBe(200);
    expect(made.json).toMatchObject({ name: 'root', role: 'admin' });
    expect(c.cookie).toMatch(/^kl_session=./);
    expect((await c.call<Me>('GET', '/api/me')).json).toMatchObject({ name: 'root', role: 'admin' });

    const again = await new Client(app.base).call<ApiError>('POST', '/api/setup', {
      token,
      name: 'root2',
      password: PASSWORD,
    });
    expect(again.status).toBe(410);
    expect(again.json.error).toBe('token_used');
    expect((await c.call<AuthInfo>('GET', '/api/auth')).json.setupRequired).toBe(false);
    expect(app.accounts.setupLink()).toBeUndefined();
  });

  it('refuses a second setup link once an admin exists', async () => {
    const app = await fresh();
    // Two links printed before anyone used one (the server was started twice, say).
    const first = app.accounts.setupLink();
    const second = app.accounts.setupLink();
    if (first === undefined || second === undefined) throw new Error('no setup link');
    const c = new Client(app.base);
    expect(
      (await c.call('POST', '/api/setup', { token: tokenOf(first.link), name: 'root', password: PASSWORD }))
        .status,
    ).toBe(200);
    const late = await new Client(app.base).call<ApiError>('POST', '/api/setup', {
      token: tokenOf(second.link),
      name: 'intruder',
      password: PASSWORD,
    });
    expect(late.status).toBe(410);
    expect(late.headers.get('set-cookie')).toBeNull();
    const users = await c.call<UserSummary[]>('GET', '/api/users');
    expect(users.json.map((u) => [u.name, u.role])).toEqual([['root', 'admin']]);
  });
});

describe('sign-in', () => {
  it('needs the password: a name alone is a 4xx and sets no cookie', async () => {
    const { client } = await withAdmin();
    const c = client();
    for (const body of [{ name: 'root' }, { name: 'root', password: '' }]) {
      const r = await c.call<ApiError>('POST', '/api/session', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error).toBe('password_required');
      expect(r.headers.get('set-cookie')).toBeNull();
    }
    expect((await c.call('GET', '/api/me')).status).toBe(401);
  });

  it('answers a wrong password, an unknown name and an account without a password alike', async () => {
    const { client, admin } = await withAdmin();
    // An account made by an admin has no password until its link is used.
    expect((await admin.call('POST', '/api/users', { name: 'newbie', role: 'student' })).status).toBe(201);
    const answers = [];
    for (const [name, password] of [
      ['root', 'wrong password'],
      ['nobody-at-all', 'wrong password'],
      ['newbie', 'wrong password'],
    ] as const) {
      const r = await client().call<ApiError>('POST', '/api/session', { name, password });
      expect(r.headers.get('set-cookie'), name).toBeNull();
      answers.push({ status: r.status, body: r.json });
    }
    expect(answers[0]).toEqual({
      status: 401,
      body: { error: 'bad_credentials', message: expect.stringMatching(/Wrong name or password/) as unknown },
    });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    // A corrupted or planted stored hash (parameters scrypt refuses, or hours of work) is a
    // wrong password too, answered as fast as any.
    const newbie = h?.store.findStudent('newbie');
    for (const planted of ['scrypt$3$8$1$AAAA$AAAA', 'scrypt$1048576$32$16$AAAA$AAAA']) {
      h?.store.setPassword(newbie?.id ?? 0, planted);
      const r = await client().call('POST', '/api/session', { name: 'newbie', password: 'wrong password' });
      expect({ status: r.status, body: r.json }, planted).toEqual(answers[0]);
    }
  });

  it('limits failures per account: 429 with Retry-After and the wait in the message, then lets in after the window', async () => {
    const t = clock();
    const { client } = await withAdmin({
      now: t.now,
      limits: { perAccount: { max: 3, windowMs: 60_000 }, perAddress: { max: 100, windowMs: 60_000 } },
    });
    const c = client();
    for (let i = 0; i < 3; i++)
      expect((await c.call('POST', '/api/session', { name: 'root', password: 'guess ' + i })).status).toBe(
        401,
      );
    t.advance(10_000);
    // Even the right password waits now: the limit is on the account, before any comparison.
    const limited = await c.call<ApiError>('POST', '/api/session', { name: 'root', password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('50');
    expect(limited.json).toMatchObject({
      error: 'rate_limited',
      message: expect.stringContaining('50 s') as unknown,
    });
    expect(limited.headers.get('set-cookie')).toBeNull();
    // The same name in another case is the same account.
    expect((await c.call('POST', '/api/session', { name: 'ROOT', password: PASSWORD })).status).toBe(429);

    t.advance(50_000);
    expect((await c.call<Me>('POST', '/api/session', { name: 'root', password: PASSWORD })).status).toBe(200);
    expect((await c.call<Me>('GET', '/api/me')).json.name).toBe('root');
  });

  it('forgets an account’s failures when it signs in', async () => {
    const { client } = await withAdmin({ limits: { perAccount: { max: 3, windowMs: 60_000 } } });
    const c = client();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++)
        expect((await c.call('POST', '/api/session', { name: 'root', password: 'nope nope' })).status).toBe(
          401,
        );
      expect((await c.call('POST', '/api/session', { name: 'root', password: PASSWORD })).status).toBe(200);
    }
  });

  it('limits failures per address across names, sign-ups included', async () => {
    const t = clock();
    const { client, admin } = await withAdmin({
      now: t.now,
      limits: { perAccount: { max: 100, windowMs: 60_000 }, perAddress: { max: 3, windowMs: 60_000 } },
    });
    const { joinCode } = (await admin.call<{ joinCode: string }>('POST', '/api/classes', { name: 'C' })).json;
    const c = client();
    for (const name of ['ann', 'ben', 'cid'])
      expect((await c.call('POST', '/api/session', { name, password: 'whatever1' })).status).toBe(401);
    const limited = await c.call<ApiError>('POST', '/api/session', { name: 'root', password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBe(60);
    expect(limited.json.message).toContain('60 s');
    const signUp = await c.call('POST', '/api/signup', { joinCode, name: 'dora', password: PASSWORD });
    expect(signUp.status).toBe(429);
    expect(signUp.headers.get('retry-after')).toBe('60');

    t.advance(60_000);
    expect((await c.call('POST', '/api/session', { name: 'root', password: PASSWORD })).status).toBe(200);
    expect((await c.call('POST', '/api/signup', { joinCode, name: 'dora', password: PASSWORD })).status).toBe(
      200,
    );
  });
});

describe('sessions', () => {
  it('keeps the cookie HttpOnly and SameSite=Lax (and not Secure over plain http)', async () => {
    const { client } = await withAdmin();
    const c = client();
    const r = await c.call('POST', '/api/session', { name: 'root', password: PASSWORD });
    const cookie = r.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^kl_session=[A-Za-z0-9_-]{40,};/);
    const flags = cookie.split(';').map((f) => f.trim().toLowerCase());
    expect(flags).toContain('httponly');
    expect(flags).toContain('samesite=lax');
    expect(flags).toContain('path=/');
    expect(flags).toContain(`max-age=${3600}`);
    expect(flags).not.toContain('secure');
  });

  it('ends a session unused for longer than its lifetime, and slides it while it is used', async () => {
    const t = clock();
    const ttl = 10 * 60_000;
    const { client } = await withAdmin({ now: t.now, sessionTtlMs: ttl });
    const idle = client();
    const busy = client();
    await idle.signIn('root');
    await busy.signIn('root');
    for (let i = 0; i < 3; i++) {
      t.advance(8 * 60_000);
      expect((await busy.call('GET', '/api/classes')).status, `use ${i}`).toBe(200);
    }
    // 24 minutes after signing in, the busy session lives; the idle one does not.
    const expired = await idle.call<ApiError>('GET', '/api/me');
    expect(expired.status).toBe(401);
    expect(expired.json.error).toBe('not_signed_in');
    expect((await busy.call('GET', '/api/me')).status).toBe(200);
    t.advance(ttl + 1);
    expect((await busy.call('GET', '/api/me')).status).toBe(401);
  });

  it('slides a session of the shortest lifetime allowed (60 s) too', async () => {
    const t = clock();
    const { client } = await withAdmin({ now: t.now, sessionTtlMs: 60_000 });
    const c = client();
    await c.signIn('root');
    for (let i = 0; i < 4; i++) {
      t.advance(40_000);
      expect((await c.call('GET', '/api/me')).status, `after ${(i + 1) * 40} s`).toBe(200);
    }
    t.advance(60_001);
    expect((await c.call('GET', '/api/me')).status).toBe(401);
  });

  it('signs out everywhere: DELETE /api/sessions ends every session of the user and no one else’s', async () => {
    const { client, admin, instructor } = await withAdmin();
    const laptop = client();
    const phone = client();
    await laptop.signIn('root');
    await phone.signIn('root');
    const teacher = await instructor('tina');
    const out = await phone.call('DELETE', '/api/sessions');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^kl_session=;/);
    for (const c of [laptop, phone, admin]) expect((await c.call('GET', '/api/me')).status).toBe(401);
    expect((await teacher.call<Me>('GET', '/api/me')).json.name).toBe('tina');
    expect((await client().call('DELETE', '/api/sessions')).status).toBe(401);
  });

  it('ends the old sessions when a password is reset through a set-password link', async () => {
    const { client, admin, createClass } = await withAdmin();
    const { joinCode } = await createClass(admin);
    const student = client();
    expect(
      (await student.call('POST', '/api/signup', { joinCode, name: 'sam', password: PASSWORD })).status,
    ).toBe(200);
    const elsewhere = client();
    await elsewhere.signIn('sam');
    const sam = (await admin.call<UserSummary[]>('GET', '/api/users')).json.find((u) => u.name === 'sam');
    const link = await admin.call<OneTimeLink>('POST', `/api/users/${sam?.id}/password-link`);
    expect(link.status).toBe(201);
    expect(link.json.name).toBe('sam');

    const reset = client();
    const me = await reset.call<Me>('POST', '/api/password', {
      token: tokenOf(link.json.link),
      password: 'a new password',
    });
    expect(me.status).toBe(200);
    expect(me.json.name).toBe('sam');
    for (const old of [student, elsewhere]) expect((await old.call('GET', '/api/me')).status).toBe(401);
    expect((await reset.call<Me>('GET', '/api/me')).json.name).toBe('sam');
    expect((await client().call('POST', '/api/session', { name: 'sam', password: PASSWORD })).status).toBe(
      401,
    );
    await client().signIn('sam', 'a new password');
    const twice = await client().call('POST', '/api/password', {
      token: tokenOf(link.json.link),
      password: 'again again',
    });
    expect(twice.status).toBe(410);
  });

  it('treats malformed session cookies as no session (401), never as a crash', async () => {
    const room = await withAdmin();
    const good = room.admin.cookie;
    for (const cookie of [
      'kl_session=%',
      'kl_session=%E0%A4%A',
      'kl_session=',
      'kl_session',
      'kl_session==',
      `kl_session=${'A'.repeat(4000)}`,
      'kl_session=\u00ff\u00fe',
      `kl_session=${good.slice('kl_session='.length)}x`,
    ]) {
      for (const url of ['/api/me', '/api/classes', '/api/users']) {
        const res = await fetch(`${room.h.base}${url}`, { headers: { cookie } });
        expect(res.status, `${url} ${cookie.slice(0, 40)}`).toBe(401);
        expect(await res.json()).toMatchObject({ error: 'not_signed_in' });
      }
    }
    expect(await upgradeStatus(room.h, '/ws/class/1', { cookie: 'kl_session=%' })).toBe(401);
  });
});

describe('sign-up with a join code', () => {
  it('takes the code in any case, with or without the dash, and puts the student in the class', async () => {
    const { admin, client, createClass, detail } = await withAdmin();
    const cls = await createClass(admin);
    expect(cls.joinCode).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const variants = [
      cls.joinCode,
      cls.joinCode.toLowerCase(),
      cls.joinCode.replace('-', ''),
      ` ${cls.joinCode.toLowerCase().replace('-', ' ')} `,
    ];
    for (const [i, joinCode] of variants.entries()) {
      const c = client();
      const r = await c.call<Me>('POST', '/api/signup', {
        joinCode,
        name: `student${i}`,
        password: PASSWORD,
      });
      expect(r.status, joinCode).toBe(200);
      expect(r.json).toMatchObject({ name: `student${i}`, role: 'student' });
      expect((await c.call<Me>('GET', '/api/me')).json.name).toBe(`student${i}`);
    }
    const roster = (await detail(admin, cls.id)).roster;
    expect(roster.map((s) => [s.name, s.activated])).toEqual(variants.map((_, i) => [`student${i}`, true]));
  });

  it('refuses an unknown or closed code with a 404 that says what to do', async () => {
    const { admin, client, createClass } = await withAdmin();
    const cls = await createClass(admin);
    expect((await admin.call('PATCH', `/api/classes/${cls.id}`, { open: false })).status).toBe(200);
    for (const joinCode of ['ZZZZ-ZZZZ', cls.joinCode, '!']) {
      const c = client();
      const r = await c.call<ApiError>('POST', '/api/signup', { joinCode, name: 'late', password: PASSWORD });
      expect(r.status, joinCode).toBe(404);
      expect(r.json).toMatchObject({
        error: 'bad_join_code',
        message: expect.stringMatching(/join code/) as unknown,
      });
      expect(c.cookie).toBe('');
    }
    expect((await admin.call<UserSummary[]>('GET', '/api/users')).json.map((u) => u.name)).toEqual(['root']);
  });

  it('refuses short passwords, taken names, control characters and huge names; keeps unicode names intact', async () => {
    const { admin, client, createClass, detail } = await withAdmin();
    const cls = await createClass(admin);
    const signUp = (name: unknown, password = PASSWORD) =>
      client().call<ApiError>('POST', '/api/signup', { joinCode: cls.joinCode, name, password });
    const short = await signUp('shorty', 'seven77');
    expect(short.status).toBe(400);
    expect(short.json.message).toMatch(/at least 8 characters/);
    for (const name of [
      'a\u0000b',
      'tab\there',
      'line\nbreak',
      'zero\u200bwidth',
      'rtl\u202emark',
      'x'.repeat(10 * 1024),
      '',
      '   ',
      42,
    ]) {
      const r = await signUp(name);
      expect(r.status, JSON.stringify(name).slice(0, 30)).toBe(400);
      expect(r.json.message.length).toBeGreaterThan(5);
    }
    const names = ['李小龙', 'Zoë Ångström', 'Мария', 'محمد', '山田 太郎'];
    for (const name of names) {
      const r = await signUp(name);
      expect(r.status, name).toBe(200);
      expect(r.json).toMatchObject({ name });
    }
    for (const name of ['李小龙', 'root']) {
      const taken = await signUp(name);
      expect(taken.status, name).toBe(409);
      expect(taken.json.error).toBe('name_taken');
    }
    expect((await detail(admin, cls.id)).roster.map((s) => s.name).sort()).toEqual([...names].sort());
  });
});

describe('cross-site requests', () => {
  it('refuses state-changing requests from a foreign origin with 403 and changes nothing', async () => {
    const { admin, createClass, h: app } = await withAdmin();
    const cls = await createClass(admin);
    const evil = { origin: 'https://evil.example' };
    const cases: [string, string, unknown][] = [
      ['POST', '/api/classes', { name: 'Stolen' }],
      ['POST', '/api/session', { name: 'root', password: PASSWORD }],
      ['POST', '/api/signup', { joinCode: cls.joinCode, name: 'mallory', password: PASSWORD }],
      ['PATCH', `/api/classes/${cls.id}`, { newJoinCode: true }],
      ['POST', '/api/users', { name: 'mallory', role: 'admin' }],
      ['DELETE', '/api/sessions', undefined],
    ];
    for (const [method, url, body] of cases) {
      const r = await admin.call<ApiError>(method, url, body, { headers: evil });
      expect(r.status, `${method} ${url}`).toBe(403);
      expect(r.json.error).toBe('cross_origin');
      expect(r.headers.get('set-cookie')).toBeNull();
    }
    const classes = await admin.call<ClassSummary[]>('GET', '/api/classes', undefined, { headers: evil });
    expect(classes.json.map((c) => [c.name, c.joinCode])).toEqual([['Kafka 101', cls.joinCode]]);
    expect((await admin.call<UserSummary[]>('GET', '/api/users')).json.map((u) => u.name)).toEqual(['root']);
    // The same requests from the server's own pages go through.
    const own = { origin: app.base };
    expect((await admin.call('POST', '/api/classes', { name: 'Mine' }, { headers: own })).status).toBe(201);
  });

  it('refuses the class socket to a foreign origin, before looking at the session', async () => {
    const { admin, createClass, h: app } = await withAdmin();
    const cls = await createClass(admin);
    for (const origin of ['https://evil.example', 'null'])
      expect(await upgradeStatus(app, `/ws/class/${cls.id}`, { cookie: admin.cookie, origin }), origin).toBe(
        403,
      );
    expect(await upgradeStatus(app, `/ws/class/${cls.id}`, { origin: 'https://evil.example' })).toBe(403);
    expect(
      await upgradeStatus(app, `/ws/authoring`, { cookie: admin.cookie, origin: 'https://evil.example' }),
    ).toBe(403);
    expect(await upgradeStatus(app, `/ws/class/${cls.id}`, { cookie: admin.cookie, origin: app.base })).toBe(
      101,
    );
  });
});
