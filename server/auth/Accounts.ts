import { AppError, badRequest } from '../errors.ts';
import { normalizeName } from '../env/naming.ts';
import type { AuthInfo, AuthMode, Me, OneTimeLink, Role } from '../http/apiTypes.ts';
import type { ClassroomStore, StudentStore, User } from '../store/Store.ts';
import { checkNewPassword, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.ts';
import { RateLimiter, tooManyAttempts, type Limit } from './rateLimit.ts';

/** How long the first-run setup link works. */
export const SETUP_TTL_MS = 3600_000;
/** How long a set-password link (roster import, reset) works. */
export const SET_PASSWORD_TTL_MS = 7 * 24 * 3600_000;

/** The one answer for a wrong name or a wrong password, so neither tells which names exist. */
const WRONG = 'Wrong name or password. If you have never set a password, ask your instructor for a link.';

/** Options of Accounts. */
export interface AccountsOptions {
  readonly mode: AuthMode;
  /** The address people open, for one-time links (resolved late: the port is known once listening). */
  readonly baseUrl: () => string;
  /** Failed sign-ins per account name (default 5 per 15 minutes). */
  readonly perAccount?: Limit;
  /**
   * Failed sign-ins and all sign-ups per address (default 200 per 15 minutes: a whole class
   * behind one NAT address signs up together, so this only stops spraying).
   */
  readonly perAddress?: Limit;
  readonly now?: () => number;
}

/**
 * Sign-in, sign-up and one-time links: the rules of both auth modes, for the HTTP routes and the
 * CLI alike. Passwords are only ever compared through verifyPassword (scrypt, constant time).
 */
export class Accounts {
  readonly mode: AuthMode;
  private readonly perAccount: RateLimiter;
  private readonly perAddress: RateLimiter;
  private readonly joined = new Set<(classId: number) => void>();

  constructor(
    private readonly store: StudentStore & ClassroomStore,
    private readonly options: AccountsOptions,
  ) {
    this.mode = options.mode;
    this.perAccount = new RateLimiter(options.perAccount ?? { max: 5, windowMs: 15 * 60_000 }, options.now);
    this.perAddress = new RateLimiter(options.perAddress ?? { max: 200, windowMs: 15 * 60_000 }, options.now);
  }

  info(): AuthInfo {
    return { mode: this.mode, setupRequired: !this.store.hasAdmin(), minPasswordLength: MIN_PASSWORD_LENGTH };
  }

  /**
   * The user a name and password sign in, or a 401 with the one generic message. In `open` mode
   * a name alone signs in (and creates) a student, unless that account has a password.
   */
  async signIn(rawName: unknown, password: string | undefined, address: string): Promise<User> {
    const name = normalizeName(rawName);
    const accountKey = name.toLowerCase();
    this.limit(this.perAddress, `a:${address}`);
    this.limit(this.perAccount, `n:${accountKey}`);
    const user = this.store.findStudent(name);
    if (password === undefined || password === '') {
      if (this.mode === 'accounts')
        throw new AppError(400, 'password_required', 'Type your password / 请输入密码');
      if (user === undefined) return this.store.studentNamed(name);
      if (!user.hasPassword && user.role === 'student') return user;
      this.fail(address, accountKey);
    }
    const ok = await verifyPassword(
      password ?? '',
      user === undefined ? null : this.store.passwordHash(user.id),
    );
    if (!ok || user === undefined) this.fail(address, accountKey);
    this.perAccount.reset(`n:${accountKey}`);
    return user;
  }

  /** A student account in the class whose join code this is. */
  async signUp(joinCode: string, rawName: unknown, password: string, address: string): Promise<User> {
    this.limit(this.perAddress, `a:${address}`);
    this.perAddress.hit(`a:${address}`);
    const name = normalizeName(rawName);
    checkNewPassword(password);
    const cls = this.store.classByJoinCode(joinCode);
    if (cls === undefined || !cls.open)
      throw new AppError(
        404,
        'bad_join_code',
        'No open class has this join code: check it with your instructor / 没有使用此加入码的开放班级，请向老师核对',
      );
    const hash = await hashPassword(password);
    const user = this.store.createUser(name, 'student', { passwordHash: hash });
    this.store.addMember(cls.id, user.id, 'student');
    for (const l of this.joined) l(cls.id);
    return user;
  }

  /** Hears every student who joins a class with its code (the live gradebook adds their row). */
  onJoined(listener: (classId: number) => void): { dispose(): void } {
    this.joined.add(listener);
    return { dispose: () => void this.joined.delete(listener) };
  }

  /** The first admin, through the setup link (410 once an admin exists, whichever link made it). */
  async setup(token: string, rawName: unknown, password: string): Promise<User> {
    const name = normalizeName(rawName);
    const hash = await hashPassword(password);
    return this.store.redeemToken(token, 'setup', () => {
      // Every setup link works only while there is no admin: one printed before the first admin
      // was made (a second start, say) must not make another.
      if (this.store.hasAdmin())
        throw new AppError(
          410,
          'setup_done',
          'The first admin exists already: sign in, or ask an admin for an account',
        );
      const existing = this.store.findStudent(name);
      if (existing !== undefined && existing.hasPassword)
        throw new AppError(409, 'name_taken', `The name "${name}" is taken`);
      if (existing !== undefined) {
        this.store.setPassword(existing.id, hash);
        this.store.setRole(existing.id, 'admin');
        return this.store.userById(existing.id) as User;
      }
      return this.store.createUser(name, 'admin', { passwordHash: hash });
    });
  }

  /** Sets a password through a one-time link; every earlier session of the account ends. */
  async setPassword(token: string, password: string): Promise<User> {
    const hash = await hashPassword(password);
    return this.store.redeemToken(token, 'set_password', (userId) => {
      const user = userId === null ? undefined : this.store.userById(userId);
      if (user === undefined) throw new AppError(410, 'token_used', 'This account no longer exists');
      this.store.setPassword(user.id, hash);
      this.store.revokeSessions(user.id);
      return this.store.userById(user.id) as User;
    });
  }

  /** A new account without a password, and its one-time set-password link. */
  createUser(
    rawName: unknown,
    role: Role,
    extra: { displayName?: string | null; email?: string | null } = {},
  ): { user: User; link: OneTimeLink } {
    const user = this.store.createUser(normalizeName(rawName), role, extra);
    return { user, link: this.passwordLink(user) };
  }

  /** A one-time link that sets a new password for `user` (and then ends their sessions). */
  passwordLink(user: User): OneTimeLink {
    const { token, expiresAt } = this.store.createToken('set_password', user.id, SET_PASSWORD_TTL_MS);
    return { name: user.name, link: this.url('/set-password', token), expiresAt };
  }

  /** The first-run setup link while no admin exists, else undefined. */
  setupLink(): OneTimeLink | undefined {
    if (this.store.hasAdmin()) return undefined;
    const { token, expiresAt } = this.store.createToken('setup', null, SETUP_TTL_MS);
    return { name: 'admin', link: this.url('/setup', token), expiresAt };
  }

  private url(page: string, token: string): string {
    return `${this.options.baseUrl().replace(/\/+$/, '')}${page}?token=${encodeURIComponent(token)}`;
  }

  private limit(limiter: RateLimiter, key: string): void {
    const wait = limiter.retryAfter(key);
    if (wait > 0) throw tooManyAttempts(wait);
  }

  private fail(address: string, accountKey: string): never {
    this.perAddress.hit(`a:${address}`);
    this.perAccount.hit(`n:${accountKey}`);
    throw new AppError(401, 'bad_credentials', WRONG);
  }
}

/** What the browser learns about the signed-in user. */
export function meOf(user: User): Me {
  return { id: user.id, name: user.name, displayName: user.displayName, role: user.role, lang: user.lang };
}

/** A display name or email as typed: trimmed, bounded, no control characters; empty is none. */
export function optionalText(raw: string | undefined | null, what: string, max: number): string | null {
  if (raw === undefined || raw === null) return null;
  const text = raw.normalize('NFKC').trim();
  if (text === '') return null;
  if ([...text].length > max) throw badRequest(`The ${what} is longer than ${max} characters`);
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(text)) throw badRequest(`The ${what} contains control characters`);
  return text;
}

/** An email address as typed (optional): one @, no spaces, bounded; nothing is ever sent to it. */
export function optionalEmail(raw: string | undefined | null): string | null {
  const email = optionalText(raw, 'email', 254);
  if (email !== null && !/^[^\s@]{1,64}@[^\s@]{1,189}$/.test(email))
    throw badRequest(`"${email.slice(0, 100)}" is not an email address`);
  return email;
}
