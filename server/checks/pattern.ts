import { RE2JS } from 're2js';
import { z } from 'zod';

/**
 * A lab author's regular expression, compiled at load time with RE2 syntax and semantics. RE2
 * matches in time linear in the input (no backtracking), so a pattern like `^(a+)+$` cannot
 * stall the server on a student's output the way `new RegExp` does.
 */
export class CompiledPattern {
  /** The compiled program; throws at construction when RE2 cannot compile the source. */
  readonly re: RE2JS;

  constructor(
    /** As the author wrote it: for authors and logs, never for a student-facing message. */
    readonly source: string,
    /** re2js flags, e.g. `RE2JS.MULTILINE`. */
    readonly flags: number,
  ) {
    this.re = RE2JS.compile(source, flags);
  }

  /** Keeps a compiled program out of logs and JSON dumps of a lab's parameters. */
  toJSON(): string {
    return this.source;
  }
}

/**
 * Compiles a pattern or says, for a lab author, why it cannot be used. Backreferences and
 * lookaround are the usual culprits: RE2 leaves them out because they cannot be matched in
 * linear time.
 */
export function compilePattern(source: string, flags: number): CompiledPattern | { problem: string } {
  try {
    return new CompiledPattern(source, flags);
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).replace(/^error parsing regexp: /, '');
    if (/invalid escape sequence: `\\[1-9k]/.test(reason)) {
      return {
        problem: `regex uses a backreference (${reason.split(': ').pop()}), which RE2 syntax does not support: patterns are matched in linear time, so a check that must compare two parts of the output is better written as a command check that prints the comparison`,
      };
    }
    if (/`\(\?<?[=!]/.test(reason)) {
      return {
        problem: `regex uses lookahead or lookbehind ((?=, (?!, (?<=, (?<!), which RE2 syntax does not support: patterns are matched in linear time; match the text itself, or write a command check`,
      };
    }
    return { problem: `regex does not compile (RE2 syntax): ${reason}` };
  }
}

function patternSchema(flags: number): z.ZodType<CompiledPattern, string> {
  return z.string().transform((source, ctx) => {
    const compiled = compilePattern(source, flags);
    if (compiled instanceof CompiledPattern) return compiled;
    ctx.addIssue({ code: 'custom', message: compiled.problem });
    return z.NEVER;
  });
}

/** A pattern searched for anywhere in a short value (a topic name, a config value, a message). */
export const patternString = patternSchema(0);

/** A pattern searched for in multi-line text, `^` and `$` at every line (output, files, znode data). */
export const multilinePatternString = patternSchema(RE2JS.MULTILINE);

/**
 * Where checks match their patterns against a student's content. Implementations keep the
 * server responsive whatever the content: see PatternPool.
 */
export interface PatternMatcher {
  /** Whether the pattern matches somewhere in the text. */
  test(pattern: CompiledPattern, text: string, signal?: AbortSignal): Promise<boolean>;
  /** For each text, in order, whether the pattern matches somewhere in it. */
  testEach(pattern: CompiledPattern, texts: readonly string[], signal?: AbortSignal): Promise<boolean[]>;
  /** The first match of the pattern in the text, or undefined. */
  find(pattern: CompiledPattern, text: string, signal?: AbortSignal): Promise<string | undefined>;
}

/** A match that did not finish by its deadline; its worker was stopped. The check answers `error`. */
export class PatternTimeout extends Error {
  constructor(readonly ms: number) {
    super(`matching the content took longer than ${ms} ms`);
    this.name = 'PatternTimeout';
  }
}

/** The two things a check asks of a pattern; patternWorker.js does the same on its thread. */
export type MatchOp = 'test' | 'find';

/** Matches on the calling thread: only for work small enough to be cheap (see PatternPool). */
export function matchHere(re: RE2JS, op: MatchOp, texts: readonly string[]): (boolean | string | null)[] {
  return texts.map((text) =>
    op === 'test' ? re.test(text) : ((re.exec(text)?.[0] as string | undefined) ?? null),
  );
}
