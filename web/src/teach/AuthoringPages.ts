// Authoring: /teach/labs (each lab's validation status, problems with file:line) and
// /teach/labs/:id (the lab as students see it, plus answer keys, check parameters, every hint and
// "run against my environment"); both reload when the server reloads labs/.
import { h, type JSX } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { AuthoringMessage, AuthoringPreview, ExerciseView } from '../../../server/http/apiTypes.ts';
import { useI18n } from '../i18n.ts';
import { Link, paths } from '../router.ts';
import { Chapter } from '../ui/Chapter.ts';
import { FailureNotice, Notice, Spinner } from '../ui/common.ts';
import { JsonSocket } from '../ws/JsonSocket.ts';
import { formatDateTime } from '../format.ts';
import { Pending, TeachLayout, type TeachBar } from './TeachLayout.ts';
import {
  getAuthoringPreview,
  getAuthoringStatus,
  runAuthoringCheck,
  type AuthoringRunResult,
} from './teachApi.ts';
import { useLoad } from './useLoad.ts';

/** Calls `onReload` on every `reloaded` frame of WS /ws/authoring; returns whether it is connected. */
function useAuthoringReloads(onReload: (message: AuthoringMessage) => void): boolean {
  const [connected, setConnected] = useState(false);
  const listener = useRef(onReload);
  listener.current = onReload;
  useEffect(() => {
    const socket = new JsonSocket<AuthoringMessage>({
      path: '/ws/authoring',
      onMessage: (m) => {
        if (m.type === 'reloaded') listener.current(m);
      },
      onConnected: setConnected,
    });
    return () => socket.dispose();
  }, []);
  return connected;
}

function LiveBadge(props: { connected: boolean; version: number }): JSX.Element {
  const { t } = useI18n();
  return h(
    'span',
    {
      class: `live-badge${props.connected ? ' is-live' : ''}`,
      role: 'status',
      'data-testid': 'authoring-live',
      'data-connected': props.connected,
    },
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    t(props.connected ? 'authoringWatching' : 'gridReconnecting'),
    ' · ',
    h(
      'span',
      { 'data-testid': 'authoring-version', 'data-version': props.version },
      t('authoringVersion', { n: props.version }),
    ),
  );
}

/** Validation problems, each as `file:line message`. */
export function ProblemList(props: {
  problems: { file: string; line: number; message: string }[];
}): JSX.Element {
  const { t } = useI18n();
  if (props.problems.length === 0)
    return h(
      'p',
      { class: 'ok-text', 'data-testid': 'authoring-no-problems' },
      `✓ ${t('authoringNoProblems')}`,
    );
  return h(
    'ul',
    { class: 'problem-list', 'data-testid': 'authoring-problems' },
    props.problems.map((p, i) =>
      h(
        'li',
        {
          key: `${p.file}:${p.line}:${i}`,
          class: 'problem',
          'data-testid': `problem-${i}`,
          'data-file': p.file,
          'data-line': p.line,
        },
        h('code', { class: 'problem-where' }, `${p.file}:${p.line}`),
        h('span', { class: 'problem-message' }, p.message),
      ),
    ),
  );
}

/** /teach/labs. */
export function AuthoringLabsPage(props: { bar: TeachBar }): JSX.Element {
  const { t, lang } = useI18n();
  const status = useLoad(getAuthoringStatus, 'authoring');
  const connected = useAuthoringReloads(status.reload);
  const data = status.data;
  return h(
    TeachLayout,
    { bar: props.bar, section: 'labs', testId: 'authoring-page' },
    h(
      'div',
      { class: 'section-head' },
      h('h1', null, t('teachLabs')),
      data === null ? null : h(LiveBadge, { connected, version: data.version }),
    ),
    data === null
      ? h(Pending, { error: status.error })
      : h(
          'div',
          null,
          h(
            'p',
            { class: 'muted small' },
            t('authoringLoadedAt', { time: formatDateTime(data.loadedAt, lang) }),
          ),
          h(
            'section',
            { class: 'card' },
            h(
              'table',
              { class: 'data-table', 'data-testid': 'authoring-labs' },
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  h('th', { scope: 'col' }, t('teachLabs')),
                  h('th', { scope: 'col' }, t('authoringLabId')),
                  h('th', { scope: 'col' }, t('authoringExercises')),
                  h('th', { scope: 'col' }, t('authoringProblems')),
                ),
              ),
              h(
                'tbody',
                null,
                data.labs.map((l) =>
                  h(
                    'tr',
                    { key: l.id, 'data-testid': `authoring-lab-${l.id}`, 'data-problems': l.problems },
                    h(
                      'td',
                      null,
                      h(
                        Link,
                        { href: paths.teachLab(l.id), testId: `authoring-open-${l.id}` },
                        l.title[lang],
                      ),
                    ),
                    h('td', null, h('code', null, l.id)),
                    h('td', null, l.exercises),
                    h(
                      'td',
                      null,
                      l.problems === 0
                        ? h('span', { class: 'tag tag-ok' }, '✓ 0')
                        : h('span', { class: 'tag tag-error' }, `✕ ${l.problems}`),
                    ),
                  ),
                ),
              ),
            ),
          ),
          h(
            'section',
            { class: 'card' },
            h('h2', null, t('authoringProblems')),
            h(ProblemList, { problems: data.problems }),
          ),
        ),
  );
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function RunCheck(props: { labId: string; exerciseId: string }): JSX.Element {
  const { t, lang } = useI18n();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<AuthoringRunResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const id = `key-${props.exerciseId}`;
  const run = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      setResult(await runAuthoringCheck(props.labId, props.exerciseId));
    } catch (err) {
      setResult(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return h(
    'div',
    { class: 'key-run' },
    h(
      'button',
      {
        type: 'button',
        class: 'btn btn-small',
        disabled: busy,
        'aria-busy': busy,
        'data-testid': `${id}-run`,
        onClick: () => void run(),
      },
      busy ? [h(Spinner, { label: t('checking') }), ' ', t('checking')] : t('authoringRun'),
    ),
    result === null
      ? null
      : h(
          'div',
          {
            class: `exercise-result outcome-${result.status}`,
            role: 'status',
            'data-testid': `${id}-result`,
            'data-result': result.status,
          },
          h('strong', { class: 'exercise-result-label' }, t(result.status)),
          h('span', { class: 'exercise-message' }, result.message[lang]),
          h(
            'span',
            { class: 'exercise-duration muted' },
            t('tookMs', { s: (result.durationMs / 1000).toFixed(1) }),
          ),
        ),
    error === null ? null : h(FailureNotice, { error, testId: `${id}-error` }),
  );
}

/** What only authors see, under each exercise of the preview. */
function KeyPanel(props: {
  labId: string;
  exercise: ExerciseView;
  authorKey: AuthoringPreview['keys'][number] | undefined;
}): JSX.Element {
  const { t } = useI18n();
  const { exercise, authorKey: key } = props;
  const id = `key-${exercise.id}`;
  if (key === undefined)
    return h(
      'aside',
      { class: 'key-panel', 'data-testid': id },
      h('p', { class: 'muted' }, t('authoringNoKey')),
    );
  const answer =
    key.answer === null
      ? null
      : key.answer
          .map(
            (i) => `${LETTERS[i] ?? i + 1}. ${exercise.kind === 'quiz' ? (exercise.choices[i] ?? '?') : ''}`,
          )
          .join('\n');
  return h(
    'aside',
    { class: 'key-panel', 'data-testid': id, 'aria-label': t('authoringKeyFor', { id: exercise.id }) },
    h(
      'p',
      { class: 'key-kind' },
      h('span', { class: 'tag tag-accent' }, t('authoringOnlyAuthors')),
      ' ',
      h('code', null, exercise.id),
      key.type === null ? null : [' · ', h('code', { 'data-testid': `${id}-type` }, key.type)],
    ),
    answer === null
      ? null
      : h(
          'div',
          null,
          h('h4', null, t('authoringAnswer')),
          h('pre', { class: 'key-answer', 'data-testid': `${id}-answer` }, answer),
        ),
    key.kind === 'check'
      ? h(
          'div',
          null,
          h('h4', null, t('authoringParams')),
          h(
            'pre',
            { class: 'key-params', 'data-testid': `${id}-params` },
            JSON.stringify(key.params, null, 2) ?? 'null',
          ),
        )
      : null,
    h('h4', null, t('hints'), ' ', h('span', { class: 'muted small' }, String(key.hints.length))),
    key.hints.length === 0
      ? h('p', { class: 'muted small' }, t('authoringNoHints'))
      : h(
          'ol',
          { class: 'key-hints', 'data-testid': `${id}-hints` },
          key.hints.map((hint, i) => h('li', { key: i }, hint)),
        ),
    key.kind === 'check' ? h(RunCheck, { labId: props.labId, exerciseId: exercise.id }) : null,
  );
}

/** /teach/labs/:id. */
export function LabPreviewPage(props: { labId: string; bar: TeachBar }): JSX.Element {
  const { t, lang } = useI18n();
  const preview = useLoad(() => getAuthoringPreview(props.labId, lang), `${props.labId}/${lang}`);
  // A lab whose newest files have problems comes back `held` (its last good version, with the
  // problems); a lab that never loaded is a 404, and the status then says what is wrong.
  const status = useLoad(getAuthoringStatus, 'authoring');
  const [step, setStep] = useState(0);
  const [flash, setFlash] = useState<number | null>(null);
  const keepScroll = useRef<number | null>(null);
  const { reload } = preview;
  const reloadStatus = status.reload;

  const onReload = useCallback(
    (m: AuthoringMessage) => {
      keepScroll.current = window.scrollY;
      setFlash(m.version);
      reload();
      reloadStatus();
    },
    [reload, reloadStatus],
  );
  const connected = useAuthoringReloads(onReload);
  const data = preview.data;

  // The new text replaces the old in place; put the reader back where they were.
  useLayoutEffect(() => {
    if (keepScroll.current === null || data === null) return;
    window.scrollTo(0, keepScroll.current);
    keepScroll.current = null;
  }, [data]);
  useEffect(() => {
    if (flash === null) return;
    const timer = window.setTimeout(() => setFlash(null), 4000);
    return () => window.clearTimeout(timer);
  }, [flash]);

  const keys = new Map((data?.keys ?? []).map((k) => [k.exerciseId, k]));
  const steps = data?.lab.steps.length ?? 0;
  const index = Math.min(step, Math.max(steps - 1, 0));
  const aside = (exercise: ExerciseView): JSX.Element =>
    h(KeyPanel, { labId: props.labId, exercise, authorKey: keys.get(exercise.id) });

  return h(
    TeachLayout,
    { bar: props.bar, section: 'labs', testId: 'preview-page', wide: true },
    h(Link, { href: paths.teachLabs(), class: 'crumb', testId: 'back-to-authoring' }, `← ${t('teachLabs')}`),
    data === null
      ? h(Pending, { error: preview.error })
      : h(
          'div',
          {
            class: 'preview',
            'data-testid': 'preview',
            'data-lab': data.lab.id,
            'data-version': data.version,
          },
          h(
            'div',
            { class: 'section-head' },
            h('span', { class: 'tag tag-warn' }, t('authoringPreviewTag')),
            h(LiveBadge, { connected, version: data.version }),
            h(
              Link,
              { href: `/labs/${encodeURIComponent(data.lab.id)}`, class: 'btn btn-small btn-ghost' },
              t('authoringOpenAsStudent'),
            ),
          ),
          // Fixed at the bottom: an author editing deep in the lab sees it without scrolling up.
          h(
            'div',
            { class: 'preview-toasts', 'aria-live': 'polite' },
            flash === null
              ? null
              : h(
                  Notice,
                  { tone: 'info', testId: 'preview-reloaded' },
                  h('p', null, t('authoringReloaded', { n: flash })),
                ),
            preview.error === null && !data.held
              ? null
              : h(
                  Notice,
                  { tone: 'warn', title: t('authoringStale'), testId: 'preview-stale' },
                  preview.error instanceof Error ? h('p', null, preview.error.message) : null,
                  // Held: the newest files have problems, so this is what students still get.
                  h(ProblemList, {
                    problems: data.held
                      ? data.problems
                      : (status.data?.problems ?? []).filter((p) => p.file.startsWith(`${props.labId}/`)),
                  }),
                ),
          ),
          data.problems.length === 0
            ? null
            : h(
                'section',
                { class: 'card' },
                h('h2', null, t('authoringProblems')),
                h(ProblemList, { problems: data.problems }),
              ),
          h('p', { class: 'muted small' }, t('authoringRunLead')),
          h(
            'div',
            { class: 'preview-chapter' },
            h(Chapter, {
              lab: data.lab,
              step: index,
              onStep: (next: number) => {
                setStep(Math.min(Math.max(next, 0), Math.max(steps - 1, 0)));
                window.scrollTo(0, 0);
              },
              results: {},
              onExercise: () => undefined,
              onPaste: null,
              preview: { exerciseAside: aside },
            }),
          ),
        ),
  );
}
