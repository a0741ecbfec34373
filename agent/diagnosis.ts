/**
 * Reading a server's Kafka files for why its broker does not run: pure functions over file
 * contents, so they are tested without a server. The patterns are this module's own fixed
 * substrings (no regex over the student's text), matched line by line.
 */
import type { Cause } from './causes.ts';
import type { Finding } from './types.ts';

/** A properties file: key -> value and its 1-based line (the last assignment wins, as in Java). */
export function parseProperties(text: string): Map<string, { value: string; line: number }> {
  const props = new Map<string, { value: string; line: number }>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const sep = line.search(/[=:]/);
    if (sep <= 0) continue;
    props.set(line.slice(0, sep).trim(), { value: line.slice(sep + 1).trim(), line: i + 1 });
  }
  return props;
}

/** Logged once at every broker start, in ZooKeeper and KRaft mode alike. */
export const START_MARKER = 'KafkaConfig values:';

/** Log lines that name a cause; the first substring found on a line decides. */
const LOG_SIGNS: ReadonlyArray<{ cause: Cause; any: readonly string[] }> = [
  {
    cause: 'meta-properties-mismatch',
    any: ["doesn't match previous node id", "doesn't match stored broker.id"],
  },
  { cause: 'cluster-id-mismatch', any: ['InconsistentClusterIdException', "doesn't match stored clusterId"] },
  { cause: 'duplicate-broker-id', any: ['NodeExistsException', 'node already exists and owner'] },
  { cause: 'port-in-use', any: ['Address already in use'] },
  {
    cause: 'zookeeper-unreachable',
    any: ['ZooKeeperClientTimeoutException', 'Timed out waiting for connection while in state: CONNECTING'],
  },
  {
    cause: 'log-dir-unusable',
    any: [
      'Failed to create or validate data directory',
      'No readable/writable log directories',
      'AccessDeniedException',
      'Read-only file system',
      'No space left on device',
    ],
  },
  {
    cause: 'heap-too-large',
    any: [
      'Could not reserve enough space',
      'Invalid maximum heap size',
      'insufficient memory for the Java Runtime',
      'Initial heap size set to a larger value than the maximum heap size',
      'java.lang.OutOfMemoryError',
    ],
  },
];

/** Longest line quoted in a finding. */
const QUOTE_MAX = 300;

/**
 * Causes named in a log since its last start (`START_MARKER`; the whole text when there is
 * none): the latest line per cause, with its 1-based line number (offset by `firstLine - 1`).
 */
export function scanLog(file: string, text: string, firstLine = 1, sinceStart = true): Finding[] {
  const lines = text.split('\n');
  let from = 0;
  if (sinceStart) {
    for (let i = lines.length - 1; i >= 0; i--) {
      if ((lines[i] ?? '').includes(START_MARKER)) {
        from = i;
        break;
      }
    }
  }
  const latest = new Map<Cause, Finding>();
  for (let i = from; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const sign = LOG_SIGNS.find((s) => s.any.some((needle) => line.includes(needle)));
    if (sign) {
      latest.set(sign.cause, {
        cause: sign.cause,
        file,
        line: i + firstLine,
        text: line.trim().slice(0, QUOTE_MAX),
      });
    }
  }
  return [...latest.values()];
}

/** Whether a log shows any start at all. */
export function hasStarted(text: string): boolean {
  return text.includes(START_MARKER);
}

/** The -Xmx of a JVM option string in MiB, or null (-Xmx4g, -Xmx512m, -Xmx1073741824). */
export function maxHeapMb(options: string): number | null {
  let found: number | null = null;
  for (const word of options.split(/\s+/)) {
    if (!word.startsWith('-Xmx')) continue;
    const spec = word.slice(4).replace(/["']/g, '').toLowerCase();
    const unit = spec.at(-1) ?? '';
    const digits = /^[0-9]+$/.test(unit) ? spec : spec.slice(0, -1);
    if (!/^[0-9]+$/.test(digits)) continue;
    const n = Number(digits);
    const factor: Record<string, number> = { k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };
    found = /^[0-9]$/.test(unit) ? n / 2 ** 20 : n * (factor[unit] ?? NaN);
  }
  return found === null || Number.isNaN(found) ? null : Math.round(found);
}
