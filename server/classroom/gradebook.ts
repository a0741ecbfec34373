/**
 * The instructor's gradebook: students x exercises of a class, built from the lab model and the
 * store's progress rows, plus its CSV export and the "where the class is stuck" figures. Pure: no
 * store, no clock, no I/O; the caller gathers the inputs and serves the result.
 *
 * The result types use plain JSON shapes only (no Map, no undefined, no readonly), so they can move
 * into server/http/apiTypes.ts unchanged.
 */
import { stringify } from 'csv-stringify/sync';
import type {
  GradebookCell,
  GradebookExercise,
  GradebookJson,
  GradebookLab,
  GradebookRow,
} from '../http/apiTypes.ts';
import type { Bilingual, CheckExercise, QuizExercise } from '../labs/model.ts';
import type { ExerciseProgress } from '../store/Store.ts';

/** What the gradebook reads of an exercise; the model's checks and quizzes qualify as they are. */
export type ExerciseOutline =
  | Pick<CheckExercise, 'kind' | 'id' | 'title' | 'points'>
  | Pick<QuizExercise, 'kind' | 'id' | 'question' | 'points'>;

/** What the gradebook reads of a lab; the model's `Lab` qualifies. */
export interface LabOutline {
  readonly id: string;
  readonly exercises: readonly ExerciseOutline[];
}

/** A student on the class roster. */
export interface GradebookStudent {
  readonly id: number;
  readonly name: string;
  readonly displayName?: string | null;
}

/** Everything `gradebook` needs. */
export interface GradebookInput {
  /** The course's labs (`course.labs`); the class's labs are picked from these by id. */
  readonly labs: readonly LabOutline[];
  /** The class's labs, in the order the gradebook shows them. Ids not in `labs` are left out. */
  readonly labIds: readonly string[];
  /** Each lab's due date as an ISO 8601 instant; null or absent means no due date. */
  readonly dueDates: ReadonlyMap<string, string | null>;
  readonly students: readonly GradebookStudent[];
  /** Each student's progress rows (`ProgressStore.progress`); rows of other labs are ignored. */
  readonly progress: ReadonlyMap<number, readonly ExerciseProgress[]>;
}

export type { GradebookCell, GradebookExercise, GradebookJson, GradebookLab, GradebookRow };

/** Where a student stands on one exercise. */
export type GradebookStatus = GradebookCell['status'];

/** Builds the gradebook. Linear in students x exercises plus progress rows. */
export function gradebook(input: GradebookInput): GradebookJson {
  const byId = new Map(input.labs.map((lab) => [lab.id, lab]));
  const labs: GradebookLab[] = [];
  const exercises: GradebookExercise[] = [];
  // labId -> exerciseId -> column, so each progress row finds its cell in O(1).
  const column = new Map<string, Map<string, number>>();
  // Due dates as epoch milliseconds, by column.
  const dueMs: (number | null)[] = [];
  for (const labId of input.labIds) {
    const lab = byId.get(labId);
    if (lab === undefined || column.has(labId)) continue;
    const dueAt = input.dueDates.get(labId) ?? null;
    const due = dueAt === null ? null : instant(dueAt, labId);
    labs.push({ labId, dueAt });
    const columns = new Map<string, number>();
    column.set(labId, columns);
    for (const ex of lab.exercises) {
      const title = ex.kind === 'check' ? ex.title : ex.question;
      columns.set(ex.id, exercises.length);
      dueMs.push(due);
      exercises.push({ labId, exerciseId: ex.id, title: { zh: title.zh, en: title.en }, points: ex.points });
    }
  }
  const possible = exercises.reduce((sum, ex) => sum + ex.points, 0);

  const rows = input.students.map((student): GradebookRow => {
    const cells = exercises.map((): GradebookCell => ({
      status: 'untried',
      attempts: 0,
      hints: 0,
      firstAttemptAt: null,
      passedAt: null,
      points: 0,
      late: false,
    }));
    for (const p of input.progress.get(student.id) ?? []) {
      const i = column.get(p.labId)?.get(p.exerciseId);
      if (i === undefined) continue;
      const exercise = exercises[i]!;
      const due = dueMs[i]!;
      const passed = p.passed;
      cells[i] = {
        status: passed ? 'passed' : p.attempts > 0 ? 'failed' : 'untried',
        attempts: p.attempts,
        hints: p.hintsRevealed,
        firstAttemptAt: p.firstAttemptAt,
        passedAt: p.passedAt,
        points: passed ? exercise.points : 0,
        // An unreadable passedAt parses to NaN, which compares false: not late.
        late: passed && due !== null && p.passedAt !== null && Date.parse(p.passedAt) > due,
      };
    }
    let total = 0;
    let late = 0;
    for (const cell of cells) {
      total += cell.points;
      if (cell.late) late++;
    }
    return {
      studentId: student.id,
      name: student.name,
      displayName: student.displayName ?? null,
      cells,
      total,
      possible,
      late,
    };
  });
  return { labs, exercises, rows };
}

/**
 * Epoch milliseconds of a due date. It must carry its zone (Z or an offset): a bare local time
 * would be read in the server's zone, which need not be the class's.
 */
function instant(iso: string, labId: string): number {
  const ms = Date.parse(iso);
  if (!/^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:?\d\d)$/i.test(iso) || Number.isNaN(ms))
    throw new RangeError(`The due date of lab ${labId} is not an ISO 8601 instant with a zone: ${iso}`);
  return ms;
}

/**
 * Cells a spreadsheet would read as a formula (or, for tab and carriage return, that some strip to
 * reach one), per OWASP's CSV injection guidance: "=HYPERLINK(...)" as a student's name must stay text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Prefixes a single quote to a cell a spreadsheet would otherwise evaluate. */
function neutralise(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/**
 * The gradebook as CSV, one row per student: name, display name, points per exercise (empty when
 * untried, 0 when failed), total, possible, late passes, then `<labId> late` (yes/no: any pass
 * after the due date) for each lab that has a due date. Every cell, the header included, is
 * neutralised against formula injection.
 */
export function gradebookCsv(gb: GradebookJson): string {
  const dueLabs = gb.labs.filter((lab) => lab.dueAt !== null).map((lab) => lab.labId);
  const header = [
    'name',
    'display name',
    ...gb.exercises.map((ex) => `${ex.labId}/${ex.exerciseId}`),
    'total',
    'possible',
    'late passes',
    ...dueLabs.map((labId) => `${labId} late`),
  ];
  const records = gb.rows.map((row) => {
    const lateLabs = new Set<string>();
    const points = row.cells.map((cell, i) => {
      if (cell.late) lateLabs.add(gb.exercises[i]!.labId);
      return cell.status === 'untried' ? '' : String(cell.points);
    });
    return [
      row.name,
      row.displayName ?? '',
      ...points,
      String(row.total),
      String(row.possible),
      String(row.late),
      ...dueLabs.map((labId) => (lateLabs.has(labId) ? 'yes' : 'no')),
    ];
  });
  // The BOM makes Excel read the file as UTF-8; without it, Chinese names open as mojibake.
  return stringify(
    [header, ...records].map((record) => record.map(neutralise)),
    { bom: true },
  );
}

/** How the class did on one exercise. */
export interface ExerciseStats {
  labId: string;
  exerciseId: string;
  title: Bilingual;
  /** Students in the gradebook. */
  students: number;
  /** Students with at least one attempt. */
  tried: number;
  passed: number;
  /** Tried and not passed (yet). */
  stuck: number;
  /** passed / tried, or null when nobody tried. */
  passRate: number | null;
  /** Mean attempts of the students who tried, or null when nobody tried. */
  meanAttempts: number | null;
  /**
   * Attempts other than a student's passing one: all of a stuck student's attempts, all but one of
   * a passed student's (an upper bound for them, since re-checking after a pass counts too).
   */
  failedAttempts: number;
}

/** Per exercise, in gradebook order: tried, passed, stuck, pass rate, mean attempts. */
export function passRates(gb: GradebookJson): ExerciseStats[] {
  return gb.exercises.map((ex, i) => {
    let tried = 0;
    let passed = 0;
    let attempts = 0;
    let failedAttempts = 0;
    for (const row of gb.rows) {
      const cell = row.cells[i]!;
      if (cell.status === 'untried') continue;
      tried++;
      attempts += cell.attempts;
      if (cell.status === 'passed') {
        passed++;
        failedAttempts += Math.max(0, cell.attempts - 1);
      } else {
        failedAttempts += cell.attempts;
      }
    }
    return {
      labId: ex.labId,
      exerciseId: ex.exerciseId,
      title: ex.title,
      students: gb.rows.length,
      tried,
      passed,
      stuck: tried - passed,
      passRate: tried === 0 ? null : passed / tried,
      meanAttempts: tried === 0 ? null : attempts / tried,
      failedAttempts,
    };
  });
}

/**
 * The `n` exercises the class struggles with most: by students stuck (the default: who needs help
 * now) or by failed attempts (where effort went), the other measure breaking ties, then course
 * order. Exercises nobody failed are left out.
 */
export function mostFailed(
  gb: GradebookJson,
  n: number,
  by: 'stuck' | 'failedAttempts' = 'stuck',
): ExerciseStats[] {
  const then = by === 'stuck' ? 'failedAttempts' : 'stuck';
  // Array.prototype.sort is stable, so equal exercises keep course order.
  return passRates(gb)
    .filter((s) => s.failedAttempts > 0)
    .sort((a, b) => b[by] - a[by] || b[then] - a[then])
    .slice(0, Math.max(0, Math.floor(n)));
}
