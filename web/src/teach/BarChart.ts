// A horizontal bar chart drawn as SVG (no chart library): one labelled bar per row under an axis,
// optional group headings (a lab's exercises), and the same numbers as a table for screen readers.
import { h, type JSX } from 'preact';
import { barLength, truncateLabel } from './chart.ts';

/** One bar. */
export interface Bar {
  key: string;
  label: string;
  /** Bars with the same group sit under one heading (in the order given). */
  group?: string;
  value: number;
  /** The number as shown at the end of the bar ("12/30 · 40%"). */
  valueText: string;
  tone: 'ok' | 'fail' | 'warn' | 'accent';
}

/** Props of BarChart. */
export interface BarChartProps {
  testId: string;
  title: string;
  /** What the numbers are, under the title. */
  caption: string;
  bars: Bar[];
  /** The axis runs from 0 to this. */
  max: number;
  ticks: number[];
  formatTick: (value: number) => string;
  /** The label column of the accessible table. */
  labelHeader: string;
  valueHeader: string;
}

const WIDTH = 720;
const LABEL_W = 250;
const VALUE_W = 130;
const PLOT_W = WIDTH - LABEL_W - VALUE_W - 12;
const AXIS_H = 22;
const ROW_H = 24;
const BAR_H = 14;

/** A label cut to what fits LABEL_W at 12px (CJK characters are about twice as wide). */
function labelFits(label: string): string {
  const wide = Array.from(label).some((c) => (c.codePointAt(0) ?? 0) > 0x2e80);
  return truncateLabel(label, wide ? 19 : 36);
}

type Row = { kind: 'group'; text: string } | { kind: 'bar'; bar: Bar };

/** Bars with a heading row before each new group (when any bar has a group). */
export function chartRows(bars: readonly Bar[]): Row[] {
  const rows: Row[] = [];
  let group: string | undefined;
  for (const bar of bars) {
    if (bar.group !== undefined && bar.group !== group) rows.push({ kind: 'group', text: bar.group });
    group = bar.group;
    rows.push({ kind: 'bar', bar });
  }
  return rows;
}

function BarRow(props: { bar: Bar; y: number; max: number; testId: string }): JSX.Element {
  const { bar, y } = props;
  const w = barLength(bar.value, props.max, PLOT_W);
  const barY = y + (ROW_H - BAR_H) / 2;
  return h(
    'g',
    {
      class: `chart-row tone-${bar.tone}`,
      'data-testid': `${props.testId}-bar-${bar.key}`,
      'data-value': bar.value,
    },
    h('title', null, `${bar.label}: ${bar.valueText}`),
    h(
      'text',
      { class: 'chart-label', x: LABEL_W - 8, y: y + ROW_H / 2 + 4, 'text-anchor': 'end' },
      labelFits(bar.label),
    ),
    h('rect', { class: 'chart-track', x: LABEL_W, y: barY, width: PLOT_W, height: BAR_H, rx: 3 }),
    // A zero still shows a sliver, so "nobody passed" is visibly a bar and not a missing row.
    h('rect', { class: 'chart-bar', x: LABEL_W, y: barY, width: Math.max(w, 2), height: BAR_H, rx: 3 }),
    h('text', { class: 'chart-value', x: LABEL_W + PLOT_W + 8, y: y + ROW_H / 2 + 4 }, bar.valueText),
  );
}

/** The chart. */
export function BarChart(props: BarChartProps): JSX.Element {
  const rows = chartRows(props.bars);
  const height = AXIS_H + rows.length * ROW_H + 6;
  const titleId = `${props.testId}-title`;
  return h(
    'figure',
    { class: 'bar-chart', 'data-testid': props.testId },
    h(
      'figcaption',
      null,
      h('h3', { id: titleId }, props.title),
      h('p', { class: 'muted small' }, props.caption),
    ),
    h(
      'svg',
      {
        viewBox: `0 0 ${WIDTH} ${height}`,
        width: '100%',
        role: 'img',
        'aria-labelledby': titleId,
        preserveAspectRatio: 'xMinYMin meet',
        style: { maxWidth: `${WIDTH}px` },
      },
      props.ticks.map((tick) => {
        const x = LABEL_W + barLength(tick, props.max, PLOT_W);
        return h(
          'g',
          { key: `tick-${tick}`, class: 'chart-tick' },
          h('line', { x1: x, x2: x, y1: AXIS_H - 4, y2: height - 4 }),
          h('text', { x, y: AXIS_H - 8, 'text-anchor': 'middle' }, props.formatTick(tick)),
        );
      }),
      rows.map((row, i) => {
        const y = AXIS_H + i * ROW_H;
        return row.kind === 'group'
          ? h('text', { key: `group-${i}`, class: 'chart-group', x: 4, y: y + ROW_H / 2 + 5 }, row.text)
          : h(BarRow, { key: row.bar.key, bar: row.bar, y, max: props.max, testId: props.testId });
      }),
    ),
    // The numbers for screen readers. The wrapper (not the table) is the clipped 1px box: a table
    // cannot be narrower than its content and would widen the page.
    h(
      'div',
      { class: 'sr-only' },
      h(
        'table',
        null,
        h('caption', null, props.title),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, props.labelHeader),
            h('th', { scope: 'col' }, props.valueHeader),
          ),
        ),
        h(
          'tbody',
          null,
          props.bars.map((bar) =>
            h(
              'tr',
              { key: bar.key },
              h('th', { scope: 'row' }, bar.group === undefined ? bar.label : `${bar.group} · ${bar.label}`),
              h('td', null, bar.valueText),
            ),
          ),
        ),
      ),
    ),
  );
}
