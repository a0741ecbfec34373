// /teach/classes/:id/students/:studentId: a student's attempts with the messages they saw, hints
// and time per exercise, their environment (stop/reset) and a read-only view of their terminal.
import { h, type JSX } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type {
  AttemptRecord,
  ClassMessage,
  EnvPhase,
  GradebookExercise,
  StudentDetail,
  StudentEnvRequest,
} from '../../../server/http/apiTypes.ts';
import { useI18n } from '../i18n.ts';
import { Link, paths } from '../router.ts';
import { FailureNotice, Spinner } from '../ui/common.ts';
import { NODES } from '../ui/EditorPane.ts';
import { TerminalPane } from '../ui/TerminalPane.ts';
import { ConfirmDialog } from './ConfirmDialog.ts';
import { formatDateTime, formatDuration } from '../format.ts';
import { timeToPass } from './gradebook.ts';
import { describeCell, EnvDot } from './GradebookGrid.ts';
import { useLabTitles } from './labTitles.ts';
import { Pending, TeachLayout, type TeachBar } from './TeachLayout.ts';
import { getStudent, studentEnv } from './teachApi.ts';
import { useClassFeed } from './useClassFeed.ts';
import { useLoad } from './useLoad.ts';

type Node = (typeof NODES)[number];

/** Environment state and the stop/reset buttons (each asks first). */
function EnvCard(props: {
  classId: number;
  studentId: number;
  detail: StudentDetail;
  phase: EnvPhase;
  onDone: () => void;
}): JSX.Element {
  const { t } = useI18n();
  const { detail, phase } = props;
  const [asking, setAsking] = useState<StudentEnvRequest['action'] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  const act = async (action: StudentEnvRequest['action']): Promise<void> => {
    setAsking(null);
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await studentEnv(props.classId, props.studentId, { action });
      setDone(t(action === 'stop' ? 'studentEnvStopDone' : 'studentEnvResetDone'));
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const env = detail.env;
  return h(
    'section',
    { class: 'card', 'data-testid': 'student-env', 'data-phase': phase },
    h('h2', null, t('studentEnvTitle')),
    h(
      'p',
      { class: 'env-line' },
      h(EnvDot, { phase, showLabel: true, testId: 'student-env-phase' }),
      env.mode === null
        ? null
        : h(
            'span',
            { class: 'muted small' },
            ` · ${t(env.mode === 'install' ? 'modeInstall' : 'modeReady')}`,
          ),
    ),
    env.error === null || phase !== env.phase
      ? null
      : h(FailureNotice, { error: new Error(env.error.message) }),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'btn',
          disabled: busy || phase === 'none' || phase === 'stopped',
          'data-testid': 'student-env-stop',
          onClick: () => setAsking('stop'),
        },
        t('studentEnvStop'),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-danger-outline',
          disabled: busy || phase === 'none',
          'data-testid': 'student-env-reset',
          onClick: () => setAsking('reset'),
        },
        t('envReset'),
      ),
      busy ? h(Spinner, { label: t('loading') }) : null,
    ),
    done === null
      ? null
      : h('p', { class: 'muted small', role: 'status', 'data-testid': 'student-env-done' }, done),
    error === null ? null : h(FailureNotice, { error, testId: 'student-env-error' }),
    h(
      ConfirmDialog,
      {
        open: asking !== null,
        title: t(asking === 'reset' ? 'envReset' : 'studentEnvStop'),
        confirmLabel: t(asking === 'reset' ? 'envReset' : 'studentEnvStop'),
        danger: asking === 'reset',
        onCancel: () => setAsking(null),
        onConfirm: () => {
          if (asking !== null) void act(asking);
        },
      },
      h(
        'p',
        null,
        t(asking === 'reset' ? 'studentEnvResetConfirm' : 'studentEnvStopConfirm', {
          name: detail.student.displayName ?? detail.student.name,
        }),
      ),
    ),
  );
}

/** The student's shells, read-only, one tab per server. */
function WatchTerminal(props: { studentId: number; running: boolean }): JSX.Element {
  const { t } = useI18n();
  const [tab, setTab] = useState<Node>('bigdata01');
  const opened = useRef(new Set<Node>()).current;
  opened.add(tab);
  const register = useCallback(() => undefined, []);
  return h(
    'section',
    { class: 'card watch-card', 'data-testid': 'student-watch' },
    h(
      'div',
      { class: 'section-head' },
      h('h2', null, t('watchTitle')),
      h('span', { class: 'tag tag-accent' }, t('watchReadOnly')),
    ),
    h('p', { class: 'muted small' }, t('watchLead')),
    h(
      'div',
      { class: 'watch-frame' },
      h(
        'div',
        { class: 'tabs', role: 'tablist', 'aria-label': t('watchTitle') },
        NODES.map((node) =>
          h(
            'button',
            {
              key: node,
              id: `tab-${node}`,
              type: 'button',
              role: 'tab',
              class: 'tab tab-node',
              'aria-selected': tab === node,
              'aria-controls': `panel-${node}`,
              'data-testid': `tab-${node}`,
              onClick: () => setTab(node),
            },
            h('span', { class: 'tab-icon', 'aria-hidden': 'true' }, '❯_'),
            node,
          ),
        ),
      ),
      h(
        'div',
        { class: 'tab-panels watch-panels' },
        NODES.filter((node) => opened.has(node)).map((node) =>
          h(
            'div',
            {
              key: node,
              id: `panel-${node}`,
              role: 'tabpanel',
              'aria-labelledby': `tab-${node}`,
              class: 'tab-panel',
              hidden: tab !== node,
            },
            h(TerminalPane, {
              node,
              active: tab === node,
              enabled: props.running,
              register,
              watchStudent: props.studentId,
            }),
          ),
        ),
        props.running
          ? null
          : h('div', { class: 'watch-off', 'data-testid': 'student-watch-off' }, h('p', null, t('watchOff'))),
      ),
    ),
  );
}

function ExerciseTable(props: { detail: StudentDetail; titles: Map<string, string> }): JSX.Element {
  const { t, lang } = useI18n();
  const { row, exercises } = props.detail;
  return h(
    'section',
    { class: 'card', 'data-testid': 'student-exercises' },
    h(
      'h2',
      null,
      t('studentExercises'),
      ' ',
      h('span', { class: 'muted small' }, `${row.total}/${row.possible}`),
    ),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data-table' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, t('gridExercise')),
            h('th', { scope: 'col' }, t('studentStatus')),
            h('th', { scope: 'col' }, t('studentAttempts')),
            h('th', { scope: 'col' }, t('hints')),
            h('th', { scope: 'col' }, t('studentTime')),
            h('th', { scope: 'col' }, t('studentPassedAt')),
          ),
        ),
        h(
          'tbody',
          null,
          exercises.flatMap((ex, i) => {
            const cell = row.cells[i];
            if (cell === undefined) return [];
            const time = timeToPass(cell);
            const id = `student-ex-${ex.labId}-${ex.exerciseId}`;
            // A heading row where a new lab starts.
            const heading =
              exercises[i - 1]?.labId === ex.labId
                ? []
                : [
                    h(
                      'tr',
                      { key: `lab-${ex.labId}`, class: 'lab-row' },
                      h('th', { colSpan: 6, scope: 'colgroup' }, props.titles.get(ex.labId) ?? ex.labId),
                    ),
                  ];
            return [
              ...heading,
              h(
                'tr',
                {
                  key: `${ex.labId}/${ex.exerciseId}`,
                  'data-testid': id,
                  'data-status': cell.status,
                  class: `row-${cell.status}`,
                },
                h('td', null, ex.title[lang]),
                h(
                  'td',
                  { class: `cell-text cell-${cell.status}`, title: describeCell(cell, t, lang) },
                  t(
                    cell.status === 'passed'
                      ? 'cellPassed'
                      : cell.status === 'failed'
                        ? 'cellFailed'
                        : 'cellUntried',
                  ),
                  cell.late ? h('span', { class: 'tag tag-warn' }, t('cellLate')) : null,
                ),
                h('td', { 'data-testid': `${id}-attempts` }, cell.attempts),
                h('td', { 'data-testid': `${id}-hints` }, cell.hints),
                h(
                  'td',
                  { 'data-testid': `${id}-time`, 'data-ms': time ?? '' },
                  time === null ? '—' : formatDuration(time, lang),
                ),
                h('td', null, cell.passedAt === null ? '—' : formatDateTime(cell.passedAt, lang)),
              ),
            ];
          }),
        ),
      ),
    ),
  );
}

function Attempts(props: { attempts: AttemptRecord[]; exercises: GradebookExercise[] }): JSX.Element {
  const { t, lang } = useI18n();
  const title = (a: AttemptRecord): string =>
    props.exercises.find((e) => e.labId === a.labId && e.exerciseId === a.exerciseId)?.title[lang] ??
    a.exerciseId;
  return h(
    'section',
    { class: 'card', 'data-testid': 'student-attempts' },
    h(
      'h2',
      null,
      t('studentAttemptsTitle'),
      ' ',
      h('span', { class: 'muted small' }, String(props.attempts.length)),
    ),
    props.attempts.length === 0
      ? h('p', { class: 'muted' }, t('studentNoAttempts'))
      : h(
          'ol',
          { class: 'attempt-list' },
          props.attempts.map((a, i) =>
            h(
              'li',
              {
                key: `${a.at}-${i}`,
                class: `attempt outcome-${a.status}`,
                'data-testid': `attempt-${i}`,
                'data-status': a.status,
                'data-exercise': a.exerciseId,
                'data-lab': a.labId,
              },
              h(
                'div',
                { class: 'attempt-head' },
                h(
                  'span',
                  { class: `exercise-badge outcome-${a.status}`, 'aria-hidden': 'true' },
                  a.status === 'pass' ? '✓' : '✕',
                ),
                h('strong', null, title(a)),
                h('span', { class: 'sr-only' }, t(a.status === 'pass' ? 'pass' : 'fail')),
                h('span', { class: 'muted small' }, formatDateTime(a.at, lang)),
                h('span', { class: 'muted small' }, t('tookMs', { s: (a.durationMs / 1000).toFixed(1) })),
              ),
              h(
                'p',
                { class: 'attempt-message exercise-message', 'data-testid': `attempt-${i}-message` },
                a.message[lang],
              ),
            ),
          ),
        ),
  );
}

/** The student page. */
export function StudentPage(props: { classId: number; studentId: number; bar: TeachBar }): JSX.Element {
  const { t } = useI18n();
  const { classId, studentId } = props;
  const detail = useLoad(() => getStudent(classId, studentId), `${classId}/${studentId}`);
  const [phase, setPhase] = useState<EnvPhase | null>(null);
  const refresh = useRef<number | undefined>(undefined);
  const { reload } = detail;

  // A new attempt or hint arrives as this student's `row`: load the details again (attempts and
  // their messages are not in the row), coalescing a burst into one request.
  const onMessage = useCallback(
    (message: ClassMessage) => {
      if (message.type === 'env' && message.studentId === studentId) setPhase(message.phase);
      if (
        (message.type === 'row' && message.row.studentId === studentId) ||
        (message.type === 'env' && message.studentId === studentId)
      ) {
        window.clearTimeout(refresh.current);
        refresh.current = window.setTimeout(reload, 300);
      }
    },
    [studentId, reload],
  );
  useEffect(() => () => window.clearTimeout(refresh.current), []);
  const { connected } = useClassFeed(classId, onMessage);
  const titles = useLabTitles();

  const data = detail.data;
  // Fresh details carry the newest phase; the socket's is only newer until they arrive.
  useEffect(() => setPhase(null), [data]);
  const current: EnvPhase | null = phase ?? data?.env.phase ?? null;
  return h(
    TeachLayout,
    { bar: props.bar, section: 'classes', testId: 'student-page', wide: true },
    h(
      Link,
      { href: paths.teachClass(classId), class: 'crumb', testId: 'back-to-class' },
      `← ${t('backToClass')}`,
    ),
    data === null || current === null
      ? h(Pending, { error: detail.error })
      : h(
          'div',
          { class: 'student-page', 'data-student': studentId, 'data-live': connected },
          h(
            'header',
            { class: 'student-head' },
            h('h1', { 'data-testid': 'student-name' }, data.student.displayName ?? data.student.name),
            h(
              'p',
              { class: 'muted' },
              data.student.name,
              data.student.email === null ? null : ` · ${data.student.email}`,
              data.student.activated ? null : h('span', { class: 'tag tag-warn' }, t('notActivated')),
            ),
          ),
          h(
            'div',
            { class: 'student-grid' },
            h(EnvCard, { classId, studentId, detail: data, phase: current, onDone: reload }),
            h(WatchTerminal, { studentId, running: current === 'running' }),
          ),
          h(ExerciseTable, { detail: data, titles }),
          h(Attempts, { attempts: data.attempts, exercises: data.exercises }),
        ),
  );
}
