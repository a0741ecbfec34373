/**
 * Runs one agent invocation: parse, dispatch, print exactly one final JSON document, and make
 * sure that happens by --timeout whatever the cluster does (the kill switch).
 */
import { parseArgs, USAGE, type Command } from './args.ts';
import type { CommandContext, CommandHandlers, CommandOutcome } from './command.ts';
import { Deadline, withTimeout } from './deadline.ts';
import { AgentError, UsageError, messageOf } from './errors.ts';

/** Where output goes; the process streams in production, arrays in tests. */
export interface AgentIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Knobs the tests turn; production uses the defaults. */
export interface RunOptions {
  /** Milliseconds already spent before runAgent was called (node startup, loading the bundle). */
  elapsedMs?: number;
}

/** The document printed for a failure. */
export function errorDocument(err: unknown): { error: { code: string; message: string } } {
  if (err instanceof AgentError) return { error: { code: err.code, message: err.message } };
  return { error: { code: 'internal', message: messageOf(err) } };
}

/** How much of --timeout the command itself may use; the rest is for printing and clean-up. */
export function commandBudget(timeoutMs: number): number {
  return timeoutMs - Math.min(1000, Math.floor(timeoutMs / 5));
}

/** Parses argv, runs the command and resolves with the exit code (0, 1 or 2). */
export async function runAgent(
  argv: readonly string[],
  io: AgentIo,
  handlers: CommandHandlers,
  run: RunOptions = {},
): Promise<number> {
  let command: Command;
  let options;
  try {
    ({ command, options } = parseArgs(argv));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`kafkalab-agent: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (command.name === 'help') {
    io.stdout(USAGE);
    return 0;
  }

  const hardLimit = Math.max(1, options.timeoutMs - (run.elapsedMs ?? 0));
  let finished = false;
  let killDocument: () => unknown = () => ({
    error: { code: 'timeout', message: `gave up after ${options.timeoutMs} ms` },
  });
  const cleanups: Array<() => Promise<void>> = [];
  const ctx: CommandContext = {
    options,
    deadline: new Deadline(commandBudget(hardLimit)),
    emit: (doc) => {
      if (!finished) io.stdout(`${JSON.stringify(doc)}\n`);
    },
    onKill: (render) => {
      killDocument = render;
    },
    defer: (cleanup) => {
      cleanups.push(cleanup);
    },
  };
  const started = Date.now();

  const outcome = await new Promise<{ doc: unknown; code: number; killed: boolean }>((resolve) => {
    const kill = setTimeout(
      () => resolve({ doc: safeRender(killDocument), code: 1, killed: true }),
      hardLimit,
    );
    dispatch(command, ctx, handlers).then(
      (o: CommandOutcome) => {
        clearTimeout(kill);
        resolve({ doc: o.doc, code: o.exitCode ?? 0, killed: false });
      },
      (err: unknown) => {
        clearTimeout(kill);
        resolve({ doc: errorDocument(err), code: 1, killed: false });
      },
    );
  });
  finished = true;
  io.stdout(`${JSON.stringify(outcome.doc)}\n`);

  // Clean-up is polite, not essential: it gets whatever is left of --timeout, and nothing
  // after the kill switch fired (the caller is already waiting on our exit).
  const left = hardLimit - (Date.now() - started);
  if (!outcome.killed && cleanups.length > 0 && left > 0) {
    await withTimeout(runInReverse(cleanups), left, () => new Error('clean-up timed out')).catch(
      () => undefined,
    );
  }
  return outcome.code;
}

function dispatch(command: Command, ctx: CommandContext, handlers: CommandHandlers): Promise<CommandOutcome> {
  // The cast is safe: `handlers[command.name]` is the handler for exactly this variant.
  const handler = handlers[command.name] as (c: Command, x: CommandContext) => Promise<CommandOutcome>;
  try {
    return handler(command, ctx);
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/**
 * Runs clean-ups last-registered first, like nested try/finally: a consumer registered after
 * the cluster connection must leave its group before that connection closes.
 */
async function runInReverse(cleanups: ReadonlyArray<() => Promise<void>>): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    try {
      await cleanup();
    } catch {
      // Best effort: one failed clean-up must not skip the others.
    }
  }
}

function safeRender(render: () => unknown): unknown {
  try {
    return render();
  } catch (err) {
    return errorDocument(err);
  }
}
