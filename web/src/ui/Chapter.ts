// The left side of a lab: step navigation, the step's text with copyable code, and its exercises.
import { h, type ComponentChildren, type JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { Block, CheckResponse, ExerciseView, LabView, StepView } from '../../../server/http/apiTypes.ts';
import { useI18n, type Translate } from '../i18n.ts';
import { copyText } from './clipboard.ts';
import { Exercise } from './Exercise.ts';

/** Props of Chapter. */
export interface ChapterProps {
  lab: LabView;
  step: number;
  onStep: (step: number) => void;
  results: Record<string, CheckResponse>;
  onExercise: (exercise: ExerciseView, result?: CheckResponse) => void;
  /** Pastes a command into the current terminal; null while no terminal can connect. */
  onPaste: ((text: string) => void) | null;
  /**
   * The authoring preview: exercises cannot be checked from here (that would grade the author),
   * and each one is followed by what `exerciseAside` renders (answer key, parameters, hints).
   */
  preview?: { exerciseAside: (exercise: ExerciseView) => ComponentChildren };
}

/** Shell code blocks get a "paste into terminal" button besides Copy. */
const SHELL_BLOCK = /\blanguage-(bash|sh|shell|console|zsh)\b/;

function codeOf(pre: HTMLElement): string {
  return (pre.querySelector('code') ?? pre).textContent.replace(/\n$/, '');
}

function flash(button: HTMLButtonElement, text: string, restore: string): void {
  button.textContent = text;
  window.setTimeout(() => {
    button.textContent = restore;
  }, 1500);
}

/** Adds Copy (and for shell, Paste-into-terminal) buttons to every code block of rendered HTML. */
function decorateCodeBlocks(
  root: HTMLElement,
  t: Translate,
  paste: { current: ((text: string) => void) | null },
): void {
  root.querySelectorAll<HTMLElement>('pre').forEach((pre, i) => {
    if (pre.parentElement?.classList.contains('code-block') === true) return;
    const code = pre.querySelector('code');
    const wrap = document.createElement('div');
    wrap.className = 'code-block';
    pre.replaceWith(wrap);
    // A slim bar above the code holds the buttons, so they never cover a long command.
    const head = document.createElement('div');
    head.className = 'code-head';
    const language = document.createElement('span');
    language.className = 'code-lang';
    language.textContent = /\blanguage-([\w-]+)/.exec(code?.className ?? '')?.[1] ?? '';
    head.appendChild(language);
    const tools = document.createElement('div');
    tools.className = 'code-tools';
    const copy = document.createElement('button');
    copy.type = 'button';
    copy.className = 'code-btn';
    copy.dataset.testid = `copy-code-${i}`;
    copy.textContent = t('copy');
    copy.addEventListener('click', () => {
      void copyText(codeOf(pre)).then((ok) => flash(copy, t(ok ? 'copied' : 'copyFailed'), t('copy')));
    });
    tools.appendChild(copy);
    if (code !== null && SHELL_BLOCK.test(code.className)) {
      const run = document.createElement('button');
      run.type = 'button';
      run.className = 'code-btn code-paste';
      run.dataset.testid = `paste-code-${i}`;
      run.textContent = t('pasteToTerminal');
      run.title = t('pasteToTerminalHint');
      run.disabled = paste.current === null;
      run.addEventListener('click', () => paste.current?.(codeOf(pre)));
      tools.appendChild(run);
    }
    head.appendChild(tools);
    wrap.append(head, pre);
  });
}

/** Server-rendered, sanitized HTML with its code blocks made copyable. */
function HtmlBlock(props: { html: string; onPaste: ((text: string) => void) | null }): JSX.Element {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  const paste = useRef(props.onPaste);
  paste.current = props.onPaste;
  useEffect(() => {
    if (ref.current !== null) decorateCodeBlocks(ref.current, t, paste);
  }, [props.html, t]);
  useEffect(() => {
    ref.current?.querySelectorAll<HTMLButtonElement>('.code-paste').forEach((b) => {
      b.disabled = props.onPaste === null;
    });
  }, [props.onPaste]);
  return h('div', { class: 'prose', ref, dangerouslySetInnerHTML: { __html: props.html } });
}

function Blocks(props: {
  blocks: Block[];
  labId: string;
  results: Record<string, CheckResponse>;
  onExercise: ChapterProps['onExercise'];
  onPaste: ChapterProps['onPaste'];
  preview: ChapterProps['preview'];
}): JSX.Element {
  const { preview } = props;
  return h(
    'div',
    { class: 'blocks' },
    props.blocks.map((block, i) => {
      if (block.kind === 'html')
        return h(HtmlBlock, { key: `html-${i}`, html: block.html, onPaste: props.onPaste });
      const exercise = h(Exercise, {
        key: block.exercise.id,
        labId: props.labId,
        exercise: block.exercise,
        result: props.results[block.exercise.id] ?? null,
        onChange: props.onExercise,
        preview: preview !== undefined,
      });
      if (preview === undefined) return exercise;
      return h(
        'div',
        { key: block.exercise.id, class: 'preview-exercise' },
        exercise,
        preview.exerciseAside(block.exercise),
      );
    }),
  );
}

function stepDone(step: StepView): boolean | null {
  const exercises = step.blocks.flatMap((b) => (b.kind === 'exercise' ? [b.exercise] : []));
  if (exercises.length === 0) return null;
  return exercises.every((e) => e.status === 'passed');
}

/** Numbered step buttons; a tick marks steps whose exercises all passed. */
function StepNav(props: { steps: StepView[]; current: number; onStep: (i: number) => void }): JSX.Element {
  const { t } = useI18n();
  return h(
    'nav',
    { class: 'step-nav', 'aria-label': t('steps') },
    h(
      'ol',
      null,
      props.steps.map((step, i) => {
        const done = stepDone(step);
        return h(
          'li',
          { key: step.index },
          h(
            'button',
            {
              type: 'button',
              class: `step-dot${i === props.current ? ' is-current' : ''}${done === true ? ' is-done' : ''}`,
              'aria-current': i === props.current ? 'step' : undefined,
              'aria-label': `${i + 1}. ${step.title}`,
              title: step.title,
              'data-testid': `step-nav-${i}`,
              'data-title': step.title,
              onClick: () => props.onStep(i),
            },
            done === true ? '✓' : String(i + 1),
          ),
        );
      }),
    ),
  );
}

/** The chapter column of the lab page. */
export function Chapter(props: ChapterProps): JSX.Element {
  const { t } = useI18n();
  const { lab } = props;
  const total = lab.steps.length;
  const index = Math.min(Math.max(props.step, 0), Math.max(total - 1, 0));
  const step = lab.steps[index];
  const top = useRef<HTMLDivElement>(null);
  useEffect(() => {
    top.current?.closest('.pane-scroll')?.scrollTo({ top: 0 });
  }, [index]);

  return h(
    'article',
    { class: 'chapter', ref: top, lang: lab.lang === 'zh' ? 'zh-CN' : 'en' },
    h(
      'header',
      { class: 'chapter-head' },
      h('h1', { class: 'chapter-title', 'data-testid': 'lab-title' }, lab.title),
      h(StepNav, { steps: lab.steps, current: index, onStep: props.onStep }),
    ),
    index === 0 && lab.intro.length > 0
      ? h(Blocks, {
          blocks: lab.intro,
          labId: lab.id,
          results: props.results,
          onExercise: props.onExercise,
          onPaste: props.onPaste,
          preview: props.preview,
        })
      : null,
    step === undefined
      ? null
      : h(
          'section',
          { class: 'step', 'data-testid': 'step', 'data-step': index },
          h('p', { class: 'step-counter muted' }, t('step', { n: index + 1, total })),
          h('h2', { class: 'step-title', 'data-testid': 'step-title' }, step.title),
          h(Blocks, {
            blocks: step.blocks,
            labId: lab.id,
            results: props.results,
            onExercise: props.onExercise,
            onPaste: props.onPaste,
            preview: props.preview,
          }),
        ),
    h(
      'footer',
      { class: 'step-footer' },
      h(
        'button',
        {
          type: 'button',
          class: 'btn',
          'data-testid': 'step-prev',
          disabled: index <= 0,
          onClick: () => props.onStep(index - 1),
        },
        `← ${t('prev')}`,
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-primary',
          'data-testid': 'step-next',
          disabled: index >= total - 1,
          onClick: () => props.onStep(index + 1),
        },
        `${t('next')} →`,
      ),
    ),
  );
}
