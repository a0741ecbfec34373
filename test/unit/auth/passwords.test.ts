import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkNewPassword,
  hashParams,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  SCRYPT_PARAMS,
  verifyPassword,
} from '../../../server/auth/passwords.ts';
import { AppError } from '../../../server/errors.ts';

/** A stored hash made by hand with other parameters (what a later version might write). */
function storedWith(password: string, N: number, r: number, p: number): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, { N, r, p, maxmem: 256 * N * r });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

describe('hashPassword', () => {
  it('names its algorithm and parameters, with a fresh salt each time', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    const { N, r, p } = SCRYPT_PARAMS;
    expect(N).toBeGreaterThanOrEqual(2 ** 15);
    expect(a).toMatch(new RegExp(`^scrypt\\$${N}\\$${r}\\$${p}\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}$`));
    expect(b).not.toBe(a);
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
  });

  it('refuses passwords that are too short or too long', async () => {
    await expect(hashPassword('seven77')).rejects.toMatchObject({ status: 400 });
    await expect(hashPassword('x'.repeat(MAX_PASSWORD_LENGTH + 1))).rejects.toMatchObject({ status: 400 });
  });
});

describe('verifyPassword', () => {
  it('accepts the right password and refuses wrong ones', async () => {
    const stored = await hashPassword('correct horse');
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    for (const wrong of [
      'correct horse ',
      'Correct horse',
      'correct',
      '',
      'x'.repeat(MAX_PASSWORD_LENGTH + 1),
    ])
      expect(await verifyPassword(wrong, stored), JSON.stringify(wrong.slice(0, 20))).toBe(false);
  });

  it('compares in NFKC, so full-width and composed forms are the same password', async () => {
    const stored = await hashPassword('Zoë password');
    expect(await verifyPassword('Zoe\u0308 password', stored)).toBe(true);
    expect(await verifyPassword('Ｚｏë ｐａｓｓｗｏｒｄ', stored)).toBe(true);
  });

  it('verifies hashes made with other parameters, read from the hash itself', async () => {
    const stored = storedWith('raised later', 2 ** 14, 8, 2);
    expect(await verifyPassword('raised later', stored)).toBe(true);
    expect(await verifyPassword('raised', stored)).toBe(false);
  });

  it('answers false for no hash and for malformed ones, never spending what a planted hash asks for', async () => {
    const good = await hashPassword('correct horse');
    const [, , , , salt, key] = good.split('$');
    expect(hashParams(good)).toEqual({ N: 32768, r: 8, p: 1 });
    const malformed = [
      null,
      '',
      'garbage',
      'scrypt$',
      'scrypt$$$$$',
      `bcrypt$32768$8$1$${salt}$${key}`,
      `scrypt$32768$8$1$${salt}`,
      `scrypt$32768$8$1$${salt}$${key}$extra`,
      `scrypt$3$8$1$${salt}$${key}`, // N not a power of two: scrypt itself refuses it
      `scrypt$0$8$1$${salt}$${key}`,
      `scrypt$-32768$8$1$${salt}$${key}`,
      `scrypt$32768.5$8$1$${salt}$${key}`,
      `scrypt$NaN$8$1$${salt}$${key}`,
      `scrypt$32768$0$1$${salt}$${key}`,
      `scrypt$1048576$32$16$${salt}$${key}`, // 4 GiB and minutes: a planted hash must not cost that
      `scrypt$1048576$8$1$${salt}$${key}`,
      `scrypt$32768$8$16$${salt}$${key}`,
      `scrypt$32768$8$1$!!!$???`,
      `scrypt$32768$8$1$${salt}$`,
      `scrypt$32768$8$1$${salt}$${key?.slice(0, 20)}`,
    ];
    for (const stored of malformed)
      expect(await verifyPassword('correct horse', stored), String(stored)).toBe(false);
    // Parameters asking for more than 4x today's work are refused before scrypt runs: a planted
    // hash costs one ordinary dummy hash, never its own minutes and GiBs.
    for (const stored of [
      `scrypt$1048576$32$16$${salt}$${key}`,
      `scrypt$1048576$8$1$${salt}$${key}`,
      `scrypt$32768$8$16$${salt}$${key}`,
      `scrypt$3$8$1$${salt}$${key}`,
    ])
      expect(hashParams(stored), stored).toBeUndefined();
    expect(hashParams(`scrypt$65536$8$1$${salt}$${key}`)).toEqual({ N: 65536, r: 8, p: 1 });
  });
});

describe('checkNewPassword', () => {
  it('counts characters, not UTF-16 units, from the minimum up to the maximum', () => {
    expect(MIN_PASSWORD_LENGTH).toBe(8);
    for (const ok of ['12345678', '密码密码密码密码', 'x'.repeat(MAX_PASSWORD_LENGTH)])
      expect(() => checkNewPassword(ok), ok.slice(0, 10)).not.toThrow();
    for (const short of ['', '1234567', '😀😀😀😀😀😀😀']) {
      let err: unknown;
      try {
        checkNewPassword(short);
      } catch (e) {
        err = e;
      }
      expect(err, short).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ status: 400, message: expect.stringContaining('at least 8') as unknown });
    }
    expect(() => checkNewPassword('x'.repeat(MAX_PASSWORD_LENGTH + 1))).toThrow(/at most/);
  });
});
