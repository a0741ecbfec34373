import { describe, expect, it } from 'vitest';
import type { GradebookCell, GradebookJson, GradebookRow } from '../../../server/http/apiTypes.ts';
import {
  applyClassMessage,
  columnsFor,
  EMPTY_FEED,
  exerciseStats,
  failedAttempts,
  labsOf,
  mostFailed,
  rowSummary,
  timeToPass,
} from '../../../web/src/teach/gradebook.ts';

const untried: GradebookCell = {
  status: 'untried',
  attempts: 0,
  hints: 0,
  firstAttemptAt: null,
  passedAt: null,
  points: 0,
  late: false,
};
const failed = (attempts: number, hints = 0): GradebookCell => ({
  ...untried,
  status: 'failed',
  attempts,
  hints,
  firstAttemptAt: '2025-03-01T10:00:00Z',
});
const passed = (attempts: number, minutes: number, points = 10, late = false): GradebookCell => ({
  status: 'passed',
  attempts,
  hints: 0,
  firstAttemptAt: '2025-03-01T10:00:00Z',
  passedAt: new Date(Date.parse('2025-03-01T10:00:00Z') + minutes * 60_000).toISOString(),
  points,
  late,
});
const row = (studentId: number, cells: GradebookCell[]): GradebookRow => ({
  studentId,
  name: `s${studentId}`,
  displayName: null,
  cells,
  total: cells.reduce((s, c) => s + c.points, 0),
  possible: 30,
  late: cells.filter((c) => c.late).length,
});
const title = { zh: '题', en: 'ex' };
const book: GradebookJson = {
  labs: [
    { labId: 'a', dueAt: null },
    { labId: 'c', dueAt: '2030-01-01T00:00:00.000Z' },
    { labId: 'b', dueAt: null },
  ],
  exercises: [
    { labId: 'a', exerciseId: 'x1', title, points: 10 },
    { labId: 'a', exerciseId: 'x2', title, points: 10 },
    { labId: 'b', exerciseId: 'y1', title, points: 10 },
  ],
  rows: [
    row(1, [passed(1, 2), failed(3, 1), untried]),
    row(2, [passed(3, 10, 10, true), passed(2, 4), failed(5)]),
    row(3, [failed(2), untried, untried]),
  ],
};

describe('applyClassMessage', () => {
  it('takes the full gradebook, replaces or appends rows, and records env phases', () => {
    let feed = applyClassMessage(EMPTY_FEED, { type: 'row', row: row(9, []) });
    expect(feed.gradebook).toBeNull();
    feed = applyClassMessage(feed, { type: 'gradebook', gradebook: book });
    expect(feed.gradebook).toBe(book);
    const changed = row(2, [untried, untried, untried]);
    feed = applyClassMessage(feed, { type: 'row', row: changed });
    expect(feed.gradebook?.rows.map((r) => r.studentId)).toEqual([1, 2, 3]);
    expect(feed.gradebook?.rows[1]).toBe(changed);
    feed = applyClassMessage(feed, { type: 'row', row: row(4, [untried, untried, untried]) });
    expect(feed.gradebook?.rows.map((r) => r.studentId)).toEqual([1, 2, 3, 4]);
    feed = applyClassMessage(feed, { type: 'env', studentId: 3, phase: 'running' });
    expect(feed.env).toEqual({ 3: 'running' });
    expect(book.rows).toHaveLength(3);
  });
});

describe('columns and labs', () => {
  it('lists labs once in column order and filters columns by lab', () => {
    expect(labsOf(book)).toEqual(['a', 'c', 'b']);
    expect(labsOf({ ...book, labs: [] })).toEqual(['a', 'b']);
    expect(columnsFor(book.exercises, null)).toEqual([0, 1, 2]);
    expect(columnsFor(book.exercises, 'b')).toEqual([2]);
    expect(columnsFor(book.exercises, 'zzz')).toEqual([]);
  });
});

describe('cell arithmetic', () => {
  it('measures time to pass only for passed cells and counts failed attempts', () => {
    expect(timeToPass(passed(2, 7))).toBe(7 * 60_000);
    expect(timeToPass(failed(2))).toBeNull();
    expect(timeToPass({ ...passed(1, 1), firstAttemptAt: null })).toBeNull();
    expect(failedAttempts(passed(3, 1))).toBe(2);
    expect(failedAttempts(failed(4))).toBe(4);
    expect(failedAttempts(untried)).toBe(0);
  });

  it('sums a row within the shown columns', () => {
    const r = book.rows[1];
    if (r === undefined) throw new Error('no row');
    expect(rowSummary(r, book.exercises, [0, 1, 2])).toEqual({
      points: 20,
      possible: 30,
      passed: 2,
      late: 1,
    });
    expect(rowSummary(r, book.exercises, [2])).toEqual({ points: 0, possible: 10, passed: 0, late: 0 });
  });
});

describe('exerciseStats and mostFailed', () => {
  it('computes pass rates, stuck students, failed attempts, hints and median time', () => {
    const stats = exerciseStats(book);
    expect(stats.map((s) => [s.passed, s.stuck, s.untried])).toEqual([
      [2, 1, 0],
      [1, 1, 1],
      [0, 1, 2],
    ]);
    expect(stats[0]?.passRate).toBeCloseTo(2 / 3);
    expect(stats.map((s) => s.failedAttempts)).toEqual([0 + 2 + 2, 3 + 1, 5]);
    expect(stats[1]?.hints).toBe(1);
    expect(stats[0]?.medianTimeMs).toBe(6 * 60_000);
    expect(stats[2]?.medianTimeMs).toBeNull();
  });

  it('ranks by failed attempts, then by students stuck, and drops exercises nobody failed', () => {
    const stats = exerciseStats(book);
    expect(mostFailed(stats).map((s) => s.exercise.exerciseId)).toEqual(['y1', 'x1', 'x2']);
    expect(mostFailed(stats, 1).map((s) => s.exercise.exerciseId)).toEqual(['y1']);
    const clean = exerciseStats({ ...book, rows: [row(1, [passed(1, 1), passed(1, 1), passed(1, 1)])] });
    expect(mostFailed(clean)).toEqual([]);
  });

  it('handles a class without students and a column subset', () => {
    const stats = exerciseStats({ ...book, rows: [] }, [1]);
    expect(stats).toHaveLength(1);
    expect(stats[0]).toMatchObject({ index: 1, students: 0, passRate: 0, medianTimeMs: null });
  });
});
