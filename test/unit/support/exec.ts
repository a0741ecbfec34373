import type { ExecResult } from '../../../server/docker/exec.ts';

/** An exec result of a command that succeeded quickly, with the given fields changed. */
export function execResult(over: Partial<ExecResult> = {}): ExecResult {
  return { exitCode: 0, stdout: '', stderr: '', timedOut: false, truncated: false, durationMs: 1, ...over };
}
