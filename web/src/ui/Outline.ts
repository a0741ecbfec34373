// `/`: the course title and its labs in order, with the student's progress in each.
import { h, type JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { LabSummary, Outline as OutlineData } from '../../../server/http/apiTypes.ts';
import { getOutline } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { Link } from '../router.ts';
import { FailureNotice, Loading } from './common.ts';
import { TopBar, type TopBarProps } from './TopBar.ts';

function LabCard(props: { lab: LabSummary; index: number; titles: Map<string, string> }): JSX.Element {
  const { t, lang } = useI18n();
  const { lab } = props;
  const pct = lab.exercises === 0 ? 0 : Math.round((lab.passed / lab.exercises) * 100);
  const complete = lab.exercises > 0 && lab.passed === lab.exercises;
  const started = lab.position !== null || lab.passed > 0;
  return h(
    'li',
    { class: `lab-card${complete ? ' is-complete' : ''}`, 'data-testid': `lab-${lab.id}` },
    h('div', { class: 'lab-num', 'aria-hidden': 'true' }, complete ? '✓' : String(props.index + 1)),
    h(
      'div',
      { class: 'lab-body' },
      h(
        'h2',
        { class: 'lab-title' },
        h(
          Link,
          { href: `/labs/${encodeURIComponent(lab.id)}`, testId: `lab-link-${lab.id}` },
          lab.title[lang],
        ),
      ),
      h('p', { class: 'lab-summary' }, lab.summary[lang]),
      h(
        'div',
        { class: 'lab-meta' },
        h('span', { class: 'meta' }, t('minutes', { n: lab.minutes })),
        h(
          'span',
          { class: `meta mode-${lab.environment}`, 'data-testid': `lab-${lab.id}-mode` },
          t(lab.environment === 'install' ? 'envInstall' : 'envReady'),
        ),
        lab.requires.length === 0
          ? null
          : h(
              'span',
              { class: 'meta muted' },
              t('requires', { labs: lab.requires.map((id) => props.titles.get(id) ?? id).join('、') }),
            ),
      ),
      h(
        'div',
        {
          class: 'lab-progress',
          'data-testid': `lab-${lab.id}-progress`,
          'data-passed': lab.passed,
          'data-exercises': lab.exercises,
        },
        h(
          'div',
          {
            class: 'bar',
            role: 'progressbar',
            'aria-valuemin': 0,
            'aria-valuemax': lab.exercises,
            'aria-valuenow': lab.passed,
            'aria-label': t('progressExercises', { passed: lab.passed, total: lab.exercises }),
          },
          h('span', { class: 'bar-fill', style: { width: `${pct}%` } }),
        ),
        h(
          'span',
          { class: 'progress-text' },
          t('progressExercises', { passed: lab.passed, total: lab.exercises }),
        ),
        h(
          'span',
          { class: 'progress-text', 'data-testid': `lab-${lab.id}-points` },
          t('progressPoints', { earned: lab.earned, points: lab.points }),
        ),
        h(
          'span',
          { class: 'progress-text muted', 'data-testid': `lab-${lab.id}-position` },
          lab.position === null ? t('notStarted') : t('lastStep', { n: lab.position + 1 }),
        ),
      ),
    ),
    h(
      'div',
      { class: 'lab-action' },
      h(
        Link,
        {
          href: `/labs/${encodeURIComponent(lab.id)}`,
          class: `btn ${started ? 'btn-primary' : ''}`,
          label: lab.title[lang],
        },
        t(started ? 'continue' : 'open'),
      ),
    ),
  );
}

/** The course outline. */
export function Outline(props: { bar: TopBarProps }): JSX.Element {
  const { t, lang } = useI18n();
  const [outline, setOutline] = useState<OutlineData | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    getOutline()
      .then((o) => live && setOutline(o))
      .catch((err: unknown) => live && setError(err));
    return () => {
      live = false;
    };
  }, []);

  let body: JSX.Element;
  if (outline === null) body = error === null ? h(Loading, {}) : h(FailureNotice, { error });
  else {
    const titles = new Map(outline.labs.map((l) => [l.id, l.title[lang]]));
    const earned = outline.labs.reduce((s, l) => s + l.earned, 0);
    const points = outline.labs.reduce((s, l) => s + l.points, 0);
    body = h(
      'div',
      { class: 'outline' },
      h(
        'header',
        { class: 'outline-head' },
        h('h1', { 'data-testid': 'course-title' }, outline.title[lang]),
        h('p', { class: 'muted', 'data-testid': 'course-points' }, t('progressPoints', { earned, points })),
      ),
      h('h2', { class: 'sr-only' }, t('outlineLabs')),
      h(
        'ol',
        { class: 'lab-list', 'data-testid': 'lab-list' },
        outline.labs.map((lab, i) => h(LabCard, { key: lab.id, lab, index: i, titles })),
      ),
    );
  }
  return h('div', { class: 'page' }, h(TopBar, props.bar), h('main', { class: 'page-main' }, body));
}
