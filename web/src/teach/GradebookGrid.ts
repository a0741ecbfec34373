// The live grid: students down, exercises across; each cell says status, attempts and hints in
// colour and in text (the colour is never the only signal).
import { h, type JSX } from 'preact';
import type {
  ClassStudent,
  EnvPhase,
  GradebookCell,
  GradebookExercise,
  GradebookJson,
  Lang,
} from '../../../server/http/apiTypes.ts';
import { useI18n, type Translate } from '../i18n.ts';
import { Link, paths } from '../router.ts';
import { formatDate, formatDuration } from '../format.ts';
import { rowSummary, timeToPass } from './gradebook.ts';

/** Props of GradebookGrid. */
export interface GradebookGridProps {
  classId: number;
  gradebook: GradebookJson;
  /** Column indexes to show (the lab filter). */
  columns: number[];
  /** Roster entries by student id (activation, the env phase when the page loaded). */
  roster: Map<number, ClassStudent>;
  /** Env phases that changed since, by student id. */
  env: Record<number, EnvPhase>;
  labTitles: Map<string, string>;
}

const GLYPH: Record<GradebookCell['status'], string> = { passed: '✓', failed: '✕', untried: '·' };

/** A cell's whole story in words: the tooltip and what a screen reader reads. */
export function describeCell(cell: GradebookCell, t: Translate, lang: Lang): string {
  const parts = [
    t(cell.status === 'passed' ? 'cellPassed' : cell.status === 'failed' ? 'cellFailed' : 'cellUntried'),
  ];
  if (cell.attempts > 0) parts.push(t('cellAttempts', { n: cell.attempts }));
  if (cell.hints > 0) parts.push(t('cellHints', { n: cell.hints }));
  const time = timeToPass(cell);
  if (time !== null) parts.push(t('cellTime', { time: formatDuration(time, lang) }));
  if (cell.late) parts.push(t('cellLate'));
  return parts.join(' · ');
}

function Cell(props: {
  studentId: number;
  exercise: GradebookExercise;
  cell: GradebookCell | undefined;
}): JSX.Element {
  const { t, lang } = useI18n();
  const { exercise } = props;
  const cell: GradebookCell = props.cell ?? {
    status: 'untried',
    attempts: 0,
    hints: 0,
    firstAttemptAt: null,
    passedAt: null,
    points: 0,
    late: false,
  };
  const text = describeCell(cell, t, lang);
  return h(
    'td',
    {
      class: `cell cell-${cell.status}${cell.late ? ' is-late' : ''}`,
      'data-testid': `cell-${props.studentId}-${exercise.labId}-${exercise.exerciseId}`,
      'data-lab': exercise.labId,
      'data-exercise': exercise.exerciseId,
      'data-status': cell.status,
      'data-attempts': cell.attempts,
      'data-hints': cell.hints,
      title: `${exercise.title[lang]}: ${text}`,
    },
    h('span', { class: 'cell-glyph', 'aria-hidden': 'true' }, GLYPH[cell.status]),
    cell.attempts > 0 ? h('span', { class: 'cell-n', 'aria-hidden': 'true' }, cell.attempts) : null,
    cell.hints > 0 ? h('span', { class: 'cell-hints', 'aria-hidden': 'true' }, `?${cell.hints}`) : null,
    h('span', { class: 'sr-only' }, text),
  );
}

const ENV_TONE: Record<EnvPhase, string> = {
  none: 'off',
  stopped: 'off',
  queued: 'busy',
  booting: 'busy',
  running: 'ok',
  failed: 'error',
  broken: 'warn',
  unavailable: 'warn',
};

/** The env phase as a word (the student page uses it too). */
export function envPhaseLabel(phase: EnvPhase, t: Translate): string {
  switch (phase) {
    case 'none':
      return t('envNone');
    case 'queued':
      return t('envQueuedShort');
    case 'booting':
      return t('envBooting');
    case 'running':
      return t('envRunning');
    case 'stopped':
      return t('studentEnvStopped');
    case 'failed':
      return t('envFailed');
    case 'broken':
      return t('envBroken');
    case 'unavailable':
      return t('envUnavailable');
  }
}

/** A dot in the env phase's colour with the phase in words beside it (or only for screen readers). */
export function EnvDot(props: { phase: EnvPhase; showLabel?: boolean; testId?: string }): JSX.Element {
  const { t } = useI18n();
  const label = envPhaseLabel(props.phase, t);
  return h(
    'span',
    {
      class: `env-dot tone-${ENV_TONE[props.phase]}`,
      title: label,
      'data-testid': props.testId,
      'data-phase': props.phase,
    },
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    h('span', { class: props.showLabel === true ? 'env-dot-label' : 'sr-only' }, label),
  );
}

/** The legend above the grid. */
function Legend(): JSX.Element {
  const { t } = useI18n();
  const item = (status: GradebookCell['status'], label: string): JSX.Element =>
    h(
      'li',
      null,
      h('span', { class: `legend-swatch cell-${status}`, 'aria-hidden': 'true' }, GLYPH[status]),
      label,
    );
  return h(
    'ul',
    { class: 'grid-legend muted small', 'aria-label': t('gridLegend') },
    item('passed', t('cellPassed')),
    item('failed', t('cellFailed')),
    item('untried', t('cellUntried')),
    h('li', null, h('span', { class: 'legend-key' }, '3'), t('legendAttempts')),
    h('li', null, h('span', { class: 'legend-key' }, '?1'), t('legendHints')),
    h(
      'li',
      null,
      h('span', { class: 'legend-swatch cell-passed is-late', 'aria-hidden': 'true' }, GLYPH.passed),
      t('cellLate'),
    ),
  );
}

/** The grid. */
export function GradebookGrid(props: GradebookGridProps): JSX.Element {
  const { t, lang } = useI18n();
  const { gradebook, columns } = props;
  const exercises = gradebook.exercises;
  // Lab header cells: consecutive columns of the same lab share one.
  const groups: { labId: string; span: number }[] = [];
  for (const i of columns) {
    const labId = exercises[i]?.labId ?? '';
    const last = groups.at(-1);
    if (last?.labId === labId) last.span += 1;
    else groups.push({ labId, span: 1 });
  }

  const dueOf = (labId: string): string | null =>
    gradebook.labs.find((l) => l.labId === labId)?.dueAt ?? null;

  if (gradebook.rows.length === 0)
    return h('p', { class: 'muted', 'data-testid': 'grid-empty' }, t('gridNoStudents'));

  return h(
    'div',
    { class: 'grid-block' },
    h(Legend, {}),
    h(
      'div',
      { class: 'grid-scroll', tabIndex: 0, role: 'region', 'aria-label': t('gridTitle') },
      h(
        'table',
        { class: 'grade-grid', 'data-testid': 'grid-table' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { class: 'grid-corner', rowSpan: 2, scope: 'col' }, t('gridStudent')),
            groups.map((g, i) =>
              h(
                'th',
                { key: `${g.labId}-${i}`, colSpan: g.span, scope: 'colgroup', class: 'grid-lab' },
                props.labTitles.get(g.labId) ?? g.labId,
                dueOf(g.labId) === null
                  ? null
                  : h(
                      'span',
                      { class: 'grid-due muted' },
                      t('dueOn', { date: formatDate(dueOf(g.labId) ?? '', lang) }),
                    ),
              ),
            ),
            h('th', { class: 'grid-total', rowSpan: 2, scope: 'col' }, t('gridTotal')),
          ),
          h(
            'tr',
            null,
            columns.map((i) => {
              const ex = exercises[i];
              if (ex === undefined) return null;
              return h(
                'th',
                {
                  key: i,
                  scope: 'col',
                  class: 'grid-ex',
                  title: `${ex.title[lang]} (${ex.exerciseId}, ${t('points', { n: ex.points })})`,
                  'data-testid': `grid-col-${ex.labId}-${ex.exerciseId}`,
                },
                h('span', null, ex.title[lang]),
              );
            }),
          ),
        ),
        h(
          'tbody',
          null,
          gradebook.rows.map((row) => {
            const student = props.roster.get(row.studentId);
            const phase = props.env[row.studentId] ?? student?.env ?? null;
            const sum = rowSummary(row, exercises, columns);
            return h(
              'tr',
              { key: row.studentId, 'data-testid': `grid-row-${row.studentId}`, 'data-name': row.name },
              h(
                'th',
                { scope: 'row', class: 'grid-name' },
                phase === null ? null : h(EnvDot, { phase, testId: `grid-env-${row.studentId}` }),
                h(
                  Link,
                  {
                    href: paths.teachStudent(props.classId, row.studentId),
                    testId: `grid-student-${row.studentId}`,
                  },
                  row.displayName ?? row.name,
                ),
                row.displayName !== null && row.displayName !== row.name
                  ? h('span', { class: 'muted small' }, ` ${row.name}`)
                  : null,
                student !== undefined && !student.activated
                  ? h('span', { class: 'tag tag-warn', title: t('notActivatedLead') }, t('notActivated'))
                  : null,
              ),
              columns.map((i) => {
                const ex = exercises[i];
                return ex === undefined
                  ? null
                  : h(Cell, { key: i, studentId: row.studentId, exercise: ex, cell: row.cells[i] });
              }),
              h(
                'td',
                { class: 'grid-total', 'data-testid': `grid-total-${row.studentId}` },
                `${sum.points}/${sum.possible}`,
                sum.late > 0
                  ? h(
                      'span',
                      { class: 'tag tag-warn', title: t('cellLate') },
                      t('lateCount', { n: sum.late }),
                    )
                  : null,
              ),
            );
          }),
        ),
      ),
    ),
  );
}
