/**
 * `diagnose`: why this server's broker might not run, from its own files and processes. Reads
 * only local files (bounded), so it answers in milliseconds even when Kafka and ZooKeeper are
 * down; the server runs it on each server and adds what only a comparison shows (two brokers
 * with one broker.id, differing chroots).
 */
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CommandOutcome } from '../command.ts';
import { hasStarted, maxHeapMb, parseProperties, scanLog } from '../diagnosis.ts';
import type { DiagnoseDoc, Finding, KafkaProcess } from '../types.ts';

/** Where the course installs Kafka. */
const APPS = '/opt/apps';
/** Logs are read up to this many bytes from their end. */
const LOG_TAIL = 4 * 2 ** 20;

/** Runs `diagnose`. */
export function diagnoseCommand(): Promise<CommandOutcome> {
  return Promise.resolve({ doc: diagnose() });
}

/** The document for this server (exported for tests with a fake root later; reads the real one). */
export function diagnose(): DiagnoseDoc {
  const home = kafkaHome();
  const procs = javaProcesses();
  const processes = procs.filter((p) => p.main === 'kafka.Kafka').map(({ pid, config }) => ({ pid, config }));
  const brokerRunning = processes.some((p) => !isControllerConfig(p.config));
  const zookeeperRunning = procs.some((p) => p.main.endsWith('QuorumPeerMain'));
  const doc: DiagnoseDoc = {
    kafkaHome: home,
    processes,
    brokerRunning,
    zookeeperRunning,
    config: null,
    metaProperties: [],
    findings: [],
  };
  if (home === null) {
    doc.findings.push({ cause: 'not-installed', file: APPS, line: null, text: `no Kafka under ${APPS}` });
    return doc;
  }
  const configFile = path.join(home, 'config', 'server.properties');
  const props = parseProperties(readText(configFile) ?? '');
  const logDirsEntry = props.get('log.dirs') ?? props.get('log.dir');
  const logDirs = (logDirsEntry?.value ?? '/tmp/kafka-logs')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  doc.config = existsSync(configFile)
    ? {
        file: configFile,
        brokerId: props.get('broker.id') ?? props.get('node.id') ?? null,
        zookeeperConnect: props.get('zookeeper.connect') ?? null,
        logDirs,
      }
    : null;

  for (const dir of logDirs) {
    const file = path.join(dir, 'meta.properties');
    const text = readText(file);
    if (text === null) continue;
    const meta = parseProperties(text);
    const id = meta.get('broker.id') ?? meta.get('node.id');
    doc.metaProperties.push({
      file,
      brokerId: id?.value ?? null,
      clusterId: meta.get('cluster.id')?.value ?? null,
      line: id?.line ?? null,
    });
    const configured = doc.config?.brokerId?.value;
    if (id !== undefined && configured !== undefined && id.value !== configured) {
      doc.findings.push({
        cause: 'meta-properties-mismatch',
        file,
        line: id.line,
        text: `${file} records id ${id.value}; ${configFile} has ${configured}`,
      });
    }
  }
  for (const dir of logDirs) {
    const problem = unusableDir(dir);
    if (problem !== null)
      doc.findings.push({
        cause: 'log-dir-unusable',
        file: configFile,
        line: logDirsEntry?.line ?? null,
        text: problem,
      });
  }

  const logDir = path.join(home, 'logs');
  const serverLog = path.join(logDir, 'server.log');
  const log = readTail(serverLog);
  const console = readTail(path.join(logDir, 'kafkaServer.out'));
  if (log !== null) doc.findings.push(...scanLog(serverLog, log.text, log.firstLine));
  // kafkaServer.out is rewritten at every -daemon start: all of it is about the last one.
  if (console !== null)
    doc.findings.push(
      ...scanLog(path.join(logDir, 'kafkaServer.out'), console.text, console.firstLine, false),
    );
  if (
    !brokerRunning &&
    (log === null || !hasStarted(log.text)) &&
    !doc.findings.some((f) => f.cause === 'heap-too-large')
  ) {
    doc.findings.push({
      cause: 'never-started',
      file: serverLog,
      line: null,
      text: `${serverLog} shows no start`,
    });
  }
  doc.findings.push(...heapFindings());
  return doc;
}

/** /opt/apps/kafka, else another /opt/apps/kafka* with a config folder (not renamed yet). */
function kafkaHome(): string | null {
  const preferred = path.join(APPS, 'kafka');
  if (existsSync(path.join(preferred, 'config'))) return preferred;
  let names: string[] = [];
  try {
    names = readdirSync(APPS)
      .filter((n) => n.startsWith('kafka'))
      .sort();
  } catch {
    return null;
  }
  const found = names.map((n) => path.join(APPS, n)).find((d) => existsSync(path.join(d, 'config')));
  return found ?? null;
}

/** Java processes: main class and the properties file after it. */
function javaProcesses(): Array<KafkaProcess & { main: string }> {
  const found: Array<KafkaProcess & { main: string }> = [];
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((n) => /^[0-9]+$/.test(n));
  } catch {
    return found;
  }
  for (const pid of pids) {
    const args = readText(`/proc/${pid}/cmdline`)?.split('\0') ?? [];
    if (!(args[0] ?? '').endsWith('java')) continue;
    const main = args.findIndex((a) => a === 'kafka.Kafka' || a.endsWith('QuorumPeerMain'));
    if (main < 0) continue;
    found.push({ pid: Number(pid), main: args[main] ?? '', config: args[main + 1] || null });
  }
  return found;
}

function isControllerConfig(config: string | null): boolean {
  return config !== null && path.basename(config).startsWith('controller');
}

/** Why a log dir cannot be used, or null. */
function unusableDir(dir: string): string | null {
  try {
    const st = statSync(dir);
    if (!st.isDirectory()) return `log.dirs entry ${dir} is not a directory`;
    accessSync(dir, constants.W_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      // Kafka creates a missing log dir if it can create its parent.
      const parent = path.dirname(dir);
      try {
        accessSync(parent, constants.W_OK);
        return null;
      } catch {
        return `${dir} does not exist and ${parent} cannot be written`;
      }
    }
    return `${dir} cannot be written (${code ?? 'error'})`;
  }
}

/** -Xmx in the student's profile scripts larger than this server's memory. */
function heapFindings(): Finding[] {
  const limit = memoryLimitMb();
  if (limit === null) return [];
  const found: Finding[] = [];
  let scripts: string[] = [];
  try {
    scripts = readdirSync('/etc/profile.d').filter((n) => n.endsWith('.sh'));
  } catch {
    return found;
  }
  for (const name of scripts) {
    const file = path.join('/etc/profile.d', name);
    for (const [i, line] of (readText(file) ?? '').split('\n').entries()) {
      if (!line.includes('KAFKA_HEAP_OPTS')) continue;
      const heap = maxHeapMb(line);
      if (heap !== null && heap >= limit) {
        found.push({
          cause: 'heap-too-large',
          file,
          line: i + 1,
          text: `-Xmx ${heap} MiB, this server has ${limit} MiB`,
        });
      }
    }
  }
  return found;
}

/** The container's memory limit (cgroup v1 or v2), or null when unlimited. */
function memoryLimitMb(): number | null {
  for (const file of ['/sys/fs/cgroup/memory/memory.limit_in_bytes', '/sys/fs/cgroup/memory.max']) {
    const text = readText(file)?.trim();
    if (text === undefined || text === 'max') continue;
    const bytes = Number(text);
    // cgroup v1 says "no limit" with a huge number.
    if (Number.isFinite(bytes) && bytes > 0 && bytes < 2 ** 50) return Math.round(bytes / 2 ** 20);
  }
  return null;
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** The end of a log, with the line number its first line has (null when the start is cut). */
function readTail(file: string): { text: string; firstLine: number } | null {
  try {
    const size = statSync(file).size;
    if (size <= LOG_TAIL) return { text: readFileSync(file, 'utf8'), firstLine: 1 };
    const buf = readFileSync(file);
    let skippedLines = 0;
    const start = size - LOG_TAIL;
    for (let i = 0; i < start; i++) if (buf[i] === 10) skippedLines++;
    return { text: buf.subarray(start).toString('utf8'), firstLine: skippedLines + 1 };
  } catch {
    return null;
  }
}
