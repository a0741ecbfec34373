import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { linksCsv, MAX_ROSTER_ROWS, parseRoster } from '../../../server/classroom/roster.ts';
import { AppError } from '../../../server/errors.ts';

/** The AppError parseRoster throws for `text`. */
function refusal(text: string): AppError {
  try {
    parseRoster(text);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error(`accepted: ${JSON.stringify(text.slice(0, 100))}`);
}

describe('parseRoster', () => {
  it('reads name, display name and email per line, with their line numbers', () => {
    expect(parseRoster('ann\nbob,Bob Lee\ncid,,cid@example.edu\n"dee","Dee, D.",dee@example.edu')).toEqual([
      { line: 1, name: 'ann', displayName: null, email: null },
      { line: 2, name: 'bob', displayName: 'Bob Lee', email: null },
      { line: 3, name: 'cid', displayName: null, email: 'cid@example.edu' },
      { line: 4, name: 'dee', displayName: 'Dee, D.', email: 'dee@example.edu' },
    ]);
  });

  it('skips a header, a BOM, blank lines and trailing empty columns; trims and normalises', () => {
    for (const header of ['name', 'Name,Display name,Email', 'NAME', '姓名,显示名', '用户名', 'username'])
      expect(
        parseRoster(`\uFEFF${header}\r\nann\r\n`).map((e) => [e.line, e.name]),
        header,
      ).toEqual([[2, 'ann']]);
    expect(parseRoster('\n\nann\n\n  Ann   Lee  ,  Ann  ,\nｂｏｂ,,,\n')).toEqual([
      { line: 3, name: 'ann', displayName: null, email: null },
      { line: 5, name: 'Ann Lee', displayName: 'Ann', email: null },
      { line: 6, name: 'bob', displayName: null, email: null },
    ]);
    // Only the first line can be a header.
    expect(parseRoster('ann\nname\n').map((e) => e.name)).toEqual(['ann', 'name']);
  });

  it('keeps names in any script intact', () => {
    const names = ['李小龙', 'Zoë Ångström', 'Мария', 'محمد', '山田 太郎'];
    expect(parseRoster(names.join('\n')).map((e) => e.name)).toEqual(names);
  });

  it('reports every bad row with its line, and nothing is returned', () => {
    const err = refusal(
      [
        'name,display name,email',
        'ann',
        'b\u0007ob',
        'ANN',
        'cid,Cid,not-an-email',
        'dee,Dee,dee@example.edu,extra',
        'x'.repeat(65),
        'eve,' + 'e'.repeat(101),
        'fay,Fay\u200b,',
        ',Nameless',
        'ok,,two@@example.edu',
      ].join('\n'),
    );
    expect(err).toMatchObject({ status: 400, reason: 'bad_roster' });
    expect(err.message).toBe('The roster has 9 problem(s); nothing was imported');
    expect(err.details?.split('\n')).toEqual([
      expect.stringMatching(/^line 3: .*control/),
      'line 4: "ANN" is also on line 2',
      'line 5: "not-an-email" is not an email address',
      'line 6: too many columns (name, display name, email)',
      expect.stringMatching(/^line 7: .*longer than 64/),
      expect.stringMatching(/^line 8: The display name is longer than 100/),
      expect.stringMatching(/^line 9: The display name contains control/),
      expect.stringMatching(/^line 10: The name is empty/),
      'line 11: "two@@example.edu" is not an email address',
    ]);
  });

  it('finds duplicates after normalising (case, width, spaces)', () => {
    expect(refusal('Ann Lee\nann  lee\n').details).toBe('line 2: "ann lee" is also on line 1');
    expect(refusal('ann\nＡＮＮ\n').details).toBe('line 2: "ANN" is also on line 1');
  });

  it('refuses text that is not CSV, an empty roster, and one too long', () => {
    expect(refusal('ann\n"bob\n').message).toMatch(/^The roster is not valid CSV \(line 2\)/);
    expect(refusal('ann,"b"c\n').message).toMatch(/not valid CSV \(line 1\)/);
    expect(refusal('x'.repeat(5000)).message).toMatch(/not valid CSV/);
    for (const empty of ['', '\n\n', 'name\n', '\uFEFF', ',,\n'])
      expect(refusal(empty).message, JSON.stringify(empty)).toBe('The roster is empty: one name per line');
    const many = Array.from({ length: MAX_ROSTER_ROWS + 1 }, (_, i) => `s${i}`).join('\n');
    expect(refusal(many).details).toBe(
      `line ${MAX_ROSTER_ROWS + 1}: more than ${MAX_ROSTER_ROWS} people in one roster`,
    );
    expect(parseRoster(many.split('\n').slice(0, MAX_ROSTER_ROWS).join('\n'))).toHaveLength(MAX_ROSTER_ROWS);
  });
});

describe('linksCsv', () => {
  it('lists the links with a header, and keeps formulas as text', () => {
    const csv = linksCsv([
      {
        name: 'ann',
        displayName: 'Ann, A.',
        email: 'ann@example.edu',
        link: 'http://lab/set-password?token=a',
      },
      {
        name: '=HYPERLINK("http://evil","x")',
        displayName: '+1',
        email: '@x',
        link: 'http://lab/set-password?token=b',
      },
      { name: '-2', displayName: null, email: null, link: 'http://lab/set-password?token=c' },
    ]);
    expect(parse(csv)).toEqual([
      ['name', 'display name', 'email', 'link'],
      ['ann', 'Ann, A.', 'ann@example.edu', 'http://lab/set-password?token=a'],
      ['\'=HYPERLINK("http://evil","x")', "'+1", "'@x", 'http://lab/set-password?token=b'],
      ["'-2", '', '', 'http://lab/set-password?token=c'],
    ]);
  });
});
