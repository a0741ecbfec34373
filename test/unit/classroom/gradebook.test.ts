import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  gradebook,
  gradebookCsv,
  mostFailed,
  passRates,
  type ExerciseOutline,
  type GradebookInput,
  type LabOutline,
} from '../../../server/classroom/gradebook.ts';
import type { ExerciseProgress } from '../../../server/store/Store.ts';

function check(id: string, points = 10): ExerciseOutline {
  return { kind: 'check', id, title: { zh: `检查 ${id}`, en: `Check ${id}` }, points };
}

function quiz(id: string, points = 5): ExerciseOutline {
  return { kind: 'quiz', id, question: { zh: `问题 ${id}`, en: `Question ${id}` }, points };
}

/** A progress row; `passedAt` set means passed. */
function progress(
  labId: string,
  exerciseId: string,
  p: { attempts: number; passedAt?: string; hints?: number },
): ExerciseProgress {
  const passed = p.passedAt !== undefined;
  return {
    labId,
    exerciseId,
    attempts: p.attempts,
    passed,
    hintsRevealed: p.hints ?? 0,
    hintsShown: [],
    lastStatus: p.attempts === 0 ? null : passed ? 'pass' : 'fail',
    lastMessage: null,
    firstAttemptAt: p.attempts === 0 ? null : '2025-03-01T09:00:00.000Z',
    passedAt: p.passedAt ?? null,
  };
}

const LABS: LabOutline[] = [
  { id: 'basics', exercises: [check('topic'), quiz('why', 5)] },
  { id: 'groups', exercises: [check('lag', 20)] },
  { id: 'unused', exercises: [check('other')] },
];

function input(over: Partial<GradebookInput> = {}): GradebookInput {
  return {
    labs: LABS,
    labIds: ['basics', 'groups'],
    dueDates: new Map([
      ['basics', '2025-03-02T00:00:00Z'],
      ['groups', null],
    ]),
    students: [
      { id: 1, name: 'alice', displayName: 'Alice A.' },
      { id: 2, name: '张三' },
      { id: 3, name: 'bob' },
    ],
    progress: new Map([
      [
        1,
        [
          progress('basics', 'topic', { attempts: 3, passedAt: '2025-03-01T10:00:00.000Z' }),
          progress('basics', 'why', { attempts: 2, passedAt: '2025-03-02T00:00:00.001Z' }),
          progress('groups', 'lag', { attempts: 1, passedAt: '2030-01-01T00:00:00.000Z' }),
          // A lab the class does not use, and an exercise since removed from a lab it does.
          progress('unused', 'other', { attempts: 1, passedAt: '2025-03-01T10:00:00.000Z' }),
          progress('basics', 'gone', { attempts: 1, passedAt: '2025-03-01T10:00:00.000Z' }),
        ],
      ],
      [
        2,
        [
          progress('basics', 'topic', { attempts: 4, hints: 2 }),
          progress('groups', 'lag', { attempts: 0, hints: 1 }),
        ],
      ],
    ]),
    ...over,
  };
}

describe('gradebook', () => {
  it('lists the class labs’ exercises in class order with bilingual titles and points', () => {
    const gb = gradebook(input({ labIds: ['groups', 'basics', 'missing', 'groups'] }));
    expect(gb.exercises).toEqual([
      { labId: 'groups', exerciseId: 'lag', title: { zh: '检查 lag', en: 'Check lag' }, points: 20 },
      { labId: 'basics', exerciseId: 'topic', title: { zh: '检查 topic', en: 'Check topic' }, points: 10 },
      { labId: 'basics', exerciseId: 'why', title: { zh: '问题 why', en: 'Question why' }, points: 5 },
    ]);
    expect(gb.labs).toEqual([
      { labId: 'groups', dueAt: null },
      { labId: 'basics', dueAt: '2025-03-02T00:00:00Z' },
    ]);
  });

  it('gives each cell its status, attempts, hints, times, points and late flag', () => {
    const [alice, zhang, bob] = gradebook(input()).rows;
    expect(alice!.cells).toEqual([
      {
        status: 'passed',
        attempts: 3,
        hints: 0,
        firstAttemptAt: '2025-03-01T09:00:00.000Z',
        passedAt: '2025-03-01T10:00:00.000Z',
        points: 10,
        late: false,
      },
      // One millisecond after the due date is late.
      expect.objectContaining({ status: 'passed', points: 5, late: true }),
      // No due date: never late.
      expect.objectContaining({ status: 'passed', points: 20, late: false }),
    ]);
    expect(zhang!.cells.map((c) => [c.status, c.attempts, c.hints, c.points])).toEqual([
      ['failed', 4, 2, 0],
      ['untried', 0, 0, 0],
      // Hints revealed without an attempt: still untried, hints kept.
      ['untried', 0, 1, 0],
    ]);
    expect(bob!.cells.every((c) => c.status === 'untried' && c.passedAt === null)).toBe(true);
  });

  it('totals points and late passes per student against the same possible', () => {
    const rows = gradebook(input()).rows;
    expect(rows.map((r) => [r.studentId, r.name, r.displayName, r.total, r.possible, r.late])).toEqual([
      [1, 'alice', 'Alice A.', 35, 35, 1],
      [2, '张三', null, 0, 35, 0],
      [3, 'bob', null, 0, 35, 0],
    ]);
  });

  it('compares due dates as instants, offsets included', () => {
    // 08:00 at +08:00 is midnight UTC, before alice's 00:00:00.001Z pass of `why`.
    const gb = gradebook(input({ dueDates: new Map([['basics', '2025-03-02T08:00:00+08:00']]) }));
    expect(gb.rows[0]!.cells.map((c) => c.late)).toEqual([false, true, false]);
    const later = gradebook(input({ dueDates: new Map([['basics', '2025-03-02T08:00:01+08:00']]) }));
    expect(later.rows[0]!.late).toBe(0);
  });

  it('refuses a due date without a zone or that does not parse', () => {
    expect(() => gradebook(input({ dueDates: new Map([['basics', '2025-03-02T00:00:00']]) }))).toThrow(
      /basics/,
    );
    expect(() => gradebook(input({ dueDates: new Map([['groups', 'next friday']]) }))).toThrow(/groups/);
  });

  it('is plain JSON: it survives a round trip unchanged', () => {
    const gb = gradebook(input());
    expect(JSON.parse(JSON.stringify(gb))).toEqual(gb);
  });

  it('handles 200 students x 77 exercises with every student touching every exercise', () => {
    const labs: LabOutline[] = Array.from({ length: 11 }, (_, l) => ({
      id: `lab-${l}`,
      exercises: Array.from({ length: 7 }, (_, e) => check(`ex-${e}`, 1 + e)),
    }));
    const progressByStudent = new Map<number, ExerciseProgress[]>();
    for (let s = 0; s < 200; s++) {
      progressByStudent.set(
        s,
        labs.flatMap((lab) =>
          lab.exercises.map((ex) =>
            progress(
              lab.id,
              ex.id,
              s % 2 === 0 ? { attempts: 2, passedAt: '2025-03-03T00:00:00Z' } : { attempts: 1 },
            ),
          ),
        ),
      );
    }
    const gb = gradebook({
      labs,
      labIds: labs.map((l) => l.id),
      dueDates: new Map([['lab-3', '2025-03-02T00:00:00Z']]),
      students: Array.from({ length: 200 }, (_, s) => ({ id: s, name: `s${s}` })),
      progress: progressByStudent,
    });
    expect(gb.exercises).toHaveLength(77);
    expect(gb.rows).toHaveLength(200);
    // 11 labs x (1 + ... + 7) points.
    expect(gb.rows[0]!.total).toBe(11 * 28);
    expect(gb.rows[0]!.late).toBe(7);
    expect(gb.rows[1]!.total).toBe(0);
    const stats = passRates(gb);
    expect(stats.every((s) => s.tried === 200 && s.passed === 100 && s.meanAttempts === 1.5)).toBe(true);
    const csv = parse(gradebookCsv(gb), { bom: true });
    expect(csv).toHaveLength(201);
    expect(csv[0]).toHaveLength(2 + 77 + 3 + 1);
  });
});

describe('gradebookCsv', () => {
  const EVIL = ['=HYPERLINK("http://evil.example","click")', '+1', '@x', '-2', '\tx', '\r=1+1'];

  it('starts with a UTF-8 BOM so Excel reads Chinese names', () => {
    const csv = gradebookCsv(gradebook(input()));
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('has the header and one row per student, read back by csv-parse', () => {
    const records = parse(gradebookCsv(gradebook(input())), { bom: true });
    expect(records).toEqual([
      [
        'name',
        'display name',
        'basics/topic',
        'basics/why',
        'groups/lag',
        'total',
        'possible',
        'late passes',
        'basics late',
      ],
      ['alice', 'Alice A.', '10', '5', '20', '35', '35', '1', 'yes'],
      ['张三', '', '0', '', '', '0', '35', '0', 'no'],
      ['bob', '', '', '', '', '0', '35', '0', 'no'],
    ]);
  });

  it('neutralises cells a spreadsheet would run as formulas, and only those', () => {
    const students = [...EVIL, 'a=b', "o'brien"].map((name, i) => ({ id: 100 + i, name, displayName: name }));
    const records = parse(gradebookCsv(gradebook(input({ students, progress: new Map() }))), { bom: true });
    const names = records.slice(1).map((r) => [r[0], r[1]]);
    expect(names).toEqual([...EVIL.map((n) => `'${n}`), 'a=b', "o'brien"].map((n) => [n, n]));
  });

  it('keeps unicode names intact', () => {
    const students = [
      { id: 1, name: '王小明', displayName: 'Wáng Xiǎomíng 🚀' },
      { id: 2, name: 'Zoë, "the" tester' },
    ];
    const records = parse(gradebookCsv(gradebook(input({ students }))), { bom: true });
    expect(records.slice(1).map((r) => [r[0], r[1]])).toEqual([
      ['王小明', 'Wáng Xiǎomíng 🚀'],
      ['Zoë, "the" tester', ''],
    ]);
  });

  it('has no lab late columns when no lab has a due date', () => {
    const records = parse(gradebookCsv(gradebook(input({ dueDates: new Map() }))), { bom: true });
    expect(records[0]!.slice(-3)).toEqual(['total', 'possible', 'late passes']);
    expect(records[1]!.at(-1)).toBe('0');
  });
});

describe('passRates and mostFailed', () => {
  // Three exercises: `easy` everyone passes first time; `hard` many attempts, most pass;
  // `wall` few attempts, nobody passes.
  const labs: LabOutline[] = [{ id: 'l', exercises: [check('easy'), check('hard'), check('wall')] }];
  const pass = (exerciseId: string, attempts: number): ExerciseProgress =>
    progress('l', exerciseId, { attempts, passedAt: '2025-01-01T00:00:00Z' });
  const fail = (exerciseId: string, attempts: number): ExerciseProgress =>
    progress('l', exerciseId, { attempts });
  const gb = gradebook({
    labs,
    labIds: ['l'],
    dueDates: new Map(),
    students: [1, 2, 3, 4].map((id) => ({ id, name: `s${id}` })),
    progress: new Map([
      [1, [pass('easy', 1), pass('hard', 6), fail('wall', 1)]],
      [2, [pass('easy', 1), pass('hard', 5), fail('wall', 2)]],
      [3, [pass('easy', 1), fail('hard', 4)]],
      [4, [progress('l', 'wall', { attempts: 0, hints: 3 })]],
    ]),
  });

  it('counts tried, passed, stuck, pass rate and mean attempts per exercise', () => {
    expect(
      passRates(gb).map((s) => [
        s.exerciseId,
        s.students,
        s.tried,
        s.passed,
        s.stuck,
        s.passRate,
        s.meanAttempts,
        s.failedAttempts,
      ]),
    ).toEqual([
      ['easy', 4, 3, 3, 0, 1, 1, 0],
      ['hard', 4, 3, 2, 1, 2 / 3, 5, 5 + 4 + 4],
      ['wall', 4, 2, 0, 2, 0, 1.5, 3],
    ]);
  });

  it('reports null rates for an exercise nobody tried', () => {
    const empty = gradebook({ ...input(), students: [{ id: 9, name: 'new' }] });
    expect(passRates(empty)[0]).toMatchObject({ tried: 0, passRate: null, meanAttempts: null });
  });

  it('orders by students stuck by default, by failed attempts on request, leaving out unfailed ones', () => {
    expect(mostFailed(gb, 10).map((s) => s.exerciseId)).toEqual(['wall', 'hard']);
    expect(mostFailed(gb, 10, 'failedAttempts').map((s) => s.exerciseId)).toEqual(['hard', 'wall']);
    expect(mostFailed(gb, 1).map((s) => s.exerciseId)).toEqual(['wall']);
    expect(mostFailed(gb, 0)).toEqual([]);
  });

  it('breaks ties with the other measure, then course order', () => {
    const tied = gradebook({
      labs: [{ id: 't', exercises: [check('a'), check('b'), check('c')] }],
      labIds: ['t'],
      dueDates: new Map(),
      students: [{ id: 1, name: 'x' }],
      progress: new Map([
        [
          1,
          [
            progress('t', 'a', { attempts: 2 }),
            progress('t', 'b', { attempts: 5 }),
            progress('t', 'c', { attempts: 2 }),
          ],
        ],
      ]),
    });
    expect(mostFailed(tied, 3).map((s) => s.exerciseId)).toEqual(['b', 'a', 'c']);
  });
});
