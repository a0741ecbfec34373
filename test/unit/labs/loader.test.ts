import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTypes } from '../../../server/checks/registry.ts';
import { loadCourse } from '../../../server/labs/loader.ts';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/labs-broken');

describe('loadCourse on the broken fixtures', () => {
  const course = loadCourse(fixtures, checkTypes);
  const at = (lab: string): string[] =>
    course.problems.filter((p) => p.file.includes(`${path.sep}${lab}${path.sep}`)).map((p) => `${path.basename(p.file)}:${p.line}: ${p.message}`);

  it('still loads the valid labs next to the broken ones (a dangling requires is a course problem only)', () => {
    expect(course.labs.map((l) => l.id)).toEqual(['good-one', 'broken-requires']);
    const lab = course.labs[0];
    expect(lab?.steps.map((s) => s.title)).toEqual([{ zh: '第一步', en: 'First step' }]);
    expect(lab?.exercises).toMatchObject([{ kind: 'check', id: 'topic-a', type: 'kafka.topic', points: 10, params: { topic: 'a', partitions: 3, exists: true } }]);
  });

  it('reports malformed YAML at its line', () => {
    expect(at('bad-yaml')).toEqual([expect.stringMatching(/^lab\.md:22: YAML: Flow map in block collection/)]);
  });

  it('reports an unknown check type with the known ones', () => {
    expect(at('unknown-type')).toEqual([expect.stringMatching(/^lab\.md:22: unknown check type "kafka.nope" \(known: broker.config, command, file,/)]);
  });

  it('reports missing translations in front matter, hints and steps', () => {
    expect(at('missing-translation')).toEqual([
      'lab.md:3: title.en: missing translation: en',
      'lab.md:21: hints.0.en: missing translation: en',
      'lab.md:9: missing translation: this step has 1 ::: zh and 0 ::: en blocks (add the en text) before line 23',
    ]);
  });

  it('reports duplicate ids, bad regexes and bad parameters at the line of the field', () => {
    expect(at('dup-id')).toEqual(['lab.md:26: duplicate exercise id "same"']);
    expect(at('bad-regex')).toEqual([expect.stringMatching(/^lab\.md:24: file: matches: regex does not compile: .*Unterminated character class/)]);
    expect(at('bad-param')).toEqual([
      'lab.md:24: kafka.topic: partitions: Invalid input: expected number, received string',
      'lab.md:25: kafka.topic: unknown field "replicas"',
    ]);
  });

  it('reports broken requires, a missing solve.sh, and course.yaml mismatches', () => {
    expect(at('broken-requires')).toEqual(['lab.md:7: requires "nope", which is not a lab']);
    expect(at('no-solve')).toEqual(['solve.sh:1: solve.sh is missing: every lab has a solution script']);
    expect(at('not-listed')).toEqual(['lab.md:1: lab "not-listed" is not listed in course.yaml']);
    expect(course.problems.filter((p) => p.file.endsWith('course.yaml')).map((p) => `${p.line}: ${p.message}`)).toEqual([
      '12: course.yaml lists "ghost", but ghost/lab.md does not exist',
    ]);
  });
});

describe('loadLab body rules', () => {
  function labWith(body: string, extraFront = ''): string[] {
    const dir = mkdtempSync(path.join(tmpdir(), 'kl-lab-'));
    mkdirSync(path.join(dir, 'x'));
    writeFileSync(path.join(dir, 'course.yaml'), 'title: { zh: "课", en: "Course" }\nlabs: [x]\n');
    writeFileSync(path.join(dir, 'x', 'solve.sh'), 'true\n');
    writeFileSync(
      path.join(dir, 'x', 'lab.md'),
      `---\nid: x\ntitle: { zh: "题", en: "T" }\nsummary: { zh: "摘", en: "S" }\nenvironment: ready\nminutes: 5\n${extraFront}---\n${body}`,
    );
    return loadCourse(dir, checkTypes).problems.map((p) => `${p.line}: ${p.message}`);
  }
  const ok = '## 步 / Step\n\n::: zh\n中\n:::\n\n::: en\nEn\n:::\n';

  it('accepts a minimal lab', () => {
    expect(labWith(ok)).toEqual([]);
  });

  it('rejects untranslated prose, bad headings, unclosed blocks and stray exercises', () => {
    expect(labWith(`${ok}\nplain text\n`)).toEqual(['18: text outside a ::: zh / ::: en block would show untranslated: put it in both blocks']);
    expect(labWith('## Only English\n\n::: zh\n中\n:::\n::: en\nEn\n:::\n')).toEqual(['8: step headings are "## 中文标题 / English title"']);
    expect(labWith('## 步 / Step\n\n::: zh\n中\n')).toContain('10: ::: zh block is not closed');
    expect(labWith('```quiz\nid: q\n```\n')[0]).toBe('8: a quiz block must be inside a step (after a ## heading)');
  });

  it('rejects unknown front matter fields and quiz answers that are not choices', () => {
    expect(labWith(ok, 'level: hard\n')).toEqual(['7: unknown field "level"']);
    const quiz = '\n```quiz\nid: q\nquestion: { zh: "问", en: "Q" }\nchoices: [{ zh: "甲", en: "A" }, { zh: "乙", en: "B" }]\nanswer: 2\n```\n';
    expect(labWith(`${ok}${quiz}`)).toEqual(['22: answer 2 is not a choice (choices are numbered 0..1)']);
  });
});
