import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CompiledPattern, multilinePatternString, patternString } from '../../../server/checks/pattern.ts';
import { checkTypes } from '../../../server/checks/registry.ts';
import { loadLab } from '../../../server/labs/loader.ts';
import type { LabProblem } from '../../../server/labs/model.ts';

describe('pattern schemas', () => {
  it('compile a pattern once, keeping today’s line semantics per schema', () => {
    const lines = multilinePatternString.parse('^b$');
    expect(lines).toBeInstanceOf(CompiledPattern);
    expect(lines.re.test('a\nb\nc')).toBe(true);
    expect(patternString.parse('^b$').re.test('a\nb\nc')).toBe(false);
    expect(JSON.stringify({ stdout: lines })).toBe('{"stdout":"^b$"}');
  });

  it('reject what RE2 cannot match in linear time, saying why', () => {
    const problem = (source: string): string | undefined =>
      multilinePatternString.safeParse(source).error?.issues[0]?.message;
    expect(problem('(a)\\1')).toMatch(
      /^regex uses a backreference \(`\\1`\), which RE2 syntax does not support/,
    );
    expect(problem('(?<n>a)\\k<n>')).toMatch(/backreference/);
    for (const lookaround of ['(?=x)', '(?!x)', '(?<=x)', '(?<!x)']) {
      expect(problem(`a${lookaround}`)).toMatch(/^regex uses lookahead or lookbehind/);
    }
    expect(problem('([a-z')).toBe('regex does not compile (RE2 syntax): missing closing ]: `[a-z`');
    expect(problem('a{1001}')).toMatch(/^regex does not compile \(RE2 syntax\): invalid repeat count/);
  });
});

describe('a lab with an unsupported pattern', () => {
  it('is reported at the line of the field, like any bad parameter', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kl-pattern-'));
    const lab = path.join(dir, 'x');
    const front =
      '---\nid: x\ntitle: { zh: "题", en: "T" }\nsummary: { zh: "摘", en: "S" }\nenvironment: ready\nminutes: 5\n---\n';
    const step = '## 步 / Step\n\n::: zh\n中\n:::\n\n::: en\nEn\n:::\n\n';
    const block = (id: string, field: string): string =>
      `\`\`\`check\nid: ${id}\ntitle: { zh: "题", en: "T" }\ntype: command\nrun: "true"\n${field}\n\`\`\`\n\n`;
    const body = front + step + block('backref', "stdout: '(a)\\1'") + block('ahead', "stderr: '(?=x)'");
    mkdirSync(lab);
    writeFileSync(path.join(lab, 'lab.md'), body);
    writeFileSync(path.join(lab, 'solve.sh'), 'true\n');
    const lineOf = (text: string): number => body.split('\n').indexOf(text) + 1;

    const problems: LabProblem[] = [];
    expect(loadLab(lab, checkTypes, problems)).toBeUndefined();
    expect(problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      expect.stringMatching(
        new RegExp(`^${lineOf("stdout: '(a)\\1'")}: command: stdout: regex uses a backreference`),
      ),
      expect.stringMatching(
        new RegExp(`^${lineOf("stderr: '(?=x)'")}: command: stderr: regex uses lookahead`),
      ),
    ]);
  });
});
