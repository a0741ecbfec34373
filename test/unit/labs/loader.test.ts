import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkTypes } from '../../../server/checks/registry.ts';
import { loadCourse } from '../../../server/labs/loader.ts';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/labs-broken');

describe('loadCourse on the broken fixtures', () => {
  const course = loadCourse(fixtures, checkTypes);
  const at = (lab: string): string[] =>
    course.problems
      .filter((p) => p.file.includes(`${path.sep}${lab}${path.sep}`))
      .map((p) => `${path.basename(p.file)}:${p.line}: ${p.message}`);

  it('still loads the valid labs next to the broken ones (a dangling requires is a course problem only)', () => {
    expect(course.labs.map((l) => l.id)).toEqual(['good-one', 'broken-requires']);
    const lab = course.labs[0];
    expect(lab?.steps.map((s) => s.title)).toEqual([{ zh: '第一步', en: 'First step' }]);
    expect(lab?.exercises).toMatchObject([
      {
        kind: 'check',
        id: 'topic-a',
        type: 'kafka.topic',
        points: 10,
        params: { topic: 'a', partitions: 3, exists: true },
      },
    ]);
  });

  it('reports malformed YAML at its line', () => {
    expect(at('bad-yaml')).toEqual([
      expect.stringMatching(/^lab\.md:22: YAML: Flow map in block collection/),
    ]);
  });

  it('reports an unknown check type with the known ones', () => {
    expect(at('unknown-type')).toEqual([
      expect.stringMatching(
        /^lab\.md:22: unknown check type "kafka.nope" \(known: broker.config, command, file,/,
      ),
    ]);
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
    // Either regex engine's wording: patterns are moving from RegExp to RE2.
    expect(at('bad-regex')).toEqual([
      expect.stringMatching(
        /^lab\.md:24: file: matches: regex does not compile\b.*(Unterminated character class|missing closing \])/,
      ),
    ]);
    expect(at('bad-param')).toEqual([
      'lab.md:24: kafka.topic: partitions: Invalid input: expected number, received string',
      'lab.md:25: kafka.topic: unknown field "replicas"',
    ]);
  });

  it('reports broken requires, a missing solve.sh, and course.yaml mismatches', () => {
    expect(at('broken-requires')).toEqual(['lab.md:7: requires "nope", which is not a lab']);
    expect(at('no-solve')).toEqual(['solve.sh:1: solve.sh is missing: every lab has a solution script']);
    expect(at('not-listed')).toEqual(['lab.md:1: lab "not-listed" is not listed in course.yaml']);
    expect(
      course.problems.filter((p) => p.file.endsWith('course.yaml')).map((p) => `${p.line}: ${p.message}`),
    ).toEqual(['12: course.yaml lists "ghost", but ghost/lab.md does not exist']);
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
    expect(labWith(`${ok}\nplain text\n`)).toEqual([
      '18: text outside a ::: zh / ::: en block would show untranslated: put it in both blocks',
    ]);
    expect(labWith('## Only English\n\n::: zh\n中\n:::\n::: en\nEn\n:::\n')).toEqual([
      '8: step headings are "## 中文标题 / English title"',
    ]);
    expect(labWith('## 步 / Step\n\n::: zh\n中\n')).toContain('10: ::: zh block is not closed');
    expect(labWith('```quiz\nid: q\n```\n')[0]).toBe(
      '8: a quiz block must be inside a step (after a ## heading)',
    );
  });

  it('rejects unknown front matter fields and quiz answers that are not choices', () => {
    expect(labWith(ok, 'level: hard\n')).toEqual(['7: unknown field "level"']);
    const quiz =
      '\n```quiz\nid: q\nquestion: { zh: "问", en: "Q" }\nchoices: [{ zh: "甲", en: "A" }, { zh: "乙", en: "B" }]\nanswer: 2\n```\n';
    expect(labWith(`${ok}${quiz}`)).toEqual(['22: answer 2 is not a choice (choices are numbered 0..1)']);
  });
});

describe('loadCourse on hostile lab files', () => {
  const front = (id: string, title = '{ zh: "题", en: "T" }'): string =>
    `---\nid: ${id}\ntitle: ${title}\nsummary: { zh: "摘", en: "S" }\nenvironment: ready\nminutes: 5\n---\n`;
  // Lines 8-16 after the front matter; whatever follows starts at line 17.
  const step = '## 步 / Step\n\n::: zh\n中\n:::\n\n::: en\nEn\n:::\n';
  const check = (...fields: string[]): string =>
    ['```check', 'id: c', 'title: { zh: "检", en: "Check" }', 'type: kafka.topic', ...fields, '```', ''].join(
      '\n',
    );

  // Some of these folders hold half a megabyte: do not leave them behind.
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  /** A course of a good lab and a bad one holding `text`; problems as "folder/file:line: message". */
  function courseWith(text: string | ((labMd: string) => void)): { labs: string[]; problems: string[] } {
    const dir = mkdtempSync(path.join(tmpdir(), 'kl-hostile-'));
    made.push(dir);
    writeFileSync(path.join(dir, 'course.yaml'), 'title: { zh: "课", en: "Course" }\nlabs: [good, bad]\n');
    for (const id of ['good', 'bad']) {
      mkdirSync(path.join(dir, id));
      writeFileSync(path.join(dir, id, 'solve.sh'), 'true\n');
    }
    writeFileSync(path.join(dir, 'good', 'lab.md'), `${front('good')}${step}${check('topic: a')}`);
    const bad = path.join(dir, 'bad', 'lab.md');
    if (typeof text === 'string') writeFileSync(bad, text);
    else text(bad);
    const course = loadCourse(dir, checkTypes);
    return {
      labs: course.labs.map((l) => l.id),
      problems: course.problems.map((p) => `${path.relative(dir, p.file)}:${p.line}: ${p.message}`),
    };
  }

  it('accepts the good lab on its own', () => {
    expect(courseWith(`${front('bad')}${step}${check('topic: b')}`)).toEqual({
      labs: ['good', 'bad'],
      problems: [],
    });
  });

  it('reports an undefined alias in the front matter at its line', () => {
    expect(courseWith(`${front('bad', '*nope')}${step}`)).toEqual({
      labs: ['good'],
      problems: ['bad/lab.md:3: YAML: alias *nope has no anchor &nope before it'],
    });
  });

  it('reports an undefined alias in a check block at its line', () => {
    expect(courseWith(`${front('bad')}${step}${check('topic: *nope')}`)).toEqual({
      labs: ['good'],
      problems: ['bad/lab.md:21: YAML: alias *nope has no anchor &nope before it'],
    });
  });

  it('reports an alias inside its own anchor, whose value would be cyclic', () => {
    expect(courseWith(`${front('bad')}${step}${check('topic: a', 'hints: &h [*h]')}`)).toEqual({
      labs: ['good'],
      problems: ['bad/lab.md:22: YAML: alias *h is inside its own anchor (a cycle)'],
    });
  });

  it('reports an alias bomb at its first alias instead of expanding it', () => {
    // Nine levels of nine aliases each: 9^9 (387 million) strings once expanded.
    const levels = Array.from({ length: 9 }, (_, i) =>
      i === 0
        ? `l0: &a0 [${Array(9).fill('lol').join(', ')}]`
        : `l${i}: &a${i} [${Array(9)
            .fill(`*a${i - 1}`)
            .join(', ')}]`,
    );
    expect(courseWith(`${front('bad')}${step}${check('topic: a', ...levels)}`)).toEqual({
      labs: ['good'],
      problems: [
        'bad/lab.md:23: YAML: Excessive alias count indicates a resource exhaustion attack (alias limit 100)',
      ],
    });
  });

  it('reports more aliases than the limit at the first one past it', () => {
    const many = Array<string>(101).fill('  - *t');
    expect(courseWith(`${front('bad')}${step}${check('topic: a', 'x: &t a', 'hints:', ...many)}`)).toEqual({
      labs: ['good'],
      problems: ['bad/lab.md:124: YAML: more than 100 aliases, the limit'],
    });
  });

  it('reports a merge key at its line', () => {
    const hints = ['hints:', '  - &t { zh: "甲", en: "A" }', '  - <<: *t'];
    expect(courseWith(`${front('bad')}${step}${check('topic: a', ...hints)}`)).toEqual({
      labs: ['good'],
      problems: ['bad/lab.md:24: YAML: merge keys (<<) are not supported: write the fields out'],
    });
  });

  it('reports unknown and non-core tags at their lines', () => {
    const fields = [
      'topic: !foo a',
      'hints: [{ zh: !!js/function "function () {}", en: x }]',
      'partitions: !!binary aGVsbG8=',
    ];
    expect(courseWith(`${front('bad')}${step}${check(...fields)}`)).toEqual({
      labs: ['good'],
      problems: [
        'bad/lab.md:21: YAML: Unresolved tag: !foo',
        'bad/lab.md:22: YAML: Unresolved tag: tag:yaml.org,2002:js/function',
        'bad/lab.md:23: YAML: Unresolved tag: tag:yaml.org,2002:binary',
      ],
    });
  });

  it('reports YAML nested deeper than the limit at the line where it gets too deep', () => {
    const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
    expect(courseWith(`${front('bad')}${step}${check('topic: a', 'hints:', `  - ${deep}`)}`)).toEqual({
      labs: ['good'],
      problems: ['bad/lab.md:23: YAML: nested deeper than 32 levels, the limit'],
    });
  });

  it('reports a YAML block over the size limit at its fence', () => {
    const big = `# ${'x'.repeat(40 * 1024)}`;
    expect(courseWith(`${front('bad')}${step}${check('topic: a', big)}`)).toEqual({
      labs: ['good'],
      problems: [
        expect.stringMatching(/^bad\/lab\.md:17: YAML: this block is \d+ bytes, over the limit of 32768$/),
      ],
    });
  });

  it('reports a lab.md over the size limit without reading it', () => {
    const padding = `<!-- ${'x'.repeat(600 * 1024)} -->\n`;
    expect(courseWith(`${front('bad')}${step}${padding}`)).toEqual({
      labs: ['good'],
      problems: ['bad/lab.md:1: lab.md is 601 KiB, over the limit of 512 KiB: split it'],
    });
  });

  it('reports a lab.md that is not a regular file', () => {
    expect(courseWith((labMd) => mkdirSync(labMd))).toEqual({
      labs: ['good'],
      problems: ['bad/lab.md:1: lab.md is not a regular file'],
    });
  });

  it('stops at the fence past the block limit (40,000 code blocks)', () => {
    // The first fence is on line 11 and each takes three lines: fence 2001 is on line 11 + 3 * 2000.
    const fences = '```\nx\n```\n'.repeat(40_000);
    expect(courseWith(`${front('bad')}## 步 / Step\n\n::: zh\n${fences}:::\n`)).toEqual({
      labs: ['good'],
      problems: ['bad/lab.md:6011: more than 2000 fenced code blocks, the limit for one lab: split the lab'],
    });
  });

  it('stops at the check block past the block limit (40,000 check blocks)', () => {
    // Each empty block is a problem of its own until the limit: block 2001 is on line 17 + 2 * 2000.
    const { labs, problems } = courseWith(`${front('bad')}${step}${'```check\n```\n'.repeat(40_000)}`);
    expect(labs).toEqual(['good']);
    expect(problems).toHaveLength(2001);
    expect(problems[0]).toBe('bad/lab.md:17: a check block holds a YAML mapping (id, title, ...)');
    expect(problems.at(-1)).toBe(
      'bad/lab.md:4017: more than 2000 fenced code blocks, the limit for one lab: split the lab',
    );
  });
});
