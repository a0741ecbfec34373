import type { EnvManager, EnvOwner } from '../env/EnvManager.ts';
import { AppError } from '../errors.ts';
import type { Cause } from '../../agent/causes.ts';
import type { Exercise, Hint, Lab } from '../labs/model.ts';
import type { ExerciseProgress, ProgressStore } from '../store/Store.ts';
import { explainFailure, type DiagnosedResult } from './diagnosis.ts';
import { environmentContext, gradeQuiz, runCheck } from './registry.ts';

/** A student's progress changed on one exercise. */
export interface ProgressChange {
  readonly studentId: number;
  readonly labId: string;
  readonly exerciseId: string;
}

/** A check that ran on an environment (metrics): its type, outcome and wall-clock time. */
export interface CheckRan {
  readonly type: string;
  readonly status: DiagnosedResult['status'];
  /** Running the check and diagnosing a failure, as the student waits for it. */
  readonly seconds: number;
}

/** Whose work is graded: a student of the store. */
export interface Grader extends EnvOwner {
  readonly id: number;
}

/**
 * Grading as a policy, apart from HTTP: a quiz answer is validated and graded against its key, a
 * check runs on the student's own environment when it is up in the lab's mode, every graded try
 * is recorded as an attempt and a fail reveals the next hint: one tied to the cause the servers
 * were diagnosed with if there is one, else the next generic one. A check that could not run
 * (`error`) is neither an attempt nor a reason for a hint. The gradebook reads what this records.
 */
export class GradingService {
  private readonly listeners = new Set<(change: ProgressChange) => void>();
  private readonly checkListeners = new Set<(check: CheckRan) => void>();

  constructor(
    private readonly store: ProgressStore,
    private readonly envs: EnvManager,
  ) {}

  /** Hears every recorded attempt and revealed hint (the instructors' live gradebook). */
  onProgress(listener: (change: ProgressChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** Hears every check that ran on an environment (graded or tried), whoever ran it. */
  onCheckRan(listener: (check: CheckRan) => void): { dispose(): void } {
    this.checkListeners.add(listener);
    return { dispose: () => void this.checkListeners.delete(listener) };
  }

  private changed(change: ProgressChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        // A listener's failure is its own; grading goes on.
      }
    }
  }

  /**
   * Runs a check on the caller's environment without recording anything: authors trying a check
   * of a lab they are writing.
   */
  async tryCheck(user: Grader, lab: Lab, exercise: Exercise): Promise<DiagnosedResult> {
    if (exercise.kind === 'quiz') throw new AppError(400, 'not_a_check', `Exercise ${exercise.id} is a quiz`);
    return this.runOnEnvironment(user, lab, exercise);
  }

  /** Grades one exercise for a student; quizzes need `answer` (choice indexes). */
  async grade(
    student: Grader,
    lab: Lab,
    exercise: Exercise,
    answer?: readonly number[],
  ): Promise<DiagnosedResult> {
    const result: DiagnosedResult =
      exercise.kind === 'quiz'
        ? gradeQuiz(exercise, checkAnswer(exercise.choices.length, exercise.multiple, answer))
        : await this.runOnEnvironment(student, lab, exercise);
    if (result.status !== 'error') {
      this.store.recordAttempt(student.id, {
        labId: lab.id,
        exerciseId: exercise.id,
        status: result.status,
        message: result.message,
        durationMs: result.durationMs,
        ...(answer ? { answer } : {}),
      });
      if (result.status === 'fail' && exercise.hints.length > 0)
        this.store.revealHint(
          student.id,
          lab.id,
          exercise.id,
          hintOrder(exercise.hints, result.causes ?? []),
        );
      this.changed({ studentId: student.id, labId: lab.id, exerciseId: exercise.id });
    }
    return result;
  }

  /** Reveals the next hint of an exercise (404 when it has none); returns the student's progress on it. */
  revealHint(student: Grader, lab: Lab, exercise: Exercise): ExerciseProgress | undefined {
    if (exercise.hints.length === 0)
      throw new AppError(404, 'no_hints', `Exercise ${exercise.id} has no hints`);
    this.store.revealHint(student.id, lab.id, exercise.id, hintOrder(exercise.hints, []));
    this.changed({ studentId: student.id, labId: lab.id, exerciseId: exercise.id });
    return this.progressOn(student, lab, exercise);
  }

  /** The student's progress on one exercise, if they touched it. */
  progressOn(student: Grader, lab: Lab, exercise: Exercise): ExerciseProgress | undefined {
    return this.store.progress(student.id, lab.id).find((p) => p.exerciseId === exercise.id);
  }

  private async runOnEnvironment(
    student: Grader,
    lab: Lab,
    exercise: Exercise & { kind: 'check' },
  ): Promise<DiagnosedResult> {
    const env = await this.envs.status(student);
    if (env.phase === 'running' && env.mode === lab.environment) {
      const ctx = environmentContext(this.envs.nodes(student));
      const started = performance.now();
      const result = await explainFailure(exercise, await runCheck(exercise, ctx), ctx.cluster);
      const ran = {
        type: exercise.type,
        status: result.status,
        seconds: (performance.now() - started) / 1000,
      };
      for (const l of this.checkListeners) {
        try {
          l(ran);
        } catch {
          // A listener's failure is its own; grading goes on.
        }
      }
      return result;
    }
    return {
      status: 'error',
      message:
        env.phase === 'running'
          ? {
              zh: `这个实验需要 ${lab.environment} 模式的环境，你的环境是 ${env.mode} 模式`,
              en: `This lab needs a ${lab.environment} environment; yours is in ${env.mode} mode`,
            }
          : { zh: '你的环境没有在运行：请先启动它', en: 'Your environment is not running: start it first' },
      durationMs: 0,
    };
  }
}

/**
 * Hint indexes, most fitting first: those tied to a diagnosed cause, then the generic ones in
 * the author's order, then those tied to other causes (so every hint can be reached).
 */
export function hintOrder(hints: readonly Hint[], causes: readonly Cause[]): number[] {
  const all = hints.map((h, i) => ({ h, i }));
  return [
    ...all.filter(({ h }) => h.cause !== undefined && causes.includes(h.cause)),
    ...all.filter(({ h }) => h.cause === undefined),
    ...all.filter(({ h }) => h.cause !== undefined && !causes.includes(h.cause)),
  ].map(({ i }) => i);
}

/** A quiz answer as the question allows it: 400 with what is wrong otherwise. */
function checkAnswer(
  choices: number,
  multiple: boolean,
  answer: readonly number[] | undefined,
): readonly number[] {
  if (answer === undefined || answer.length === 0)
    throw new AppError(400, 'bad_request', 'A quiz needs an answer: { "answer": [choice indexes] }');
  const outOfRange = answer.filter((a) => a >= choices);
  if (outOfRange.length > 0)
    throw new AppError(
      400,
      'bad_request',
      `Choice ${outOfRange.join(', ')} does not exist (0..${choices - 1})`,
    );
  if (!multiple && answer.length > 1) throw new AppError(400, 'bad_request', 'This question has one answer');
  return answer;
}
