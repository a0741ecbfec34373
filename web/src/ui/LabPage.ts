// /labs/:id: the chapter on the left, the servers on the right, the environment booting underneath.
import { h, type JSX } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Block, CheckResponse, ExerciseView, LabView } from '../../../server/http/apiTypes.ts';
import { getLab, savePosition } from '../api.ts';
import { EnvSocket } from '../env/EnvSocket.ts';
import { IdleWarning } from '../env/IdleWarning.ts';
import { useEnvironment } from '../env/useEnvironment.ts';
import { useI18n } from '../i18n.ts';
import { Link } from '../router.ts';
import type { TerminalSession } from '../terminal/TerminalSession.ts';
import { Chapter } from './Chapter.ts';
import { FailureNotice, Loading } from './common.ts';
import { EnvBadge } from './EnvPanel.ts';
import { SplitPane } from './SplitPane.ts';
import { TopBar, type TopBarProps } from './TopBar.ts';
import { Workbench, type Tab } from './Workbench.ts';

function replaceExercise(blocks: Block[], exercise: ExerciseView): Block[] {
  return blocks.map((b) =>
    b.kind === 'exercise' && b.exercise.id === exercise.id ? { kind: 'exercise', exercise } : b,
  );
}

function withExercise(lab: LabView, exercise: ExerciseView): LabView {
  return {
    ...lab,
    intro: replaceExercise(lab.intro, exercise),
    steps: lab.steps.map((s) => ({ ...s, blocks: replaceExercise(s.blocks, exercise) })),
  };
}

interface WorkspaceProps {
  lab: LabView;
  setLab: (lab: LabView) => void;
  bar: TopBarProps;
}

function Workspace(props: WorkspaceProps): JSX.Element {
  const { t } = useI18n();
  const { lab } = props;
  const [socket] = useState(() => new EnvSocket());
  useEffect(() => () => socket.dispose(), [socket]);
  const env = useEnvironment(lab.id, lab.environment, socket);
  const [step, setStep] = useState(() => Math.min(lab.position ?? 0, Math.max(lab.steps.length - 1, 0)));
  const [results, setResults] = useState<Record<string, CheckResponse>>({});
  const [tab, setTab] = useState<Tab>('bigdata01');
  const terminals = useRef(new Map<string, TerminalSession>());

  const registerTerminal = useCallback((node: string, session: TerminalSession | null) => {
    if (session === null) terminals.current.delete(node);
    else terminals.current.set(node, session);
  }, []);

  const onStep = (next: number): void => {
    const clamped = Math.min(Math.max(next, 0), lab.steps.length - 1);
    setStep(clamped);
    // Fire and forget: losing the bookmark is not worth interrupting the student for.
    savePosition(lab.id, clamped).catch((err: unknown) => console.error('saving the position failed', err));
  };

  const onExercise = (exercise: ExerciseView, result?: CheckResponse): void => {
    props.setLab(withExercise(lab, exercise));
    if (result !== undefined) setResults((r) => ({ ...r, [exercise.id]: result }));
  };

  const paste = (text: string): void => {
    const node = tab === 'bigdata02' || tab === 'bigdata03' ? tab : 'bigdata01';
    setTab(node);
    // A terminal opened for the first time by this click mounts on the next render.
    const deliver = (tries: number): void => {
      const session = terminals.current.get(node);
      if (session !== undefined) {
        session.paste(text);
        session.focus();
      } else if (tries > 0) requestAnimationFrame(() => deliver(tries - 1));
    };
    deliver(10);
  };

  return h(
    'div',
    { class: 'lab-page', 'data-testid': 'lab-page', 'data-lab': lab.id },
    h(
      TopBar,
      props.bar,
      h(Link, { href: '/', class: 'crumb', testId: 'back-to-outline' }, `← ${t('backToOutline')}`),
      h('span', { class: 'crumb-title', title: lab.title }, lab.title),
      h(EnvBadge, { env }),
    ),
    h(SplitPane, {
      left: h(Chapter, {
        lab,
        step,
        onStep,
        results,
        onExercise,
        onPaste: env.running ? paste : null,
      }),
      right: h(Workbench, {
        env,
        mode: lab.environment,
        socket,
        tab,
        onTab: setTab,
        registerTerminal,
      }),
    }),
    // Over the page rather than in the workbench: the student may be reading the chapter.
    h(IdleWarning, { socket }),
  );
}

/** Props of LabPage. */
export interface LabPageProps {
  labId: string;
  bar: TopBarProps;
}

/** Loads the lab in the current language (again after a language switch) and shows the workspace. */
export function LabPage(props: LabPageProps): JSX.Element {
  const { lang } = useI18n();
  const [lab, setLab] = useState<LabView | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    setError(null);
    getLab(props.labId, lang)
      .then((l) => live && setLab(l))
      .catch((err: unknown) => live && setError(err));
    return () => {
      live = false;
    };
  }, [props.labId, lang]);

  if (lab === null || lab.id !== props.labId) {
    return h(
      'div',
      { class: 'page' },
      h(TopBar, props.bar, h(Link, { href: '/', class: 'crumb' }, '←')),
      h('main', { class: 'page-main' }, error === null ? h(Loading, {}) : h(FailureNotice, { error })),
    );
  }
  return h(Workspace, { lab, setLab, bar: props.bar });
}
