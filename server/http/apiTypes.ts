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

/** A user's role: students do labs; instructors run classes; admins run the site. */
export type Role = 'student' | 'instructor' | 'admin';

/** GET /api/me, POST /api/session, POST /api/signup, POST /api/setup, POST /api/password */
export interface Me {
  id: number;
  name: string;
  displayName: string | null;
  role: Role;
  /** The language the user chose last (the UI's zh/en switch). */
  lang: Lang;
}

/** How people sign in: `accounts` (passwords, roles, classes) or `open` (name only, trusted rooms). */
export type AuthMode = 'accounts' | 'open';

/** GET /api/auth: what the sign-in page offers (no session needed). */
export interface AuthInfo {
  mode: AuthMode;
  /** No admin exists yet: the console printed a one-time setup link. */
  setupRequired: boolean;
  minPasswordLength: number;
}

/**
 * POST /api/session. In `accounts` mode the password is required; in `open` mode a name alone
 * signs in a student (accounts that have a password still need it).
 */
export interface SignInRequest {
  name: string;
  password?: string;
}

/** POST /api/signup: a student creates their account with their class's join code. */
export interface SignUpRequest {
  joinCode: string;
  name: string;
  password: string;
}

/** POST /api/setup: the one-time setup link's page creates the first admin. */
export interface SetupRequest {
  token: string;
  name: string;
  password: string;
}

/** POST /api/password: a one-time set-password link (roster import, reset) sets the password. */
export interface SetPasswordRequest {
  token: string;
  password: string;
}

/** A class as its instructors see it in lists. */
export interface ClassSummary {
  id: number;
  name: string;
  joinCode: string;
  /** Whether students may still join with the code. */
  open: boolean;
  labs: ClassLab[];
  students: number;
  instructors: string[];
  createdAt: string;
}

/** A lab a class uses, with its optional due date (ISO). */
export interface ClassLab {
  labId: string;
  due: string | null;
}

/** POST /api/classes */
export interface CreateClassRequest {
  name: string;
  /** Lab ids, in order (default: the whole course). */
  labs?: string[];
  /** Due dates (ISO 8601) by lab id. */
  due?: Record<string, string | null>;
}

/** POST /api/classes answer. */
export interface CreatedClass {
  id: number;
  joinCode: string;
}

/** PATCH /api/classes/:id: any of these. */
export interface UpdateClassRequest {
  name?: string;
  labs?: string[];
  due?: Record<string, string | null>;
  open?: boolean;
  /** Make a new join code (the old one stops working). */
  newJoinCode?: boolean;
  /** Add an instructor (by name) as a co-teacher. */
  addInstructor?: string;
}

/** A student of a class, with their environment's state. */
export interface ClassStudent {
  id: number;
  name: string;
  displayName: string | null;
  email: string | null;
  env: EnvPhase;
  /** Whether the student has set a password (roster imports start without one). */
  activated: boolean;
}

/** GET /api/classes/:id */
export interface ClassDetail extends ClassSummary {
  roster: ClassStudent[];
}

/** POST /api/classes/:id/roster (text/csv body: name, optional display name, optional email). */
export interface RosterImportResult {
  /** New accounts with their one-time set-password links (shown once). */
  created: { name: string; displayName: string | null; email: string | null; link: string }[];
  /** Names that already had an account and were added to the class. */
  added: string[];
  /** Names already in the class. */
  unchanged: string[];
  /** The same links as CSV (name, display name, email, link) for download. */
  csv: string;
}

/** One exercise column of the gradebook. */
export interface GradebookExercise {
  labId: string;
  exerciseId: string;
  title: Bilingual;
  points: number;
}

/** One cell of the gradebook: a student on an exercise. */
export interface GradebookCell {
  /** `untried` when nothing was attempted (revealing hints alone is not an attempt). */
  status: 'passed' | 'failed' | 'untried';
  attempts: number;
  hints: number;
  firstAttemptAt: string | null;
  passedAt: string | null;
  points: number;
  /** Passed after the lab's due date. */
  late: boolean;
}

/** One student's row. */
export interface GradebookRow {
  studentId: number;
  name: string;
  displayName: string | null;
  /** In the order of `exercises`. */
  cells: GradebookCell[];
  total: number;
  possible: number;
  /** How many passes came after their due date. */
  late: number;
}

/** One lab of the gradebook, with its due date (ISO instant or null). */
export interface GradebookLab {
  labId: string;
  dueAt: string | null;
}

/** GET /api/classes/:id/gradebook */
export interface GradebookJson {
  /** The class's labs in class order (the CSV's `<lab> late` columns come from these). */
  labs: GradebookLab[];
  exercises: GradebookExercise[];
  rows: GradebookRow[];
}

/** One graded attempt as the student saw it. */
export interface AttemptRecord {
  labId: string;
  exerciseId: string;
  status: 'pass' | 'fail';
  message: Bilingual;
  durationMs: number;
  at: string;
}

/** GET /api/classes/:id/students/:studentId */
export interface StudentDetail {
  student: ClassStudent;
  /** Newest first (at most the last 500). */
  attempts: AttemptRecord[];
  /** This student's gradebook row (hints used, time on each exercise from its cells). */
  row: GradebookRow;
  exercises: GradebookExercise[];
  env: EnvStatus;
}

/** POST /api/classes/:id/students/:studentId/env */
export interface StudentEnvRequest {
  action: 'stop' | 'reset';
}

/** Messages on WS /ws/class/:id (server to browser). */
export type ClassMessage =
  /** The whole gradebook, first on connect. */
  | { type: 'gradebook'; gradebook: GradebookJson }
  /** One student's row changed (an attempt, a hint, a new student). */
  | { type: 'row'; row: GradebookRow }
  /** A student's environment changed state. */
  | { type: 'env'; studentId: number; phase: EnvPhase };

/** GET /api/users (admins): everyone with an account. */
export interface UserSummary {
  id: number;
  name: string;
  displayName: string | null;
  role: Role;
  activated: boolean;
  createdAt: string;
}

/** POST /api/users (admins): a new account and its one-time set-password link. */
export interface CreateUserRequest {
  name: string;
  role: Role;
  displayName?: string;
  email?: string;
}

/** GET /api/admin/capacity (admins): how full the host is, and who waits in line. */
export interface CapacityView {
  /** Environments admitted at once (memory budget and KAFKALAB_MAX_ENVS) and boots at once. */
  capacity: number;
  bootConcurrency: number;
  /** Places taken (running or booting), boots under way, students in line. */
  occupied: number;
  booting: number;
  queued: number;
  /** Warm-pool environments ready to be taken, by mode (they hold places too). */
  pool: { ready: number; install: number };
  /** The line, first first. */
  line: { name: string; position: number; etaSeconds: number }[];
}

/** A one-time link (set-password, setup), shown once. */
export interface OneTimeLink {
  name: string;
  link: string;
  expiresAt: string;
}

/** GET /api/authoring/labs (instructors): each lab's validation status. */
export interface AuthoringStatus {
  version: number;
  loadedAt: string;
  /** `held`: the newest files have problems; students still get the last good version. */
  labs: { id: string; title: Bilingual; exercises: number; problems: number; held: boolean }[];
  /** Problems of the newest load, with file (relative to labs/) and line. */
  problems: { file: string; line: number; message: string }[];
}

/** GET /api/authoring/labs/:id?lang= : the lab as students see it, plus what only authors see. */
export interface AuthoringPreview {
  version: number;
  /** The newest files have problems: this is the last good version, the one students get. */
  held: boolean;
  lab: LabView;
  /** Per exercise: answer key, check parameters and every hint. */
  keys: {
    exerciseId: string;
    kind: 'check' | 'quiz';
    type: string | null;
    params: unknown;
    answer: number[] | null;
    hints: string[];
  }[];
  problems: { file: string; line: number; message: string }[];
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
  /** Waiting for room on the host (`queue` says where in line). */
  | 'queued'
  | 'booting'
  | 'running'
  | 'stopped'
  /** Boot failed; `error` says why. */
  | 'failed'
  /** Half up (some servers down): reset fixes it. */
  | 'broken'
  /**
   * The container engine does not answer (stopped or restarting mid-class): nothing is known about
   * the environment; the server keeps asking while the page is open and pushes the real phase
   * once it answers again. Chapters and progress keep working meanwhile.
   */
  | 'unavailable';

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
  /**
   * Only while `queued`: the 1-based place in line and an estimate of the wait in seconds (from
   * recent boot times); /ws/env pushes a new status whenever the position changes.
   */
  queue?: { position: number; etaSeconds: number };
  /**
   * Why the environment is not as the student left it, until they start it again: stopped after
   * being idle (files kept), removed after being stopped too long (a fresh one is made; progress
   * is kept), or found gone (removed outside Kafka Lab).
   */
  notice?: { reason: 'idle_stopped' | 'expired' | 'missing'; message: string };
}

/**
 * POST /api/env {labId}: start or resume the caller's environment in the lab's mode (202). The
 * answer is `booting`, or `queued` with the place in line when the host is full (never an error).
 */
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

/** POST /api/authoring/labs/:id/exercises/:exerciseId/run: the check's result, nothing recorded. */
export type AuthoringRunResult = Omit<CheckResponse, 'exercise'>;

/** Messages on WS /ws/authoring (server to browser): the labs were reloaded. */
export interface AuthoringMessage {
  type: 'reloaded';
  version: number;
  problems: number;
}

/** Messages on WS /ws/env (JSON text frames, server to browser). */
export type EnvMessage =
  | { type: 'status'; status: EnvStatus }
  | { type: 'snapshot'; snapshot: ClusterSnapshot }
  | { type: 'snapshot-error'; message: string }
  /**
   * Nobody has used the environment for a while: it stops in `stopsInSeconds` unless there is
   * activity (any API call, terminal input, or an `EnvControl` heartbeat); `idle-cleared` says the
   * warning is over.
   */
  | { type: 'idle-warning'; stopsInSeconds: number }
  | { type: 'idle-cleared' };

/** Messages on WS /ws/env from the browser: a visible page's heartbeat ("keep working"). */
export type EnvControl = { type: 'heartbeat' };

/**
 * WS /ws/terminal?node=bigdata01&cols=80&rows=24
 * (an instructor adds `&student=<id>&watch=1` to watch a student's shell read-only: input frames
 * are refused with an `error` event, output and `attached` arrive as for the student)
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
  /** Watchers only: the student's shell is this size (at once, and on every change). */
  | { type: 'size'; cols: number; rows: number }
  /** The shell ended (the student typed exit); the socket closes after this. */
  | { type: 'exit' }
  | { type: 'error'; error: string; message: string };
