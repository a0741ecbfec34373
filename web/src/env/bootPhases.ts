import type { EnvStatus } from '../../../server/http/apiTypes.ts';

/** One line of the boot progress list. */
export interface PhaseRow {
  phase: string;
  state: 'done' | 'active' | 'pending' | 'failed';
  /** The latest message of this phase, if it started. */
  message: string | null;
  done?: number;
  total?: number;
}

/** The phases a fresh boot goes through, per mode (install mode stops after ZooKeeper). */
const EXPECTED: Record<'install' | 'ready', string[]> = {
  install: ['network', 'servers', 'zookeeper', 'ready'],
  ready: ['network', 'servers', 'zookeeper', 'install', 'brokers', 'controller', 'roundtrip', 'ready'],
};

/**
 * Turns the boot events into a progress list: phases seen so far in the order they happened,
 * then the phases still expected. Expected phases that were skipped (a resume starts at
 * `servers`) are left out rather than shown as pending forever.
 */
export function phaseRows(status: EnvStatus, mode: 'install' | 'ready'): PhaseRow[] {
  const rows: PhaseRow[] = [];
  const byPhase = new Map<string, PhaseRow>();
  for (const event of status.events) {
    let row = byPhase.get(event.phase);
    if (row === undefined) {
      row = { phase: event.phase, state: 'done', message: null };
      byPhase.set(event.phase, row);
      rows.push(row);
    }
    row.message = event.message;
    if (event.done !== undefined) row.done = event.done;
    if (event.total !== undefined) row.total = event.total;
  }
  const last = rows.at(-1);
  if (last !== undefined && last.phase !== 'ready') {
    if (status.phase === 'failed' || status.phase === 'broken') last.state = 'failed';
    else if (status.phase === 'booting') last.state = 'active';
  }
  const expected = EXPECTED[status.mode ?? mode];
  const lastExpected = last === undefined ? -1 : expected.lastIndexOf(last.phase);
  const stillToCome = status.phase === 'booting' || status.phase === 'none' || rows.length === 0;
  if (stillToCome) {
    for (const phase of expected.slice(lastExpected + 1)) {
      if (!byPhase.has(phase)) rows.push({ phase, state: 'pending', message: null });
    }
  }
  if (status.phase === 'booting' && last === undefined && rows[0] !== undefined) rows[0].state = 'active';
  return rows;
}
