import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkTypes } from '../../../server/checks/registry.ts';
import { loadCourse, type Course } from '../../../server/labs/loader.ts';
import { LiveCourse, type CourseSnapshot, type LiveCourseOptions } from '../../../server/labs/LiveCourse.ts';

const fixture = path.resolve(import.meta.dirname, '../../fixtures/labs-mini');
const silent = pino({ level: 'silent' });

let dir: string;
const running: LiveCourse[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kafkalab-live-'));
  cpSync(fixture, dir, { recursive: true });
});

afterEach(() => {
  for (const live of running.splice(0)) live.dispose();
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

/** A started LiveCourse on the temp copy, disposed after the test. */
function started(options: LiveCourseOptions = {}, log = silent): LiveCourse {
  const live = new LiveCourse(dir, checkTypes, log, { debounceMs: 20, ...options });
  running.push(live);
  live.start();
  return live;
}

/**
 * The first notification from now on for which `ok` holds. A save can arrive as more than one burst
 * (writeFileSync truncates, then writes), so tests wait for the state they expect, not for a count.
 */
function changed(live: LiveCourse, ok: (s: CourseSnapshot) => boolean = () => true): Promise<CourseSnapshot> {
  return new Promise((resolve) => {
    const subscription = live.onChange((s) => {
      if (!ok(s)) return;
      subscription.dispose();
      resolve(s);
    });
  });
}

function file(...parts: string[]): string {
  return path.join(dir, ...parts);
}

function edit(relative: string, change: (text: string) => string): void {
  const p = file(relative);
  writeFileSync(p, change(readFileSync(p, 'utf8')));
}

/** Replaces the English title in a lab's front matter. */
function retitle(lab: string, from: string, to: string): void {
  edit(`${lab}/lab.md`, (text) => text.replace(`en: "${from}" }`, `en: "${to}" }`));
}

function titleIn(course: Course, id: string): string | undefined {
  return course.labs.find((l) => l.id === id)?.title.en;
}

/** Line 3 of lab.md is `title: ...`; an unclosed quote there is a YAML error the loader puts at line 3. */
function breakTitle(lab: string): void {
  edit(`${lab}/lab.md`, (text) => text.replace(/^title: .*$/m, 'title: "unterminated'));
}

describe('LiveCourse', { timeout: 5_000 }, () => {
  it('serves a lab with its new title once the file is saved', async () => {
    const live = started();
    expect(titleIn(live.current(), 'topics')).toBe('Topics');
    const next = changed(live, (s) => titleIn(s.course, 'topics') === 'Topic basics');
    retitle('topics', 'Topics', 'Topic basics');
    const snapshot = await next;
    expect(titleIn(live.current(), 'topics')).toBe('Topic basics');
    expect(snapshot.version).toBeGreaterThan(1);
    expect(snapshot.problems).toEqual([]);
    expect(live.latest()).toBe(snapshot);
  });

  it('keeps the last good version of a broken lab while the other labs update, and recovers', async () => {
    const live = started();
    const good = changed(live, (s) => titleIn(s.course, 'topics') === 'Topic basics');
    retitle('topics', 'Topics', 'Topic basics');
    await good;
    const lastGood = live.current().labs.find((l) => l.id === 'topics');

    const broken = changed(
      live,
      (s) =>
        s.problems.some((p) => p.file === file('topics', 'lab.md')) &&
        titleIn(s.course, 'setup') === 'Kafka setup',
    );
    breakTitle('topics');
    retitle('setup', 'Setup', 'Kafka setup');
    const snapshot = await broken;
    expect(snapshot.problems.map((p) => `${p.file}:${p.line}: ${p.message}`)).toEqual([
      `${file('topics', 'lab.md')}:3: YAML: Missing closing "quote`,
    ]);
    expect(snapshot.held).toEqual(['topics']);
    // The preview shows what the files hold: no topics lab. Students keep it, in its place.
    expect(snapshot.course.labs.map((l) => l.id)).toEqual(['setup']);
    expect(live.current().labs.map((l) => l.id)).toEqual(['topics', 'setup']);
    expect(live.current().labs[0]).toBe(lastGood);
    expect(titleIn(live.current(), 'topics')).toBe('Topic basics');
    expect(titleIn(live.current(), 'setup')).toBe('Kafka setup');

    const fixed = changed(live, (s) => s.problems.length === 0);
    edit('topics/lab.md', (text) =>
      text.replace(/^title: .*$/m, 'title: { zh: "主题", en: "Topics, fixed" }'),
    );
    const recovered = await fixed;
    expect(recovered.held).toEqual([]);
    expect(titleIn(live.current(), 'topics')).toBe('Topics, fixed');
    expect(live.current().labs.map((l) => l.id)).toEqual(['topics', 'setup']);
  });

  it('keeps the whole course while course.yaml is broken', async () => {
    const live = started();
    const before = live.current();
    const broken = changed(
      live,
      (s) =>
        s.problems.some((p) => p.file === file('course.yaml')) && titleIn(s.course, 'setup') === undefined,
    );
    edit('course.yaml', (text) => text.replace('labs: [topics, setup]', 'labs: [topics, setup'));
    retitle('setup', 'Setup', 'Kafka setup');
    const snapshot = await broken;
    expect(snapshot.problems[0]).toMatchObject({
      file: file('course.yaml'),
      line: expect.any(Number) as number,
    });
    expect(snapshot.held).toEqual(['topics', 'setup']);
    expect(live.current()).toBe(before);

    const fixed = changed(live, (s) => s.problems.length === 0);
    edit('course.yaml', (text) => text.replace('labs: [topics, setup', 'labs: [topics, setup]'));
    await fixed;
    expect(titleIn(live.current(), 'setup')).toBe('Kafka setup');
  });

  it('drops a broken lab that was also taken out of course.yaml', async () => {
    const live = started();
    const next = changed(
      live,
      (s) =>
        s.problems.some((p) => p.message.startsWith('YAML:')) &&
        s.problems.some((p) => p.message.includes('not listed in course.yaml')),
    );
    edit('course.yaml', (text) => text.replace('labs: [topics, setup]', 'labs: [setup]'));
    breakTitle('topics');
    const snapshot = await next;
    expect(snapshot.held).toEqual([]);
    expect(live.current().labs.map((l) => l.id)).toEqual(['setup']);
  });

  it("sees an editor's atomic save (rename over lab.md) and the writes after it", async () => {
    const live = started();
    const renamed = changed(live, (s) => titleIn(s.course, 'topics') === 'Renamed');
    const temp = file('topics', 'lab.md.tmp');
    writeFileSync(
      temp,
      readFileSync(file('topics', 'lab.md'), 'utf8').replace('en: "Topics" }', 'en: "Renamed" }'),
    );
    renameSync(temp, file('topics', 'lab.md'));
    await renamed;
    // Node 20's recursive fs.watch misses this one: it still watches the inode the rename replaced.
    const inPlace = changed(live, (s) => titleIn(s.course, 'topics') === 'In place');
    retitle('topics', 'Renamed', 'In place');
    await inPlace;
    expect(titleIn(live.current(), 'topics')).toBe('In place');
  });

  it('watches a lab folder created after start', async () => {
    const live = started();
    const added = changed(live, (s) => titleIn(s.course, 'extra') === 'Extra');
    mkdirSync(file('extra'));
    writeFileSync(file('extra', 'solve.sh'), 'true\n');
    writeFileSync(
      file('extra', 'lab.md'),
      readFileSync(file('setup', 'lab.md'), 'utf8')
        .replace('id: setup', 'id: extra')
        .replace('en: "Setup" }', 'en: "Extra" }'),
    );
    edit('course.yaml', (text) => text.replace('labs: [topics, setup]', 'labs: [topics, setup, extra]'));
    await added;
    // Only the new folder's file changes now, so only a watch on that folder can see it.
    const retitled = changed(live, (s) => titleIn(s.course, 'extra') === 'Extra, edited');
    retitle('extra', 'Extra', 'Extra, edited');
    await retitled;
    expect(live.current().labs.map((l) => [l.id, l.title.en])).toEqual([
      ['topics', 'Topics'],
      ['setup', 'Setup'],
      ['extra', 'Extra, edited'],
    ]);
  });

  it("ignores editors' swap files in a lab folder", async () => {
    // Fake timeouts let the test fire the debounce at will; fs events stay real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const live = started();
    let notified = 0;
    live.onChange(() => notified++);
    /** Writes a file and returns once the file event has reached every watcher of the folder. */
    const written = async (name: string, text: string): Promise<void> => {
      const seen = new Promise<void>((resolve) => {
        const probe = watch(file('topics'), (_event, f) => {
          if (f !== name) return;
          probe.close();
          resolve();
        });
      });
      writeFileSync(file('topics', name), text);
      await seen;
      // The event reaches each watcher in the same loop turn; let all their callbacks finish.
      await new Promise((resolve) => setImmediate(resolve));
      vi.runOnlyPendingTimers();
    };
    await written('.lab.md.swp', 'swap');
    await written('lab.md~', 'backup');
    expect(notified).toBe(0);
    // The control: the same steps for lab.md do reload.
    await written(
      'lab.md',
      readFileSync(file('topics', 'lab.md'), 'utf8').replace('"Topics" }', '"Swapped" }'),
    );
    expect(notified).toBe(1);
    expect(titleIn(live.current(), 'topics')).toBe('Swapped');
  });

  it('logs a reload that throws and keeps serving the last good course', async () => {
    const lines: { level: number; msg: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done): void {
        lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
        done();
      },
    });
    let failing = false;
    const live = started(
      {
        load: (d, types) => {
          if (failing) throw new Error('disk on fire');
          return loadCourse(d, types);
        },
      },
      pino({ level: 'info' }, sink),
    );
    const before = live.current();
    failing = true;
    const failed = changed(live);
    retitle('topics', 'Topics', 'Unseen');
    const snapshot = await failed;
    expect(snapshot.problems).toEqual([
      { file: dir, line: 1, message: 'the course could not be loaded: disk on fire' },
    ]);
    expect(snapshot.held).toEqual(['topics', 'setup']);
    expect(live.current()).toBe(before);
    // pino's level 50 is error.
    expect(lines.filter((l) => l.level === 50).map((l) => l.msg)).toEqual([
      'labs could not be reloaded; students keep the previous course',
    ]);

    failing = false;
    const recovered = changed(live, (s) => s.problems.length === 0);
    retitle('topics', 'Unseen', 'Seen');
    await recovered;
    expect(titleIn(live.current(), 'topics')).toBe('Seen');
  });

  it('keeps notifying the other listeners when one throws', async () => {
    const live = started();
    live.onChange(() => {
      throw new Error('a broken preview socket');
    });
    const next = changed(live, (s) => titleIn(s.course, 'topics') === 'Still');
    retitle('topics', 'Topics', 'Still');
    expect((await next).problems).toEqual([]);
  });

  it('stops watching and notifying once disposed, and a disposed subscription gets nothing', async () => {
    let loads = 0;
    const counted = (d: string, types: typeof checkTypes): Course => {
      loads++;
      return loadCourse(d, types);
    };
    const disposed = started({ debounceMs: 1, load: counted });
    let disposedNotified = 0;
    disposed.onChange(() => disposedNotified++);
    const unsubscribed = started({ debounceMs: 1 });
    let unsubscribedNotified = 0;
    unsubscribed.onChange(() => unsubscribedNotified++).dispose();
    // The control: as quick as `disposed`, so it is notified well before `slow` is.
    const control = started({ debounceMs: 1 });
    let controlNotified = 0;
    control.onChange(() => controlNotified++);
    const slow = started({ debounceMs: 300 });

    disposed.dispose();
    disposed.dispose();
    disposed.start();
    const loadsBefore = loads;
    const done = changed(slow, (s) => titleIn(s.course, 'topics') === 'After dispose');
    retitle('topics', 'Topics', 'After dispose');
    await done;
    expect(controlNotified).toBeGreaterThan(0);
    expect(titleIn(unsubscribed.current(), 'topics')).toBe('After dispose');
    expect(unsubscribedNotified).toBe(0);
    expect(disposedNotified).toBe(0);
    expect(loads).toBe(loadsBefore);
    expect(titleIn(disposed.current(), 'topics')).toBe('Topics');
  });
});
