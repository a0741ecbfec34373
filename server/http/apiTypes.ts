/**
 * The HTTP and WebSocket contract between the server and the browser app (web/ imports these
 * types). Every error answer is `ApiError` with a 4xx/5xx status.
 */
import type { Snapshot } from '../../agent/types.ts';

/** zh or en. */
export type Lang = 'zh' | 'en';
/** Text in both languages (check messages come in both; the UI shows the current one). */
export interface Bilingual {
  zh: string;
  en: string;
}

/** Any error answer. `error` is a stable machine reason, `message` is for people. */
export interface ApiError {
  error: string;
  message: string;
  details?: string;
}

/** GET /api/me, POST /api/session {name} */
export interface Me {
  name: string;
  /** The language the student chose last (the UI's zh/en switch). */
  lang: Lang;
}

/** POST /api/session */
export interface SignInRequest {
  name: string;
}

/** PUT /api/me {lang} */
export interface PreferencesRequest {
  lang: Lang;
}

/** Where a student stands on one exercise. */
export type ExerciseStatus = 'todo' | 'passed' | 'failed';

/** One lab in GET /api/labs (the course outline), with the caller's progress. */
export interface LabSummary {
  id: string;
  title: Bilingual;
  summary: Bilingual;
  environment: 'install' | 'ready';
  minutes: number;
  requires: string[];
  exercises: number;
  passed: number;
  points: number;
  earned: number;
  /** The step the student last had open (0-based), or null. */
  position: number | null;
}

/** GET /api/labs */
export interface Outline {
  title: Bilingual;
  labs: LabSummary[];
}

/** An exercise as the browser sees it: no answer keys, no check parameters, only revealed hints. */
export type ExerciseView = CheckView | QuizView;

interface ExerciseBase {
  id: string;
  points: number;
  status: ExerciseStatus;
  attempts: number;
  /** Hints revealed so far (in the requested language), and how many exist. */
  hints: string[];
  hintCount: number;
  /** The message of the last graded attempt, if any. */
  lastMessage: Bilingual | null;
}

/** A graded check. */
export interface CheckView extends ExerciseBase {
  kind: 'check';
  title: string;
  type: string;
}

/** A multiple-choice question. */
export interface QuizView extends ExerciseBase {
  kind: 'quiz';
  question: string;
  choices: string[];
  /** Several choices may be right (checkboxes instead of radio buttons). */
  multiple: boolean;
}

/** A piece of a step: sanitized HTML, or an exercise. */
export type Block = { kind: 'html'; html: string } | { kind: 'exercise'; exercise: ExerciseView };

/** A `##` section of a lab. */
export interface StepView {
  index: number;
  title: string;
  blocks: Block[];
}

/** GET /api/labs/:id?lang=zh|en */
export interface LabView {
  id: string;
  lang: Lang;
  title: string;
  summary: string;
  environment: 'install' | 'ready';
  minutes: number;
  intro: Block[];
  steps: StepView[];
  position: number | null;
}

/** PUT /api/labs/:id/position */
export interface PositionRequest {
  step: number;
}

/**
 * POST /api/labs/:id/checks/:exerciseId[?lang=zh|en] (a quiz sends its answer; a check sends {}).
 * The exercise in the answer is in `lang` (default: the student's language).
 */
export interface CheckRequest {
  /** Indexes of the chosen answers (quizzes only). */
  answer?: number[];
}

/** The answer to POST /api/labs/:id/checks/:exerciseId and POST .../hints */
export interface CheckResponse {
  /** `error`: the check could not run (environment down, timeout); not counted as an attempt. */
  status: 'pass' | 'fail' | 'error';
  message: Bilingual;
  durationMs: number;
  /** The exercise afterwards (status, attempts, hints revealed so far). */
  exercise: ExerciseView;
}

/** Environment lifecycle as the student sees it. */
export type EnvPhase =
  | 'none'
  | 'booting'
  | 'running'
  | 'stopped'
  /** Boot failed; `error` says why. */
  | 'failed'
  /** Half up (some servers down): reset fixes it. */
  | 'broken';

/** One boot progress line. */
export interface BootEvent {
  phase: string;
  message: string;
  done?: number;
  total?: number;
  /** Milliseconds since the boot started. */
  at: number;
}

/** GET /api/env, and what /ws/env pushes on every change. */
export interface EnvStatus {
  phase: EnvPhase;
  mode: 'install' | 'ready' | null;
  /** Events of the current or last boot, oldest first. */
  events: BootEvent[];
  error: ApiError | null;
  nodes: string[];
}

/** POST /api/env {labId}: start or resume the caller's environment in the lab's mode (202). */
export interface StartEnvRequest {
  labId: string;
  /** Replace an existing environment of the other mode (its files are lost). */
  reset?: boolean;
}

/** GET /api/files?node=&path= on a directory. */
export interface DirListing {
  kind: 'dir';
  path: string;
  entries: { name: string; type: 'file' | 'dir' | 'link' | 'other'; size: number; mtime: string }[];
}

/** GET /api/files?node=&path= on a file (text; binary files are refused with 415). */
export interface FileView {
  kind: 'file';
  path: string;
  content: string;
  mtime: string;
}

/** PUT /api/files?node=&path= with the new content as the text/plain body. */
export interface SavedFile {
  path: string;
  bytes: number;
}

/**
 * The cluster as the agent sees it (the agent's own document type); /ws/env pushes it every few
 * seconds while the page is open.
 */
export type ClusterSnapshot = Snapshot;

/** Messages on WS /ws/env (JSON text frames, server to browser). */
export type EnvMessage =
  | { type: 'status'; status: EnvStatus }
  | { type: 'snapshot'; snapshot: ClusterSnapshot }
  | { type: 'snapshot-error'; message: string };

/**
 * WS /ws/terminal?node=bigdata01&cols=80&rows=24
 * - browser to server: binary frames = keystrokes (UTF-8 bytes); text frames = TerminalControl.
 * - server to browser: binary frames = terminal output (raw bytes, never split into strings on
 *   the server); text frames = TerminalEvent.
 * Reconnecting within the grace period reattaches to the same shell and replays its recent output.
 */
export type TerminalControl =
  | { type: 'resize'; cols: number; rows: number }
  /** Flow control: the browser's terminal is behind; stop sending until `resume`. */
  | { type: 'pause' }
  | { type: 'resume' };

/** Text frames from the server on the terminal socket. */
export type TerminalEvent =
  /** Attached: `replayed` bytes of earlier output follow (0 for a new shell). */
  | { type: 'attached'; node: string; fresh: boolean; replayed: number }
  /** The shell ended (the student typed exit); the socket closes after this. */
  | { type: 'exit' }
  | { type: 'error'; error: string; message: string };
