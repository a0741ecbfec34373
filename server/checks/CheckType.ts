import type { z } from 'zod';
import type { ExecOptions, ExecResult, NodeName } from '../env/EnvironmentBackend.ts';
import type { ClusterAgent } from '../cluster/ClusterAgent.ts';
import type { Bilingual } from '../labs/model.ts';
import type { PatternMatcher } from './pattern.ts';

/**
 * What a check can do in the student's environment: commands and the agent, nothing else; and
 * where to match its patterns against what they return.
 */
export interface CheckContext {
  /** Runs a command on a server. */
  exec(node: NodeName, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Cluster facts through the in-environment agent; failures are `AgentError`s with its code. */
  readonly cluster: ClusterAgent;
  /** Matches the check's patterns without stalling the server, whatever the content. */
  readonly patterns: PatternMatcher;
}

/** The verdict of a check that could run. */
export interface CheckOutcome {
  readonly status: 'pass' | 'fail';
  /** What was found against what was expected, in both languages. */
  readonly message: Bilingual;
}

/**
 * A kind of check, registered by id (`kafka.topic`, `file`, ...). `params` validates the block's
 * own fields at load time, so a lab with a bad parameter never reaches a student.
 */
export interface CheckType<P = Record<string, unknown>> {
  readonly id: string;
  /** One line for authors: what it checks. */
  readonly describe: string;
  readonly params: z.ZodType<P>;
  /**
   * Runs the check. Messages say what was found, never the hidden command line or a pattern: a
   * student reads them after a failed attempt. `signal` aborts when the check's time is up.
   */
  run(ctx: CheckContext, params: P, signal: AbortSignal): Promise<CheckOutcome>;
}

/** Builds a bilingual message. */
export function msg(zh: string, en: string): Bilingual {
  return { zh, en };
}

/** A pass outcome. */
export function pass(zh: string, en: string): CheckOutcome {
  return { status: 'pass', message: { zh, en } };
}

/** A fail outcome. */
export function fail(zh: string, en: string): CheckOutcome {
  return { status: 'fail', message: { zh, en } };
}
