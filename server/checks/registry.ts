import { clusterAgentOn } from '../cluster/ClusterAgent.ts';
import type { EnvNodes } from '../env/EnvironmentBackend.ts';
import { messageOf } from '../errors.ts';
import type { Bilingual, CheckExercise, QuizExercise } from '../labs/model.ts';
import type { CheckContext, CheckType } from './CheckType.ts';
import { PatternTimeout, type PatternMatcher } from './pattern.ts';
import { sharedPatternPool } from './PatternPool.ts';
import { commandCheck, fileCheck } from './types/basic.ts';
import { brokersCheck, groupCheck, messagesCheck, topicCheck } from './types/kafka.ts';
import { brokerConfigCheck, zkPathCheck } from './types/zookeeper.ts';

/** Every check type, by id. Adding a type = writing it and listing it here. */
export const checkTypes: ReadonlyMap<string, CheckType<never>> = new Map(
  (
    [
      commandCheck,
      fileCheck,
      brokersCheck,
      topicCheck,
      messagesCheck,
      groupCheck,
      zkPathCheck,
      brokerConfigCheck,
    ] as CheckType<never>[]
  ).map((t) => [t.id, t]),
);

/** Default time a check may take (`timeoutSec` in the block overrides it). */
export const DEFAULT_CHECK_TIMEOUT_MS = 20_000;

/** The result of running or grading one exercise. `error` means it could not run. */
export interface CheckResult {
  readonly status: 'pass' | 'fail' | 'error';
  readonly message: Bilingual;
  readonly durationMs: number;
}

/**
 * Runs one check with a deadline, isolated: whatever it throws becomes an `error` result (the
 * environment is down, the agent broke, the time ran out), never an exception for the caller.
 */
export async function runCheck(exercise: CheckExercise, ctx: CheckContext): Promise<CheckResult> {
  const started = Date.now();
  const type = checkTypes.get(exercise.type);
  if (!type) {
    return {
      status: 'error',
      message: { zh: `未知的检查类型 ${exercise.type}。`, en: `Unknown check type ${exercise.type}.` },
      durationMs: 0,
    };
  }
  const timeoutMs = (exercise.timeoutSec ?? DEFAULT_CHECK_TIMEOUT_MS / 1000) * 1000;
  // Aborting tells the check's pattern matches to stop too, so a timed-out check leaves no work behind.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new CheckTimeout(timeoutMs)), timeoutMs);
  const timedOut = new Promise<never>((_, reject) => {
    deadline.signal.addEventListener('abort', () => reject(deadline.signal.reason as Error), { once: true });
  });
  try {
    const outcome = await Promise.race([
      (type as CheckType<Record<string, unknown>>).run(ctx, exercise.params, deadline.signal),
      timedOut,
    ]);
    return { ...outcome, durationMs: Date.now() - started };
  } catch (err) {
    return { status: 'error', message: errorMessage(err, timeoutMs), durationMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

function errorMessage(err: unknown, timeoutMs: number): Bilingual {
  if (err instanceof CheckTimeout) {
    const seconds = Number((timeoutMs / 1000).toFixed(1));
    return { zh: `检查在 ${seconds} 秒内没有完成。`, en: `The check did not finish within ${seconds} s.` };
  }
  if (err instanceof PatternTimeout) {
    return {
      zh: '检查没能在限定时间内比对完内容（内容可能太大）。本次不计入尝试次数，可以再试一次。',
      en: 'The check could not match the content in time (it may be very large). This does not count as an attempt; try again.',
    };
  }
  // The reason comes from the system, in English: quoted in the Chinese sentence.
  const why = messageOf(err).trim();
  return {
    zh: `检查无法运行：“${why.replace(/[.。]$/, '')}”。`,
    en: `The check could not run: ${/[.!?]$/.test(why) ? why : `${why}.`}`,
  };
}

class CheckTimeout extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
  }
}

/** Grades a quiz answer (choice indexes) against the key. */
export function gradeQuiz(quiz: QuizExercise, answer: readonly number[]): CheckResult {
  const given = [...new Set(answer)].sort((a, b) => a - b);
  const right = given.length === quiz.answer.length && given.every((a, i) => a === quiz.answer[i]);
  if (right) {
    return {
      status: 'pass',
      message: quiz.explanation ?? { zh: '回答正确。', en: 'Correct.' },
      durationMs: 0,
    };
  }
  const partly = given.some((a) => quiz.answer.includes(a));
  return {
    status: 'fail',
    message:
      quiz.multiple && partly
        ? {
            zh: '部分正确：再想想还有哪些选项（或多选了哪些）。',
            en: 'Partly right: think again about which choices belong (or do not).',
          }
        : { zh: '回答不正确。', en: 'Not correct.' },
    durationMs: 0,
  };
}

/**
 * A check context on a student's environment: commands through exec, cluster facts through the
 * agent, patterns on the shared pool.
 */
export function environmentContext(
  nodes: EnvNodes,
  patterns: PatternMatcher = sharedPatternPool,
): CheckContext {
  return {
    patterns,
    exec: (node, argv, opts) => nodes.exec(node, argv, opts),
    cluster: clusterAgentOn(nodes),
  };
}
