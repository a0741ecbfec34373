import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { checkTypes } from '../../../server/checks/registry.ts';
import type { AuthoringMessage, AuthoringPreview, LabView } from '../../../server/http/apiTypes.ts';
import { LiveCourse } from '../../../server/labs/LiveCourse.ts';
import type { Harness } from './harness.ts';
import { classroom, Socket } from './classroomSupport.ts';

/**
 * Authoring against a live labs folder: an author's save reaches the preview socket, a broken
 * save leaves students on the last good version while the preview shows the problem at file:line.
 */
const fixture = path.resolve(import.meta.dirname, '../../fixtures/labs-mini');
let h: Harness | undefined;
let live: LiveCourse | undefined;
let dir = '';
afterEach(async () => {
  await h?.dispose();
  live?.dispose();
  rmSync(dir, { recursive: true, force: true });
  h = undefined;
});

describe('authoring with a live labs folder', () => {
  it('reloads the preview on save; a broken save keeps students on the last good version', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kl-authoring-'));
    cpSync(fixture, dir, { recursive: true });
    const course = new LiveCourse(dir, checkTypes, pino({ level: 'silent' }), { debounceMs: 20 });
    live = course;
    course.start();
    const room = await classroom({
      course: () => course.current(),
      authoring: {
        dir,
        latest: () => course.latest(),
        current: () => course.current(),
        onChange: (l) => course.onChange(l),
      },
    });
    h = room.h;
    const tina = await room.instructor('tina');
    const sam = await room.student((await room.createClass(tina)).joinCode, 'sam');
    const reloads = new Socket<AuthoringMessage>(h, '/ws/authoring', { cookie: tina.cookie });
    await new Promise<void>((resolve) => reloads.ws.once('open', () => resolve()));

    const file = path.join(dir, 'topics', 'lab.md');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('Topics', 'Topics, edited'));
    await reloads.next((m) => m.type === 'reloaded' && m.problems === 0, 'a clean reload');
    const edited = await tina.call<AuthoringPreview>('GET', '/api/authoring/labs/topics?lang=en');
    expect(edited.json).toMatchObject({ held: false, lab: { title: 'Topics, edited' } });
    expect((await sam.call<LabView>('GET', '/api/labs/topics?lang=en')).json.title).toBe('Topics, edited');

    // Saved mid-edit: the front matter no longer parses.
    writeFileSync(file, original.replace(/^title: .*$/m, 'title: { zh: "主题", en: "Topics'));
    await reloads.next((m) => m.type === 'reloaded' && m.problems > 0, 'a reload with problems');
    const broken = await tina.call<AuthoringPreview>('GET', '/api/authoring/labs/topics?lang=en');
    expect(broken.json.held).toBe(true);
    expect(broken.json.problems[0]).toMatchObject({ file: path.join('topics', 'lab.md') });
    expect(broken.json.problems[0]?.line).toBeGreaterThan(0);
    // Students keep the last good version.
    expect((await sam.call<LabView>('GET', '/api/labs/topics?lang=en')).json.title).toBe('Topics, edited');
    reloads.ws.terminate();
  });
});
