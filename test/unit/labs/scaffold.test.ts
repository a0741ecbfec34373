import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkTypes } from '../../../server/checks/registry.ts';
import { loadCourse } from '../../../server/labs/loader.ts';
import { addToCourseYaml, createLab, scaffoldLab } from '../../../server/labs/scaffold.ts';

const courseYaml = `# The course (ids = folder names).
title: { zh: "课程", en: "Course" }
labs:
  - first-lab # the only one so far
`;

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A labs folder holding only course.yaml, listing `listed`. */
function labsFolder(listed: string[] = []): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kl-scaffold-'));
  made.push(dir);
  writeFileSync(
    path.join(dir, 'course.yaml'),
    `title: { zh: "课程", en: "Course" }\nlabs:\n${listed.map((id) => `  - ${id}\n`).join('')}`,
  );
  return dir;
}

describe('createLab', () => {
  it('writes a lab the loader accepts with no problem: one check on a topic, one quiz, an executable solve.sh', () => {
    const dir = labsFolder(['demo-lab']);
    const created = createLab(dir, 'demo-lab', { title: '演示 / Demo' });
    expect(created.course).toBeUndefined();
    expect(readdirSync(created.dir).sort()).toEqual(['lab.md', 'solve.sh']);

    const course = loadCourse(dir, checkTypes);
    expect(course.problems).toEqual([]);
    const lab = course.labs[0];
    expect(lab).toMatchObject({ id: 'demo-lab', title: { zh: '演示', en: 'Demo' }, environment: 'ready' });
    expect(lab?.exercises.map((e) => e.kind)).toEqual(['check', 'quiz']);
    expect(lab?.exercises[0]).toMatchObject({ type: 'kafka.topic', params: { topic: 'demo-lab-topic' } });
    // solve.sh makes what the check wants.
    const solve = readFileSync(path.join(created.dir, 'solve.sh'), 'utf8');
    expect(solve).toMatch(/^#!\/bin\/bash\n/);
    expect(solve).toContain(
      '--create --if-not-exists --topic demo-lab-topic --partitions 3 --replication-factor 3',
    );
    expect(statSync(path.join(created.dir, 'solve.sh')).mode & 0o111).toBe(0o111);
  });

  it('leaves course.yaml alone by default, and the unlisted lab is the one problem', () => {
    const dir = labsFolder(['other']);
    createLab(dir, 'other');
    const before = readFileSync(path.join(dir, 'course.yaml'), 'utf8');
    createLab(dir, 'second-lab');
    expect(readFileSync(path.join(dir, 'course.yaml'), 'utf8')).toBe(before);
    expect(loadCourse(dir, checkTypes).problems.map((p) => p.message)).toEqual([
      'lab "second-lab" is not listed in course.yaml',
    ]);
  });

  it('with addToCourse appends the lab to course.yaml, and the course loads with no problem', () => {
    const dir = labsFolder(['first-lab']);
    writeFileSync(path.join(dir, 'course.yaml'), courseYaml);
    createLab(dir, 'first-lab');
    const created = createLab(dir, 'second-lab', { addToCourse: true });
    expect(created.course).toBe('added');
    expect(readFileSync(path.join(dir, 'course.yaml'), 'utf8')).toBe(`${courseYaml}  - second-lab\n`);
    const course = loadCourse(dir, checkTypes);
    expect(course.problems).toEqual([]);
    expect(course.labs.map((l) => l.id)).toEqual(['first-lab', 'second-lab']);
  });

  it('refuses an id the loader would not accept, writing nothing', () => {
    const dir = labsFolder();
    for (const id of ['Demo', 'demo_lab', 'demo--lab', '-demo', '../escape', 'demo/lab', '']) {
      expect(() => createLab(dir, id), id).toThrow(/is not a valid lab id: ids are lowercase words/);
      expect(() => createLab(dir, id), id).toThrow(
        expect.objectContaining({ status: 422, reason: 'bad_lab_id' }),
      );
    }
    expect(readdirSync(dir)).toEqual(['course.yaml']);
  });

  it('refuses an existing folder or file of that name and does not overwrite what is there', () => {
    const dir = labsFolder(['taken']);
    mkdirSync(path.join(dir, 'taken'));
    writeFileSync(path.join(dir, 'taken', 'lab.md'), 'mine\n');
    writeFileSync(path.join(dir, 'plain-file'), 'also mine\n');
    const course = readFileSync(path.join(dir, 'course.yaml'), 'utf8');
    for (const id of ['taken', 'plain-file']) {
      expect(() => createLab(dir, id, { addToCourse: true }), id).toThrow(
        expect.objectContaining({ status: 409, reason: 'lab_exists' }),
      );
    }
    expect(readdirSync(path.join(dir, 'taken'))).toEqual(['lab.md']);
    expect(readFileSync(path.join(dir, 'taken', 'lab.md'), 'utf8')).toBe('mine\n');
    expect(readFileSync(path.join(dir, 'plain-file'), 'utf8')).toBe('also mine\n');
    expect(readFileSync(path.join(dir, 'course.yaml'), 'utf8')).toBe(course);
  });

  it('refuses a missing labs folder, and addToCourse without a course.yaml, before writing anything', () => {
    const dir = labsFolder();
    expect(() => createLab(path.join(dir, 'nope'), 'demo-lab')).toThrow(
      expect.objectContaining({ reason: 'labs_dir_missing' }),
    );
    rmSync(path.join(dir, 'course.yaml'));
    expect(() => createLab(dir, 'demo-lab', { addToCourse: true })).toThrow(
      expect.objectContaining({ reason: 'course_unreadable' }),
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('scaffoldLab', () => {
  it('uses one title for both languages when it has no " / ", and refuses an empty half', () => {
    const lab = scaffoldLab('demo-lab', { title: 'Consumer "lag"' }).find((f) => f.name === 'lab.md');
    expect(lab?.content).toContain('title: { zh: "Consumer \\"lag\\"", en: "Consumer \\"lag\\"" }');
    expect(() => scaffoldLab('demo-lab', { title: ' / English' })).toThrow(
      expect.objectContaining({ reason: 'bad_title' }),
    );
  });
});

describe('addToCourseYaml', () => {
  it('appends after the last entry, keeping its indentation and comments', () => {
    expect(addToCourseYaml('labs:\n    - a  # note\n# end\n', 'b')).toBe(
      'labs:\n    - a  # note\n    - b\n# end\n',
    );
    expect(addToCourseYaml('labs:\n  - a', 'b')).toBe('labs:\n  - a\n  - b\n');
  });

  it('handles a flow list, and leaves an id that is listed already', () => {
    expect(addToCourseYaml('labs: [a, b]\n', 'c')).toBe('labs: [a, b, c]\n');
    expect(addToCourseYaml('labs: []\n', 'c')).toBe('labs: [c]\n');
    expect(addToCourseYaml(courseYaml, 'first-lab')).toBeUndefined();
  });

  it('refuses a course.yaml without a labs list', () => {
    expect(() => addToCourseYaml('title: x\n', 'c')).toThrow(
      expect.objectContaining({ reason: 'course_unreadable' }),
    );
    expect(() => addToCourseYaml('labs: [\n', 'c')).toThrow(
      expect.objectContaining({ reason: 'course_unreadable' }),
    );
  });
});
