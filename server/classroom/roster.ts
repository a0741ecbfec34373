import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { optionalEmail, optionalText } from '../auth/Accounts.ts';
import { AppError, messageOf } from '../errors.ts';
import { normalizeName } from '../env/naming.ts';

/** One person of a roster CSV. */
export interface RosterEntry {
  readonly line: number;
  readonly name: string;
  readonly displayName: string | null;
  readonly email: string | null;
}

/** Largest roster: a department's course, not a phone book. */
export const MAX_ROSTER_ROWS = 2000;

/**
 * Reads a roster: one person per line, `name[,display name[,email]]`, an optional header line
 * whose first cell is "name" (or 姓名/用户名), a UTF-8 BOM allowed. Every problem is reported with
 * its line number at once (a 400), so nothing is half-imported.
 */
export function parseRoster(text: string): RosterEntry[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      max_record_size: 4096,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw new AppError(
      400,
      'bad_roster',
      `The roster is not valid CSV${line === undefined ? '' : ` (line ${line})`}: ${messageOf(err)}`,
    );
  }
  const problems: string[] = [];
  const out: RosterEntry[] = [];
  const seen = new Map<string, number>();
  for (const [i, { record, info }] of records.entries()) {
    const line = info.lines;
    const [rawName = '', rawDisplay, rawEmail, ...rest] = record;
    if (i === 0 && /^(name|姓名|用户名|username)$/i.test(rawName)) continue;
    if (record.every((c) => c === '')) continue;
    if (out.length + problems.length >= MAX_ROSTER_ROWS) {
      problems.push(`line ${line}: more than ${MAX_ROSTER_ROWS} people in one roster`);
      break;
    }
    try {
      if (rest.some((c) => c !== '')) throw new Error('too many columns (name, display name, email)');
      const name = normalizeName(rawName);
      const key = name.toLowerCase();
      const earlier = seen.get(key);
      if (earlier !== undefined) throw new Error(`"${name}" is also on line ${earlier}`);
      seen.set(key, line);
      const displayName = optionalText(rawDisplay, 'display name', 100);
      const email = optionalEmail(rawEmail);
      out.push({ line, name, displayName, email });
    } catch (err) {
      problems.push(`line ${line}: ${messageOf(err)}`);
    }
  }
  if (problems.length > 0)
    throw new AppError(
      400,
      'bad_roster',
      `The roster has ${problems.length} problem(s); nothing was imported`,
      {
        details: problems.slice(0, 50).join('\n'),
      },
    );
  if (out.length === 0) throw new AppError(400, 'bad_roster', 'The roster is empty: one name per line');
  return out;
}

/** A created account's one-time link, as the import answers it. */
export interface RosterLink {
  readonly name: string;
  readonly displayName: string | null;
  readonly email: string | null;
  readonly link: string;
}

/**
 * Cells a spreadsheet would read as a formula (the gradebook CSV's rule, OWASP's CSV injection
 * guidance): a roster's names come from elsewhere too (a registrar's export), and the links file
 * is opened in a spreadsheet.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** The links of an import as CSV for download: name, display name, email, link; formula-safe. */
export function linksCsv(created: readonly RosterLink[]): string {
  const rows = [
    ['name', 'display name', 'email', 'link'],
    ...created.map((c) => [c.name, c.displayName ?? '', c.email ?? '', c.link]),
  ];
  return stringify(rows.map((row) => row.map((cell) => (FORMULA_START.test(cell) ? `'${cell}` : cell))));
}
