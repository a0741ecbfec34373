import { createInterface } from 'node:readline/promises';
import { Command, Option } from 'commander';
import { Accounts, optionalEmail, optionalText } from '../auth/Accounts.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { openStore } from '../main.ts';
import type { Role, SqliteStore, User } from '../store/Store.ts';
import type { CliContext } from './main.ts';

const ROLES: readonly Role[] = ['student', 'instructor', 'admin'];

/** Where one-time links point: the public URL, else this machine's port. */
function baseUrl(config: Config): string {
  return config.publicUrl !== '' ? config.publicUrl : `http://localhost:${config.port}`;
}

/** `kafkalab users add|ls|reset-password|rm`: accounts from a shell (the server may be running). */
export function usersCommands(ctx: CliContext): Command {
  const users = new Command('users').description('Manage accounts: add, list, reset a password, remove');
  const withStore = async <T>(fn: (store: SqliteStore, accounts: Accounts) => Promise<T> | T): Promise<T> => {
    const config = ctx.config();
    const store = openStore(config);
    try {
      return await fn(store, new Accounts(store, { mode: config.auth, baseUrl: () => baseUrl(config) }));
    } finally {
      store.close();
    }
  };
  const find = (store: SqliteStore, name: string): User => {
    const user = store.findStudent(name);
    if (user === undefined)
      throw new AppError(404, 'user_not_found', `No user is called "${name}" (see kafkalab users ls)`);
    return user;
  };

  users
    .command('add')
    .description('Create an account; prints a one-time set-password link unless --password-stdin')
    .argument('<name>', "the user's sign-in name")
    .addOption(new Option('--role <role>', 'student, instructor or admin').choices(ROLES).default('student'))
    .option('--password-stdin', 'read the password from standard input (first line)')
    .option('--display-name <text>', 'full name shown to instructors')
    .option('--email <address>', 'email address (for the instructor; nothing is sent)')
    .action(
      async (
        name: string,
        opts: { role: Role; passwordStdin?: boolean; displayName?: string; email?: string },
      ) => {
        const password = opts.passwordStdin ? await readPassword(process.stdin) : undefined;
        const hash = password === undefined ? undefined : await hashPassword(password);
        await withStore((store, accounts) => {
          const extra = {
            displayName: optionalText(opts.displayName, 'display name', 100),
            email: optionalEmail(opts.email),
          };
          if (hash !== undefined) {
            const user = store.createUser(name, opts.role, { ...extra, passwordHash: hash });
            ctx.out.write(`added ${user.role} ${user.name} (id ${user.id}); they can sign in now\n`);
          } else {
            const { user, link } = accounts.createUser(name, opts.role, extra);
            ctx.out.write(
              `added ${user.role} ${user.name} (id ${user.id}). Give them this one-time link to set a password (until ${link.expiresAt}):\n  ${link.link}\n`,
            );
          }
        });
      },
    );

  users
    .command('ls')
    .description('List every account')
    .action(() =>
      withStore((store) => {
        const list = store.users();
        if (list.length === 0) return void ctx.out.write('no accounts yet\n');
        ctx.out.write(
          `${'ID'.padEnd(6)} ${'NAME'.padEnd(24)} ${'ROLE'.padEnd(11)} ${'PASSWORD'.padEnd(9)} CREATED\n`,
        );
        for (const u of list)
          ctx.out.write(
            `${String(u.id).padEnd(6)} ${u.name.padEnd(24)} ${u.role.padEnd(11)} ${(u.hasPassword ? 'set' : 'not set').padEnd(9)} ${u.createdAt}\n`,
          );
      }),
    );

  users
    .command('reset-password')
    .description('Print a one-time link that sets a new password (their sessions end when it is used)')
    .argument('<name>')
    .action((name: string) =>
      withStore((store, accounts) => {
        const link = accounts.passwordLink(find(store, name));
        ctx.out.write(`one-time link for ${link.name} (until ${link.expiresAt}):\n  ${link.link}\n`);
      }),
    );

  users
    .command('rm')
    .description('Remove an account with its progress and sessions (their environment stays until removed)')
    .argument('<name>')
    .option('--yes', 'do not ask')
    .action((name: string, opts: { yes?: boolean }) =>
      withStore(async (store) => {
        const user = find(store, name);
        if (!opts.yes) {
          if (!process.stdin.isTTY)
            throw new AppError(
              400,
              'confirm',
              `Removing ${user.name} deletes their progress: add --yes to confirm`,
            );
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          const answer = await rl.question(`Remove ${user.role} ${user.name} and all their progress? [y/N] `);
          rl.close();
          if (!/^y(es)?$/i.test(answer.trim())) return void ctx.out.write('nothing removed\n');
        }
        store.deleteUser(user.id);
        ctx.out.write(
          `removed ${user.name}; an environment of theirs, if any, stays until \`kafkalab env rm ${user.envId}\`\n`,
        );
      }),
    );
  return users;
}

/** The first line of standard input (a password piped in), without its line end. */
async function readPassword(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    chunks.push(b);
    size += b.length;
    if (size > 8192) throw new AppError(400, 'bad_password', 'The password on standard input is too long');
  }
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (line === '') throw new AppError(400, 'bad_password', 'No password on standard input');
  return line;
}
