// "Where the class is stuck": pass rate per exercise in course order, and the most-failed exercises.
import { h, type JSX } from 'preact';
import type { GradebookJson } from '../../../server/http/apiTypes.ts';
import { useI18n } from '../i18n.ts';
import { BarChart, type Bar } from './BarChart.ts';
import { countIntervals, niceMax, ticks } from './chart.ts';
import { formatDuration } from '../format.ts';
import { exerciseStats, mostFailed, type ExerciseStats } from './gradebook.ts';

/** Props of StuckCharts. */
export interface StuckChartsProps {
  gradebook: GradebookJson;
  columns: number[];
  /** Prefix labels with the lab (when every lab is shown, titles may repeat across labs). */
  labTitles: Map<string, string> | null;
}

/** The two charts. */
export function StuckCharts(props: StuckChartsProps): JSX.Element {
  const { t, lang } = useI18n();
  const stats = exerciseStats(props.gradebook, props.columns);
  const label = (s: ExerciseStats): string => s.exercise.title[lang];
  // Every lab shown: the pass-rate chart goes lab by lab under headings.
  const group = (s: ExerciseStats): string | undefined =>
    props.labTitles === null ? undefined : (props.labTitles.get(s.exercise.labId) ?? s.exercise.labId);
  const withLab = (s: ExerciseStats): string => {
    const lab = group(s);
    return lab === undefined ? label(s) : `${lab} · ${label(s)}`;
  };
  const key = (s: ExerciseStats): string => `${s.exercise.labId}-${s.exercise.exerciseId}`;

  if (props.gradebook.rows.length === 0 || stats.length === 0)
    return h('p', { class: 'muted' }, t('stuckEmpty'));

  const passBars: Bar[] = stats.map((s) => ({
    key: key(s),
    label: label(s),
    group: group(s),
    value: Math.round(s.passRate * 100),
    valueText: `${s.passed}/${s.students} · ${Math.round(s.passRate * 100)}%`,
    tone: s.passRate >= 0.75 ? 'ok' : s.passRate >= 0.4 ? 'accent' : s.stuck > 0 ? 'fail' : 'warn',
  }));

  const failed = mostFailed(stats);
  const failMax = niceMax(Math.max(0, ...failed.map((s) => s.failedAttempts)));
  const failBars: Bar[] = failed.map((s) => ({
    key: key(s),
    label: withLab(s),
    value: s.failedAttempts,
    valueText: t('stuckFailedValue', { n: s.failedAttempts, stuck: s.stuck }),
    tone: 'fail',
  }));

  return h(
    'div',
    { class: 'stuck-charts' },
    h(BarChart, {
      testId: 'chart-pass-rate',
      title: t('chartPassRate'),
      caption: t('chartPassRateCaption'),
      bars: passBars,
      max: 100,
      ticks: ticks(100, 4),
      formatTick: (v) => `${v}%`,
      labelHeader: t('gridExercise'),
      valueHeader: t('chartPassRate'),
    }),
    h(
      'div',
      { class: 'stuck-side' },
      failBars.length === 0
        ? h('p', { class: 'muted', 'data-testid': 'chart-most-failed-empty' }, t('chartNoFailures'))
        : h(BarChart, {
            testId: 'chart-most-failed',
            title: t('chartMostFailed'),
            caption: t('chartMostFailedCaption'),
            bars: failBars,
            max: failMax,
            ticks: ticks(failMax, countIntervals(failMax)),
            formatTick: (v) => String(v),
            labelHeader: t('gridExercise'),
            valueHeader: t('chartMostFailed'),
          }),
      h(SlowestList, { stats, label: withLab }),
    ),
  );
}

/** The median time to pass per exercise, slowest first (a list: too few numbers for a chart). */
function SlowestList(props: {
  stats: ExerciseStats[];
  label: (s: ExerciseStats) => string;
}): JSX.Element | null {
  const { t, lang } = useI18n();
  const timed = props.stats
    .filter((s) => s.medianTimeMs !== null)
    .sort((a, b) => (b.medianTimeMs ?? 0) - (a.medianTimeMs ?? 0))
    .slice(0, 5);
  if (timed.length === 0) return null;
  return h(
    'section',
    { class: 'slowest', 'data-testid': 'chart-slowest' },
    h('h3', null, t('slowestTitle')),
    h(
      'ol',
      null,
      timed.map((s) =>
        h(
          'li',
          { key: `${s.exercise.labId}-${s.exercise.exerciseId}` },
          h('span', null, props.label(s)),
          h('span', { class: 'muted' }, ` — ${formatDuration(s.medianTimeMs ?? 0, lang)}`),
        ),
      ),
    ),
  );
}
