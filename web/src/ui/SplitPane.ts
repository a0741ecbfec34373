// Two panes side by side with a draggable (and keyboard-movable) divider; stacked on narrow screens.
import { h, type ComponentChildren, type JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n.ts';

const STORAGE_KEY = 'kafkalab.split';
/** Neither side may shrink below a quarter: narrower, the chapter's code or an 80-column terminal stops fitting. */
const MIN = 25;
const MAX = 75;

function clamp(value: number): number {
  return Math.min(MAX, Math.max(MIN, value));
}

function initialSplit(): number {
  const stored = Number(localStorage.getItem(STORAGE_KEY));
  return Number.isFinite(stored) && stored > 0 ? clamp(stored) : 46;
}

/** Props of SplitPane. */
export interface SplitPaneProps {
  left: ComponentChildren;
  right: ComponentChildren;
}

/** The lab page's two columns: chapter on the left, workbench on the right. */
export function SplitPane(props: SplitPaneProps): JSX.Element {
  const { t } = useI18n();
  const [split, setSplit] = useState(initialSplit);
  const [dragging, setDragging] = useState(false);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    localStorage.setItem(STORAGE_KEY, String(Math.round(split * 10) / 10));
  }, [split]);

  const onPointerDown = (e: PointerEvent): void => {
    const bar = e.currentTarget as HTMLElement;
    bar.setPointerCapture(e.pointerId);
    setDragging(true);
  };
  const onPointerMove = (e: PointerEvent): void => {
    if (!dragging || root.current === null) return;
    const box = root.current.getBoundingClientRect();
    setSplit(clamp(((e.clientX - box.left) / box.width) * 100));
  };
  const onPointerUp = (): void => setDragging(false);
  const onKeyDown = (e: KeyboardEvent): void => {
    if (e.key === 'ArrowLeft') setSplit((s) => clamp(s - 2));
    else if (e.key === 'ArrowRight') setSplit((s) => clamp(s + 2));
    else return;
    e.preventDefault();
  };

  return h(
    'div',
    {
      class: `split${dragging ? ' is-dragging' : ''}`,
      ref: root,
      style: { '--split': `${split}%` },
    },
    h('div', { class: 'split-left pane-scroll' }, props.left),
    h('div', {
      class: 'split-divider',
      role: 'separator',
      tabIndex: 0,
      'aria-orientation': 'vertical',
      'aria-valuenow': Math.round(split),
      'aria-valuemin': MIN,
      'aria-valuemax': MAX,
      'aria-label': t('resizePanes'),
      title: t('resizePanes'),
      onPointerDown,
      onPointerMove,
      onPointerUp,
      onPointerCancel: onPointerUp,
      onKeyDown,
    }),
    h('div', { class: 'split-right' }, props.right),
  );
}
