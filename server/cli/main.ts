import { Command, CommanderError } from 'commander';
import { loadConfig, describeOptions, type Config } from '../config.ts';
import { AppError, isAppError, messageOf } from '../errors.ts';
import { consoleProgress } from '../progress.ts';
import { imagesCommands } from './images.ts';
import { doctorCommand } from './doctor.ts';
import { envCommands } from './env.ts';
import { labsCommands } from './labs.ts';
import { serveCommand } from './serve.ts';
import { usersCommands } from './users.ts';

/** Shared by every command: the parsed configuration, loaded on first use. */
export interface CliContext {
  config(): Config;
  readonly out: NodeJS.WritableStream;
  readonly progress: ReturnType<typeof consoleProgress>;
}

function buildProgram(ctx: CliContext): Command {
  const program = new Command('kafkalab')
    .description('Kafka Lab: hands-on labs on real Kafka clusters')
    .showHelpAfterError()
    .exitOverride()
    .addHelpText(
      'after',
      `\nConfiguration (environment variable, default):\n${describeOptions()
        .map((o) => `  ${o.env.padEnd(24)} ${String(o.default).padEnd(22)} ${o.describe}`)
        .join('\n')}`,
    );
  program.addCommand(imagesCommands(ctx));
  program.addCommand(doctorCommand(ctx));
  program.addCommand(envCommands(ctx));
  program.addCommand(labsCommands(ctx));
  program.addCommand(serveCommand(ctx));
  program.addCommand(usersCommands(ctx));
  return program;
}

/** Exit codes: 0 ok, 1 failed, 2 the command line or its arguments are wrong. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  if (isAppError(err) && (err.status === 400 || err.status === 404)) return 2;
  return 1;
}

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  let config: Config | undefined;
  const ctx: CliContext = {
    config: () => (config ??= loadConfig()),
    out: process.stdout,
    progress: consoleProgress(),
  };
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return exitCodeFor(err);
    const appErr = isAppError(err) ? err : new AppError(500, 'internal', messageOf(err), { cause: err });
    process.stderr.write(`error: ${appErr.message}\n`);
    if (appErr.details !== undefined) process.stderr.write(`${appErr.details}\n`);
    if (!isAppError(err) && process.env.KAFKALAB_DEBUG) console.error(err);
    return exitCodeFor(appErr);
  }
}

const code = await runCli(process.argv.slice(2));
// serve keeps running; every other command ends here.
if (code !== 0) process.exitCode = code;
