import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Disposable } from '../env/EnvManager.ts';
import { messageOf } from '../errors.ts';
import type { Logger } from '../log.ts';
import { loadCourse, type CheckTypes, type Course } from './loader.ts';
import type { Lab, LabProblem } from './model.ts';

/** Loads a course from a folder; `loadCourse` unless a test injects another. */
export type CourseLoader = (dir: string, checkTypes: CheckTypes) => Course;

/** Options of a LiveCourse; the defaults suit the server. */
export interface LiveCourseOptions {
  /**
   * Quiet time after the last file event before reloading. An editor's save is a burst of events
   * (temp file, rename, chmod) within a few milliseconds, and `git checkout` touches many files at
   * once; 200 ms merges either into one reload and is still instant for an author.
   */
  readonly debounceMs?: number;
  /** The loader; tests inject one that fails. */
  readonly load?: CourseLoader;
}

/** The newest load attempt, as the authoring preview shows it. */
export interface CourseSnapshot {
  /** What the newest load produced (broken labs left out), or the previous attempt's if it threw. */
  readonly course: Course;
  /** Every problem of the newest attempt, located; one at the labs folder if the load threw. */
  readonly problems: readonly LabProblem[];
  /** When the attempt finished (ISO 8601). */
  readonly loadedAt: string;
  /** 1 for the load in the constructor, one more for each reload. */
  readonly version: number;
  /** Ids of the labs students still see at an earlier version because this attempt rejected them. */
  readonly held: readonly string[];
}

const DEFAULT_DEBOUNCE_MS = 200;
const COURSE_FILE = 'course.yaml';
/**
 * The files of a lab folder that loader.ts reads (solve.sh only for its existence). Anything else
 * there is ignored, notably editors' swap and backup files: vim rewrites its swap file every few
 * seconds while an author types, which would otherwise reload the preview page under them.
 */
const LAB_FILES: ReadonlySet<string> = new Set(['lab.md', 'solve.sh']);

/** A watched folder and the inode it had, to notice one deleted and created again under the same name. */
interface Watched {
  readonly watcher: FSWatcher;
  readonly ino: number;
}

/**
 * The course served to students, reloaded when files under the labs folder change, so instructors
 * can edit labs while the server runs.
 *
 * What students get (`current()`) is the last good course, decided per lab: the loader already
 * leaves a broken lab out and locates each problem in a file, so a lab the newest load rejected
 * for its own content keeps the version students had, while the other labs update. Two cases keep
 * the whole previous course instead:
 *  - a problem in course.yaml: it says which labs exist and in what order, and a half-edited one
 *    (or a listed lab whose folder was just renamed) could drop every lab at once. Nothing updates
 *    until course.yaml is fixed; the preview shows why.
 *  - a load that throws (the loader turns bad files into problems, so this means the folder itself
 *    could not be read).
 * A lab is not held when its problems are course-level (it was taken out of course.yaml, say), nor
 * when its folder is gone; a lab that was never good is left out, as at startup.
 *
 * Watching: fs.watch `recursive` exists on Linux in Node 20, but as JavaScript that watches each
 * file's inode, so after an editor's atomic save (write a temp file, rename it over lab.md) it stays
 * on the replaced inode and misses every later write to the file (checked on Node 20.20). Loads
 * read only `course.yaml`, `<lab>/lab.md` and `<lab>/solve.sh`, so this watches the labs folder and
 * each lab folder, non-recursively, and re-arms on each reload for folders that appeared, went or
 * were replaced.
 */
export class LiveCourse {
  private readonly debounceMs: number;
  private readonly load: CourseLoader;
  private served: Course;
  private snapshot: CourseSnapshot;
  private readonly listeners = new Set<(snapshot: CourseSnapshot) => void>();
  /** Watched folders by name relative to the labs folder; '' is the labs folder itself. */
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private disposed = false;

  /** Loads the course once, synchronously; watching starts with `start()`. */
  constructor(
    private readonly dir: string,
    private readonly checkTypes: CheckTypes,
    private readonly log: Logger,
    options: LiveCourseOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.load = options.load ?? loadCourse;
    // Nothing is served yet to fall back on, so a first load that throws throws here, as
    // loadCourse does at startup today.
    const course = this.load(dir, checkTypes);
    this.served = course;
    this.snapshot = { course, problems: course.problems, loadedAt: now(), version: 1, held: [] };
  }

  /** The course students get: the last good version of each lab (see the class comment). */
  current(): Course {
    return this.served;
  }

  /** The newest load attempt with its problems, even if broken: what the authoring preview shows. */
  latest(): CourseSnapshot {
    return this.snapshot;
  }

  /** Calls `listener` after each reload, good or not, with the new `latest()`. */
  onChange(listener: (snapshot: CourseSnapshot) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /**
   * Starts watching the labs folder. Safe to call twice; does nothing after `dispose()`. If the
   * folder cannot be watched (it is missing, or inotify's watch limit is reached) the course stays
   * as loaded and the reason is logged: the server serves on without live reload.
   */
  start(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    this.arm();
  }

  /** Stops watching and notifying; a reload waiting for its quiet time is dropped. Safe to call twice. */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const { watcher } of this.watched.values()) watcher.close();
    this.watched.clear();
    this.listeners.clear();
  }

  /** Restarts the quiet time; the reload runs once events stop for `debounceMs`. */
  private schedule(): void {
    if (this.disposed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload(), this.debounceMs);
    // A pending reload is no reason to keep a process alive that is otherwise done.
    this.timer.unref();
  }

  private reload(): void {
    this.timer = undefined;
    if (this.disposed) return;
    // Before loading, so a file written into a new folder after this point is an event of its own,
    // and one written before it is read by this load.
    this.arm();
    const version = this.snapshot.version + 1;
    try {
      const course = this.load(this.dir, this.checkTypes);
      const { served, held } = serve(this.served, course, this.dir);
      this.served = served;
      this.snapshot = { course, problems: course.problems, loadedAt: now(), version, held };
      const fields = { version, problems: course.problems.length, held };
      if (held.length > 0)
        this.log.warn(fields, 'labs reloaded; labs with problems keep their previous version');
      else this.log.info(fields, 'labs reloaded');
      for (const p of course.problems)
        this.log.debug({ file: p.file, line: p.line }, `lab problem: ${p.message}`);
    } catch (err) {
      this.log.error({ err, version }, 'labs could not be reloaded; students keep the previous course');
      this.snapshot = {
        course: this.snapshot.course,
        problems: [{ file: this.dir, line: 1, message: `the course could not be loaded: ${messageOf(err)}` }],
        loadedAt: now(),
        version,
        held: this.served.labs.map((l) => l.id),
      };
    }
    for (const listener of this.listeners) {
      try {
        listener(this.snapshot);
      } catch (err) {
        // One broken subscriber (a preview socket, say) must not stop the others or the reloads.
        this.log.error({ err }, 'a course change listener threw');
      }
    }
  }

  /**
   * Watches the labs folder and each lab folder in it (what the loader counts as one: not hidden, a
   * folder or a link to one), and stops watching folders that are gone. Idempotent; failures are
   * logged, never thrown, since this runs on file events.
   */
  private arm(): void {
    const names = new Set(['']);
    try {
      for (const name of readdirSync(this.dir)) {
        if (!name.startsWith('.') && inodeOfFolder(path.join(this.dir, name)) !== undefined) names.add(name);
      }
    } catch (err) {
      this.log.warn({ err, dir: this.dir }, 'cannot list the labs folder; changes in it are not seen');
    }
    for (const [name, { watcher, ino }] of this.watched) {
      if (names.has(name) && inodeOfFolder(path.join(this.dir, name)) === ino) continue;
      watcher.close();
      this.watched.delete(name);
    }
    for (const name of names) {
      if (!this.watched.has(name)) this.watchFolder(name);
    }
  }

  private watchFolder(name: string): void {
    const folder = path.join(this.dir, name);
    const ino = inodeOfFolder(folder);
    if (ino === undefined) return;
    const relevant =
      name === ''
        ? (file: string): boolean =>
            !file.startsWith('.') &&
            (file === COURSE_FILE ||
              this.watched.has(file) ||
              inodeOfFolder(path.join(this.dir, file)) !== undefined)
        : (file: string): boolean => LAB_FILES.has(file);
    try {
      // Not persistent: the server's sockets keep it alive, and a forgotten dispose must not keep a
      // test or CLI process from ending.
      const watcher = watch(folder, { persistent: false }, (_event, file) => {
        if (file === null || relevant(file)) this.schedule();
      });
      watcher.on('error', (err) => {
        // Without a listener this 'error' would end the process. The folder was probably removed;
        // the reload re-arms whatever exists by then.
        this.log.warn({ err, folder }, 'watching a labs folder failed');
        watcher.close();
        if (this.watched.get(name)?.watcher === watcher) this.watched.delete(name);
        this.schedule();
      });
      this.watched.set(name, { watcher, ino });
    } catch (err) {
      this.log.warn({ err, folder }, 'cannot watch a labs folder; changes in it are not seen');
    }
  }
}

/**
 * What students get after a load: `next` where it is good, `previous` for labs it rejected for their
 * own content, all of `previous` when course.yaml has a problem (see LiveCourse).
 */
function serve(previous: Course, next: Course, dir: string): { served: Course; held: string[] } {
  const courseYaml = path.join(dir, COURSE_FILE);
  if (next.problems.some((p) => p.file === courseYaml))
    return { served: previous, held: previous.labs.map((l) => l.id) };
  const loaded = new Set(next.labs.map((l) => l.id));
  const rejected = (lab: Lab): boolean => {
    const own = next.problems.filter((p) => path.dirname(p.file) === lab.dir);
    // A broken lab gets a course-level problem only when course.yaml no longer lists it.
    return own.some((p) => !p.courseLevel) && !own.some((p) => p.courseLevel);
  };
  const held = previous.labs.filter((l) => !loaded.has(l.id) && rejected(l));
  if (held.length === 0) return { served: next, held: [] };
  // next.labs leaves the held labs out, so place each after the lab that preceded it before (in
  // previous order, so held neighbours keep theirs); right unless course.yaml was reordered too.
  const labs = [...next.labs];
  for (const lab of held) {
    const before = previous.labs.slice(0, previous.labs.indexOf(lab)).reverse();
    const after = before.map((b) => labs.findIndex((l) => l.id === b.id)).find((i) => i >= 0);
    labs.splice(after === undefined ? 0 : after + 1, 0, lab);
  }
  return { served: { ...next, labs }, held: held.map((l) => l.id) };
}

/** The inode of a folder (following links, as the loader does), or undefined if it is none. */
function inodeOfFolder(p: string): number | undefined {
  try {
    const stat = statSync(p);
    return stat.isDirectory() ? stat.ino : undefined;
  } catch {
    return undefined;
  }
}

function now(): string {
  return new Date().toISOString();
}
