import { parse } from 'csv-parse/sync';
import { optionalText } from '../auth/Accounts.ts';
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

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}$/;

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
      const email = optionalText(rawEmail, 'email', 254);
      if (email !== null && !EMAIL.test(email))
        throw new Error(`"${email.slice(0, 100)}" is not an email address`);
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
