import { describe, expect, it } from 'vitest';
import type { GradebookCell } from '../../../server/http/apiTypes.ts';
import { translator } from '../../../web/src/i18n.ts';
import { landingPath } from '../../../web/src/ui/App.ts';
import { chartRows, type Bar } from '../../../web/src/teach/BarChart.ts';
import { joinLink } from '../../../web/src/teach/ClassPage.ts';
import { describeCell } from '../../../web/src/teach/GradebookGrid.ts';
import { linksFileName } from '../../../web/src/teach/RosterImport.ts';

const bar = (key: string, group?: string): Bar => ({
  key,
  label: key,
  group,
  value: 1,
  valueText: '1',
  tone: 'ok',
});

describe('chartRows', () => {
  it('puts a heading before each new group and none without groups', () => {
    expect(
      chartRows([bar('a', 'L1'), bar('b', 'L1'), bar('c', 'L2')]).map((r) =>
        r.kind === 'group' ? `#${r.text}` : r.bar.key,
      ),
    ).toEqual(['#L1', 'a', 'b', '#L2', 'c']);
    expect(chartRows([bar('a'), bar('b')]).map((r) => r.kind)).toEqual(['bar', 'bar']);
  });
});

describe('describeCell', () => {
  it('says status, attempts, hints, time to pass and lateness in words', () => {
    const cell: GradebookCell = {
      status: 'passed',
      attempts: 3,
      hints: 1,
      firstAttemptAt: '2025-03-01T10:00:00Z',
      passedAt: '2025-03-01T10:03:20Z',
      points: 10,
      late: true,
    };
    expect(describeCell(cell, translator('en'), 'en')).toBe(
      'Passed · attempts: 3 · hints used: 1 · 3 min 20 s to pass · late',
    );
    expect(
      describeCell(
        { ...cell, status: 'untried', attempts: 0, hints: 0, passedAt: null, late: false },
        translator('zh'),
        'zh',
      ),
    ).toBe('未尝试');
  });
});

describe('links and file names', () => {
  it('builds the join link and a safe file name for the roster links', () => {
    expect(joinLink('http://lab.example:3000', 'AB12-CD34')).toBe('http://lab.example:3000/?join=AB12-CD34');
    expect(linksFileName('MQ Spring/2025: A*B')).toBe('MQ-Spring-2025-A-B-links.csv');
    expect(linksFileName('  ')).toBe('class-links.csv');
    expect(linksFileName('消息队列 春季')).toBe('消息队列-春季-links.csv');
  });

  it('lands instructors and admins on the dashboard, students on the outline', () => {
    const me = { id: 1, name: 'x', displayName: null, lang: 'en' as const };
    expect(landingPath({ ...me, role: 'student' })).toBe('/');
    expect(landingPath({ ...me, role: 'instructor' })).toBe('/teach');
    expect(landingPath({ ...me, role: 'admin' })).toBe('/teach');
  });
});
