// The live gradebook's state and the numbers drawn from it: pure functions, tested without a browser.
import type {
  ClassMessage,
  EnvPhase,
  GradebookCell,
  GradebookExercise,
  GradebookJson,
  GradebookRow,
} from '../../../server/http/apiTypes.ts';

/** What WS /ws/class/:id has said so far. */
export interface ClassFeed {
  /** Null until the first `gradebook` frame. */
  gradebook: GradebookJson | null;
  /** Environment phases that changed since the page loaded, by student id. */
  env: Record<number, EnvPhase>;
}

/** The feed before the socket said anything. */
export const EMPTY_FEED: ClassFeed = { gradebook: null, env: {} };

/**
 * Applies one frame. A `row` replaces the student's row (or adds a new student at the end); a row
 * that arrives before the first `gradebook` is dropped, since that full gradebook will contain it.
 */
export function applyClassMessage(feed: ClassFeed, message: ClassMessage): ClassFeed {
  switch (message.type) {
    case 'gradebook':
      return { ...feed, gradebook: message.gradebook };
    case 'row': {
      if (feed.gradebook === null) return feed;
      const rows = feed.gradebook.rows;
      const i = rows.findIndex((r) => r.studentId === message.row.studentId);
      const next = i < 0 ? [...rows, message.row] : rows.map((r, j) => (j === i ? message.row : r));
      return { ...feed, gradebook: { ...feed.gradebook, rows: next } };
    }
    case 'env':
      return { ...feed, env: { ...feed.env, [message.studentId]: message.phase } };
    default:
      return feed;
  }
}

/** The class's lab ids in class order (then any lab only the columns name), each once. */
export function labsOf(gradebook: GradebookJson): string[] {
  return [...new Set([...gradebook.labs.map((l) => l.labId), ...gradebook.exercises.map((e) => e.labId)])];
}

/** The column indexes to show for a lab filter (`null`: every lab). */
export function columnsFor(exercises: readonly GradebookExercise[], labId: string | null): number[] {
  const out: number[] = [];
  exercises.forEach((e, i) => {
    if (labId === null || e.labId === labId) out.push(i);
  });
  return out;
}

/** Milliseconds from the first attempt to the pass, or null while not passed (or never tried). */
export function timeToPass(cell: GradebookCell): number | null {
  if (cell.passedAt === null || cell.firstAttemptAt === null) return null;
  const ms = Date.parse(cell.passedAt) - Date.parse(cell.firstAttemptAt);
  return Number.isFinite(ms) ? Math.max(0, ms) : null;
}

/** Attempts that failed: every attempt of a cell not passed, all but the passing one otherwise. */
export function failedAttempts(cell: GradebookCell): number {
  return cell.status === 'passed' ? Math.max(0, cell.attempts - 1) : cell.attempts;
}

/** How the class does on one exercise. */
export interface ExerciseStats {
  /** Column index in the gradebook. */
  index: number;
  exercise: GradebookExercise;
  students: number;
  passed: number;
  /** Tried and not passed yet: the students stuck here. */
  stuck: number;
  untried: number;
  /** passed / students (0 without students). */
  passRate: number;
  failedAttempts: number;
  hints: number;
  /** Median time from first attempt to pass over those who passed, or null. */
  medianTimeMs: number | null;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? null) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Per-exercise numbers for the given columns (every column when omitted). */
export function exerciseStats(gradebook: GradebookJson, columns?: readonly number[]): ExerciseStats[] {
  const indexes = columns ?? gradebook.exercises.map((_, i) => i);
  return indexes.flatMap((index) => {
    const exercise = gradebook.exercises[index];
    if (exercise === undefined) return [];
    let passed = 0;
    let stuck = 0;
    let untried = 0;
    let failed = 0;
    let hints = 0;
    const times: number[] = [];
    for (const row of gradebook.rows) {
      const cell = row.cells[index];
      if (cell === undefined) continue;
      if (cell.status === 'passed') passed += 1;
      else if (cell.status === 'failed') stuck += 1;
      else untried += 1;
      failed += failedAttempts(cell);
      hints += cell.hints;
      const time = timeToPass(cell);
      if (time !== null) times.push(time);
    }
    const students = gradebook.rows.length;
    return [
      {
        index,
        exercise,
        students,
        passed,
        stuck,
        untried,
        passRate: students === 0 ? 0 : passed / students,
        failedAttempts: failed,
        hints,
        medianTimeMs: median(times),
      },
    ];
  });
}

/** The exercises with the most failed attempts (ties: more students stuck first), at most `limit`. */
export function mostFailed(stats: readonly ExerciseStats[], limit = 8): ExerciseStats[] {
  return stats
    .filter((s) => s.failedAttempts > 0)
    .sort((a, b) => b.failedAttempts - a.failedAttempts || b.stuck - a.stuck || a.index - b.index)
    .slice(0, limit);
}

/** A row's points and passes within the given columns. */
export function rowSummary(
  row: GradebookRow,
  exercises: readonly GradebookExercise[],
  columns: readonly number[],
): { points: number; possible: number; passed: number; late: number } {
  let points = 0;
  let possible = 0;
  let passed = 0;
  let late = 0;
  for (const i of columns) {
    const cell = row.cells[i];
    possible += exercises[i]?.points ?? 0;
    if (cell === undefined) continue;
    points += cell.points;
    if (cell.status === 'passed') passed += 1;
    if (cell.late) late += 1;
  }
  return { points, possible, passed, late };
}
