/**
 * What a command receives and returns. Commands print nothing themselves except through
 * `emit` (ready's progress lines); the runner prints the final document exactly once.
 */
import type { Command, GlobalOptions } from './args.ts';
import type { Deadline } from './deadline.ts';

/** Shared by every command of one run. */
export interface CommandContext {
  options: GlobalOptions;
  /** Ends a little before --timeout, leaving the runner time to print and clean up. */
  deadline: Deadline;
  /** Prints one JSON line now (dropped once the final document is out). */
  emit(doc: unknown): void;
  /** Replaces the generic timeout error the kill switch prints (ready prints ready:false). */
  onKill(render: () => unknown): void;
  /** Registers clean-up that runs after the final document is printed (e.g. deleting a group). */
  defer(cleanup: () => Promise<void>): void;
}

/** The final document and exit code. */
export interface CommandOutcome {
  doc: unknown;
  exitCode?: 0 | 1;
}

/** One handler per command name. */
export type CommandHandlers = {
  [K in Command['name']]: (
    command: Extract<Command, { name: K }>,
    ctx: CommandContext,
  ) => Promise<CommandOutcome>;
};
