// One exercise: a graded check or a quiz, its last result, attempts and hints.
import { h, type JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { CheckResponse, ExerciseView, QuizView } from '../../../server/http/apiTypes.ts';
import { revealHint, runCheck } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { FailureNotice, Spinner } from './common.ts';

/** Props of Exercise. */
export interface ExerciseProps {
  labId: string;
  exercise: ExerciseView;
  /** The result of the last Check pressed on this page, if any (kept across language switches). */
  result: CheckResponse | null;
  /** Reports a new exercise state, and a new result when a check ran. */
  onChange: (exercise: ExerciseView, result?: CheckResponse) => void;
  /** Shown in the authoring preview: Check and hint buttons are disabled (they would grade the author). */
  preview?: boolean;
}

type Outcome = 'pass' | 'fail' | 'error' | 'todo';

function outcomeOf(exercise: ExerciseView, result: CheckResponse | null): Outcome {
  if (result !== null) return result.status;
  if (exercise.status === 'passed') return 'pass';
  if (exercise.status === 'failed') return 'fail';
  return 'todo';
}

const ICONS: Record<Outcome, string> = { pass: '✓', fail: '✕', error: '!', todo: '○' };

function QuizChoices(props: {
  quiz: QuizView;
  selected: number[];
  onSelect: (selected: number[]) => void;
}): JSX.Element {
  const { t } = useI18n();
  const { quiz } = props;
  const name = `quiz-${quiz.id}`;
  return h(
    'fieldset',
    { class: 'quiz-choices' },
    h('legend', { class: 'sr-only' }, t(quiz.multiple ? 'pickMany' : 'pickOne')),
    h('p', { class: 'quiz-mode muted' }, t(quiz.multiple ? 'pickMany' : 'pickOne')),
    quiz.choices.map((choice, i) =>
      h(
        'label',
        { key: i, class: `quiz-choice${props.selected.includes(i) ? ' is-selected' : ''}` },
        h('input', {
          type: quiz.multiple ? 'checkbox' : 'radio',
          name,
          value: String(i),
          checked: props.selected.includes(i),
          'data-testid': `exercise-${quiz.id}-choice-${i}`,
          onChange: (e: Event) => {
            const on = (e.currentTarget as HTMLInputElement).checked;
            if (!quiz.multiple) props.onSelect(on ? [i] : []);
            else
              props.onSelect(
                on ? [...props.selected, i].sort((a, b) => a - b) : props.selected.filter((x) => x !== i),
              );
          },
        }),
        h('span', null, choice),
      ),
    ),
  );
}

/** A check or quiz with its Check button, result, attempts and progressive hints. */
export function Exercise(props: ExerciseProps): JSX.Element {
  const { t, lang } = useI18n();
  const { exercise, labId } = props;
  const [running, setRunning] = useState(false);
  const [hinting, setHinting] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [selected, setSelected] = useState<number[]>([]);
  const [needChoice, setNeedChoice] = useState(false);
  const id = exercise.id;
  const outcome = outcomeOf(exercise, props.result);
  const message = props.result?.message[lang] ?? exercise.lastMessage?.[lang] ?? null;

  const check = async (): Promise<void> => {
    if (exercise.kind === 'quiz' && selected.length === 0) {
      setNeedChoice(true);
      return;
    }
    setNeedChoice(false);
    setRunning(true);
    setFailure(null);
    try {
      const res = await runCheck(labId, id, exercise.kind === 'quiz' ? { answer: selected } : {}, lang);
      props.onChange(res.exercise, res);
    } catch (err) {
      setFailure(err);
    } finally {
      setRunning(false);
    }
  };

  const hint = async (): Promise<void> => {
    setHinting(true);
    setFailure(null);
    try {
      // The answer carries the exercise with one more hint revealed; its status is not a new
      // result (no check ran), so only the exercise is taken from it.
      const res = await revealHint(labId, id, lang);
      props.onChange(res.exercise);
    } catch (err) {
      setFailure(err);
    } finally {
      setHinting(false);
    }
  };

  const title = exercise.kind === 'check' ? exercise.title : exercise.question;
  const hintsLeft = exercise.hintCount - exercise.hints.length;
  return h(
    'section',
    {
      class: `exercise exercise-${exercise.kind} outcome-${outcome}`,
      'data-testid': `exercise-${id}`,
      'data-status': exercise.status,
      'aria-labelledby': `exercise-${id}-title`,
    },
    h(
      'header',
      { class: 'exercise-head' },
      h('span', { class: `exercise-badge outcome-${outcome}`, 'aria-hidden': 'true' }, ICONS[outcome]),
      h('h3', { id: `exercise-${id}-title`, class: 'exercise-title' }, title),
      h('span', { class: 'exercise-points' }, t('points', { n: exercise.points })),
    ),
    exercise.kind === 'quiz'
      ? h(QuizChoices, {
          quiz: exercise,
          selected,
          onSelect: (s) => {
            setSelected(s);
            setNeedChoice(false);
          },
        })
      : null,
    h(
      'div',
      { class: 'exercise-actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-primary',
          'data-testid': `exercise-${id}-check`,
          disabled: running || props.preview === true,
          'aria-busy': running,
          onClick: () => void check(),
        },
        running
          ? [h(Spinner, { label: t('checking') }), ' ', t('checking')]
          : t(exercise.kind === 'quiz' ? 'submit' : 'check'),
      ),
      exercise.hintCount > 0
        ? h(
            'button',
            {
              type: 'button',
              class: 'btn btn-ghost',
              'data-testid': `exercise-${id}-hint`,
              disabled: hinting || hintsLeft <= 0 || props.preview === true,
              onClick: () => void hint(),
            },
            hintsLeft > 0
              ? `${t('showHint')} (${exercise.hints.length + 1}/${exercise.hintCount})`
              : t('noMoreHints'),
          )
        : null,
      h(
        'span',
        { class: 'exercise-attempts muted', 'data-testid': `exercise-${id}-attempts` },
        t('attempts', { n: exercise.attempts }),
      ),
    ),
    needChoice ? h('p', { class: 'exercise-need-choice', role: 'alert' }, t('pickSomething')) : null,
    h(
      'div',
      {
        class: `exercise-result outcome-${outcome}`,
        'data-testid': `exercise-${id}-result`,
        'data-result': outcome,
        role: 'status',
        'aria-live': 'polite',
      },
      h('strong', { class: 'exercise-result-label' }, t(outcome)),
      message === null ? null : h('span', { class: 'exercise-message' }, message),
      props.result !== null && props.result.durationMs > 0
        ? h(
            'span',
            { class: 'exercise-duration muted' },
            t('tookMs', { s: (props.result.durationMs / 1000).toFixed(1) }),
          )
        : null,
    ),
    failure === null ? null : h(FailureNotice, { error: failure }),
    exercise.hints.length > 0
      ? h(
          'ol',
          { class: 'exercise-hints', 'data-testid': `exercise-${id}-hints`, 'aria-label': t('hints') },
          exercise.hints.map((text, i) =>
            h(
              'li',
              { key: i, class: 'exercise-hint' },
              h('span', { class: 'hint-label' }, t('hintOf', { i: i + 1, n: exercise.hintCount })),
              h('span', null, text),
            ),
          ),
        )
      : null,
  );
}
