import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import WebSocket from 'ws';
import { checkTypes } from '../../server/checks/registry.ts';
import { describeOptions, loadConfig, type Config } from '../../server/config.ts';
import { LABELS } from '../../server/env/labels.ts';
import { messageOf } from '../../server/errors.ts';
import type {
  CheckResponse,
  EnvMessage,
  EnvPhase,
  EnvStatus,
  TerminalEvent,
} from '../../server/http/apiTypes.ts';
import { buildImages } from '../../server/images/images.ts';
import { loadCourse } from '../../server/labs/loader.ts';
import { serve } from '../../server/main.ts';
import { projectPaths } from '../../server/paths.ts';
import { silentProgress } from '../../server/progress.ts';
import { percentile, round } from '../stats.ts';
import type { BenchContext, Metric, Section } from '../types.ts';

const PREFIX = 'klbench-class';
const DEFAULT_STUDENTS = 8;
const READY_LAB = 'core-concepts';
const INSTALL_LAB = 'install';
/**
 * Every 4th student takes the install lab, starting with the second, so that a 2-student run
 * already has one of each mode (and so claims both pools' environments).
 */
const INSTALL_EVERY = 4;
const POOL = { ready: 1, install: 1 };
/** Two cold boots one after the other on a busy 2-core host, with room to spare. */
const POOL_FILL_TIMEOUT_MS = 15 * 60_000;
/**
 * Eight students behind two boot slots wait for four boots in a row, each up to the 180 s boot
 * timeout under load; past this something is stuck, not slow.
 */
const STUDENT_TIMEOUT_MS = 20 * 60_000;
const SAMPLE_MS = 1000;
const POOL_POLL_MS = 2000;
const CLEANUP_PASSES = 6;
const CLEANUP_PAUSE_MS = 5000;

/**
 * A class arriving at the real server (open sign-in, the real engine and images): N students
 * start their labs' environments at the same moment and each waits for a usable terminal and
 * runs a check. Once without the warm pool, once with it; one run of each.
 */
export const classSection: Section = {
  name: 'class',
  describe:
    `N students (--students, default ${DEFAULT_STUDENTS}; every ${INSTALL_EVERY}th from the 2nd on the install lab, ` +
    `the rest ${READY_LAB}) arrive at once on the real server, pool off then pool on: time to a usable terminal, ` +
    'queue wait, 5xx, peak host memory and load. One run per configuration whatever --runs says: each run boots N environments',
  async run(ctx) {
    const count = ctx.students ?? DEFAULT_STUDENTS;
    const seats = seatsFor(count);
    const docker = ctx.runtime.docker;
    // Built here, once, with the bench's own data directory: each server below gets a fresh
    // one, whose empty build caches would otherwise turn a missing image into a download.
    await buildImages({
      docker,
      config: ctx.config,
      progress: (e) => ctx.log(`images: ${e.message}`),
    });
    const hasPool = describeOptions().some((o) => o.env === 'KAFKALAB_POOL_READY');
    if (!hasPool) ctx.log('the config has no KAFKALAB_POOL_READY yet: the pool-on run runs without a pool');
    const off = await classRun(ctx, docker, seats, false, hasPool);
    const on = await classRun(ctx, docker, seats, true, hasPool);
    return report(off, on, count, hasPool);
  },
};

/** A student's place in the class: who they are and what they do. */
interface Seat {
  readonly index: number;
  readonly name: string;
  readonly labId: string;
  readonly checkId: string;
}

/** What happened to one student. */
interface Attendance {
  readonly seat: Seat;
  /** Arrival to the echo's output on bigdata01; undefined when the student never got there. */
  terminalSeconds?: number;
  runningSeconds?: number;
  queuedSeconds: number;
  /** Phases seen from the start request on, each change once. */
  phases: readonly EnvPhase[];
  check?: { status: CheckResponse['status']; ms: number };
  serverErrors: number;
  error?: string;
}

/** One configuration's results. */
interface RunResult {
  readonly label: string;
  readonly students: Attendance[];
  readonly baselineUsedMb: number;
  readonly peakUsedMb: number;
  readonly peakLoad: number;
  /** Environments of this run on the engine when the students were done (theirs and the pool's). */
  readonly environments: number;
  /** Pool-on only: seconds until the pool was full, or undefined when it never filled. */
  readonly poolFillSeconds?: number;
  readonly poolWanted: boolean;
  readonly server5xx: number;
}

function seatsFor(count: number): Seat[] {
  const course = loadCourse(projectPaths.labs, checkTypes);
  const firstCheck = (labId: string): string => {
    const lab = course.labs.find((l) => l.id === labId);
    const check = lab?.exercises.find((e) => e.kind === 'check');
    if (check === undefined) throw new Error(`lab ${labId} is missing or has no check`);
    return check.id;
  };
  const checks = { [READY_LAB]: firstCheck(READY_LAB), [INSTALL_LAB]: firstCheck(INSTALL_LAB) };
  return Array.from({ length: count }, (_, index) => {
    const labId = index % INSTALL_EVERY === 1 ? INSTALL_LAB : READY_LAB;
    return { index, name: `bench-class-${index}`, labId, checkId: checks[labId] };
  });
}

async function classRun(
  ctx: BenchContext,
  docker: Docker,
  seats: readonly Seat[],
  pool: boolean,
  hasPool: boolean,
): Promise<RunResult> {
  const label = pool ? 'pool on' : 'pool off';
  // A killed earlier run (or the run before this one) may have left environments behind.
  await cleanUp(docker, `${label}, before`, (l) => ctx.log(l));
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `${PREFIX}-`));
  const poolSize = pool ? POOL : { ready: 0, install: 0 };
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    KAFKALAB_HOST: '127.0.0.1',
    KAFKALAB_AUTH: 'open',
    KAFKALAB_PREFIX: PREFIX,
    KAFKALAB_DATA_DIR: dataDir,
    KAFKALAB_POOL_READY: String(poolSize.ready),
    KAFKALAB_POOL_INSTALL: String(poolSize.install),
    // The server logs JSON on stdout, where the table goes: only what may explain a number.
    KAFKALAB_LOG_LEVEL: process.env.KAFKALAB_LOG_LEVEL ?? 'warn',
  });
  // Before the server: a pool fills during serve() and its memory belongs to the environments.
  const baseline = hostSample();
  const started = Date.now();
  const { app, url } = await serve(config, silentProgress);
  const up = Date.now();
  ctx.log(`${label}: server up at ${url} after ${seconds(started)} s`);
  const sampler = new HostSampler();
  try {
    let poolFillSeconds: number | undefined;
    const poolWanted = pool && hasPool;
    if (poolWanted) {
      const total = poolSize.ready + poolSize.install;
      const filled = await waitForPool(url, config, total, (l) => ctx.log(l));
      // From the server's answer: serve() may have spent minutes building an image first.
      poolFillSeconds = filled ? seconds(up) : undefined;
      ctx.log(
        filled
          ? `${label}: pool full (${total}) ${poolFillSeconds} s after the server was up`
          : `${label}: the pool did not fill within ${POOL_FILL_TIMEOUT_MS / 60_000} min; the students arrive anyway`,
      );
    }
    sampler.start();
    ctx.log(`${label}: ${seats.length} students arrive`);
    const arrival = Date.now();
    const students = await Promise.all(
      seats.map(async (seat) => {
        const a = await attend(url, seat, arrival);
        ctx.log(`${label}: ${describeAttendance(a)}`);
        return a;
      }),
    );
    const environments = await countEnvironments(docker);
    const server5xx = (await scrape(url, config).catch(() => undefined))?.get('kafkalab_http_5xx_total') ?? 0;
    const peak = sampler.stop();
    return {
      label,
      students,
      baselineUsedMb: baseline.usedMb,
      peakUsedMb: peak.usedMb,
      peakLoad: peak.load1,
      environments,
      poolWanted,
      server5xx,
      ...(poolFillSeconds === undefined ? {} : { poolFillSeconds }),
    };
  } finally {
    sampler.stop();
    await app.dispose().catch((err: unknown) => ctx.log(`${label}: dispose failed: ${messageOf(err)}`));
    await cleanUp(docker, `${label}, after`, (l) => ctx.log(l));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * One student, as a browser would: sign in, watch /ws/env, start the lab's environment, wait
 * for `running`, type a command in bigdata01's terminal until its output comes back, run a check.
 * Never rejects: what went wrong is in `error`.
 */
async function attend(base: string, seat: Seat, arrival: number): Promise<Attendance> {
  const a: Attendance = { seat, queuedSeconds: 0, phases: [], serverErrors: 0 };
  const origin = new URL(base).origin;
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new Error(`no usable terminal and check within ${STUDENT_TIMEOUT_MS / 60_000} min`)),
    STUDENT_TIMEOUT_MS,
  );
  let cookie = '';
  let stage = 'sign-in';
  let envFeed: WebSocket | undefined;
  const call = async (method: string, url: string, body?: unknown): Promise<Response> => {
    const res = await fetch(new URL(url, base), {
      method,
      headers: { origin, cookie, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: abort.signal,
    });
    if (res.status >= 500) a.serverErrors++;
    return res;
  };
  const expect = async <T>(res: Response, what: string): Promise<T> => {
    if (res.status >= 300)
      throw new Error(`${what} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    return (await res.json()) as T;
  };
  try {
    const signIn = await call('POST', '/api/session', { name: seat.name });
    await expect(signIn, 'sign-in');
    cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

    stage = 'env feed';
    const phases = new PhaseLog();
    a.phases = phases.seen;
    const feed = await openEnvFeed(base, cookie, phases, abort.signal, () => a.serverErrors++);
    envFeed = feed.ws;

    stage = 'start';
    phases.asked = true;
    const started = await expect<EnvStatus>(await call('POST', '/api/env', { labId: seat.labId }), 'start');
    // A push may have overtaken the answer; the answer is then older news.
    if (!feed.pushedSinceAsked()) phases.note(started.phase, Date.now(), started.error?.message);

    stage = 'waiting for running';
    await phases.running(abort.signal);
    a.runningSeconds = (Date.now() - arrival) / 1000;
    a.queuedSeconds = phases.queuedMs / 1000;

    stage = 'terminal';
    await usableTerminal(base, cookie, `s${seat.index}`, abort.signal, () => a.serverErrors++);
    a.terminalSeconds = (Date.now() - arrival) / 1000;

    stage = 'check';
    const t = Date.now();
    const check = await expect<CheckResponse>(
      await call('POST', `/api/labs/${seat.labId}/checks/${seat.checkId}`, {}),
      'check',
    );
    a.check = { status: check.status, ms: Date.now() - t };
  } catch (err) {
    a.error = `${stage}: ${messageOf(err)}`;
  } finally {
    clearTimeout(timer);
    envFeed?.terminate();
  }
  return a;
}

/**
 * The phases a student saw, from the start request on, and how long they spent in line.
 * `running` resolves at the first `running`, and fails at `failed`.
 */
class PhaseLog {
  /** Set when the start is requested: what the feed said before is the empty starting state. */
  asked = false;
  readonly seen: EnvPhase[] = [];
  queuedMs = 0;
  private current: { phase: EnvPhase; since: number } | undefined;
  private failure: string | undefined;
  private readonly waiters = new Set<() => void>();

  note(phase: EnvPhase, at: number, error?: string): void {
    if (!this.asked || this.current?.phase === phase || this.seen.includes('running')) return;
    if (this.current?.phase === 'queued') this.queuedMs += at - this.current.since;
    this.current = { phase, since: at };
    this.seen.push(phase);
    if (phase === 'failed') this.fail(`phase failed: ${error ?? 'boot failed'}`);
    for (const w of this.waiters) w();
  }

  /** Ends the wait for `running` (unless it is over): the feed broke or the boot failed. */
  fail(reason: string): void {
    if (this.seen.includes('running') || this.failure !== undefined) return;
    this.failure = reason;
    for (const w of this.waiters) w();
  }

  running(signal: AbortSignal): Promise<void> {
    return until(signal, (resolve, reject) => {
      const check = (): void => {
        if (this.seen.includes('running')) resolve();
        else if (this.failure !== undefined) reject(new Error(this.failure));
      };
      this.waiters.add(check);
      check();
      return () => this.waiters.delete(check);
    });
  }
}

/**
 * Opens /ws/env and resolves once its first status (the state before the start) has arrived, so
 * that every later push is news about the start.
 */
async function openEnvFeed(
  base: string,
  cookie: string,
  phases: PhaseLog,
  signal: AbortSignal,
  serverError: () => void,
): Promise<{ ws: WebSocket; pushedSinceAsked: () => boolean }> {
  const ws = socket(base, '/ws/env', cookie);
  let pushed = false;
  await until<void>(signal, (resolve, reject) => {
    refusals(ws, reject, serverError);
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString('utf8')) as EnvMessage;
      if (m.type !== 'status') return;
      if (phases.asked) pushed = true;
      phases.note(m.status.phase, Date.now(), m.status.error?.message);
      resolve();
    });
    ws.on('close', (code) => phases.fail(`/ws/env closed (${code})`));
    return () => undefined;
  }).catch((err: unknown) => {
    ws.terminate();
    throw err;
  });
  return { ws, pushedSinceAsked: () => pushed };
}

/**
 * Opens bigdata01's terminal and types a command whose output differs from its echo (the shell
 * computes 40+2), resolving when the output arrives: the student has a terminal they can use.
 */
async function usableTerminal(
  base: string,
  cookie: string,
  tag: string,
  signal: AbortSignal,
  serverError: () => void,
): Promise<void> {
  const ws = socket(base, '/ws/terminal?node=bigdata01&cols=120&rows=30', cookie);
  const expected = `kl-42-${tag}-done`;
  try {
    await until<void>(signal, (resolve, reject) => {
      refusals(ws, reject, serverError);
      let output = '';
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) {
          output += data.toString('utf8');
          if (output.includes(expected)) resolve();
          return;
        }
        const e = JSON.parse(data.toString('utf8')) as TerminalEvent;
        if (e.type === 'attached') ws.send(Buffer.from(`echo kl-$((40+2))-${tag}-done\r`), { binary: true });
        else if (e.type === 'error') reject(new Error(`terminal error ${e.error}: ${e.message}`));
        else if (e.type === 'exit') reject(new Error('the shell exited'));
      });
      ws.on('close', (code, reason) =>
        reject(new Error(`terminal closed (${code} ${reason.toString('utf8')}) before the output`)),
      );
      return () => undefined;
    });
  } finally {
    ws.close();
  }
}

/** A WebSocket to the server, signed in and claiming the server's own origin, as its pages do. */
function socket(base: string, target: string, cookie: string): WebSocket {
  const url = new URL(target, base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return new WebSocket(url, { origin: new URL(base).origin, headers: { cookie } });
}

/** Rejects on a refused upgrade (counting 5xx ones) or a socket error. */
function refusals(ws: WebSocket, reject: (e: Error) => void, serverError: () => void): void {
  ws.on('unexpected-response', (_req, res) => {
    if ((res.statusCode ?? 0) >= 500) serverError();
    reject(new Error(`upgrade refused with HTTP ${res.statusCode}`));
    ws.terminate();
  });
  ws.on('error', (err) => reject(err));
}

/**
 * A promise settled by `executor` or rejected when `signal` aborts; the cleanup `executor`
 * returns runs once it settles either way.
 */
function until<T>(
  signal: AbortSignal,
  executor: (resolve: (v: T) => void, reject: (e: Error) => void) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let cleanup = (): void => undefined;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      cleanup();
      f();
    };
    const onAbort = (): void =>
      settle(() => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);
    cleanup = executor(
      (v) => settle(() => resolve(v)),
      (e) => settle(() => reject(e)),
    );
    if (settled) cleanup();
  });
}

/** Polls /metrics until `kafkalab_pool_size` sums to `total`; false when it never does in time. */
async function waitForPool(
  base: string,
  config: Config,
  total: number,
  log: (line: string) => void,
): Promise<boolean> {
  const deadline = Date.now() + POOL_FILL_TIMEOUT_MS;
  let told = -1;
  while (Date.now() < deadline) {
    const size = (await scrape(base, config).catch(() => undefined))?.get('kafkalab_pool_size') ?? 0;
    if (size >= total) return true;
    if (size !== told) log(`pool ${size}/${total}`);
    told = size;
    await new Promise((r) => setTimeout(r, POOL_POLL_MS));
  }
  return false;
}

/** Each metric of a /metrics scrape summed over its label sets. */
async function scrape(base: string, config: Config): Promise<Map<string, number>> {
  // A configured token is needed even on loopback (a config file may set one).
  const headers: Record<string, string> =
    config.metricsToken === '' ? {} : { authorization: `Bearer ${config.metricsToken}` };
  const res = await fetch(new URL('/metrics', base), { headers });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const sums = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)/.exec(line);
    if (m === null) continue;
    const name = m[1] as string;
    sums.set(name, (sums.get(name) ?? 0) + Number(m[3]));
  }
  return sums;
}

/** Host memory in use (MemTotal - MemAvailable) in MiB and the 1-minute load average. */
function hostSample(): { usedMb: number; load1: number } {
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(meminfo)?.[1] ?? NaN);
  const load1 = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  return { usedMb: (kb('MemTotal') - kb('MemAvailable')) / 1024, load1 };
}

/** Samples the host every second while the students work and keeps the peaks. */
class HostSampler {
  private timer: NodeJS.Timeout | undefined;
  private peak = { usedMb: 0, load1: 0 };

  start(): void {
    this.take();
    this.timer = setInterval(() => this.take(), SAMPLE_MS);
  }

  /** Stops sampling (safe twice) and returns the peaks, the last moment included. */
  stop(): { usedMb: number; load1: number } {
    if (this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.take();
    }
    return this.peak;
  }

  private take(): void {
    const s = hostSample();
    this.peak = { usedMb: Math.max(this.peak.usedMb, s.usedMb), load1: Math.max(this.peak.load1, s.load1) };
  }
}

/** Environments of this bench the engine runs or boots now (distinct environment labels). */
async function countEnvironments(docker: Docker): Promise<number> {
  const containers = await docker.listContainers({ filters: { label: [`${LABELS.prefix}=${PREFIX}`] } });
  return new Set(containers.map((c) => c.Labels[LABELS.env])).size;
}

/**
 * Removes every container, network and volume labelled with this bench's prefix, pass after pass
 * until one finds nothing: a boot the disposed server still had under way may create objects for
 * a few seconds more (and a network with a container being created refuses to go). Never throws:
 * returns how many went and what was still there after the last pass.
 */
async function removeObjects(docker: Docker): Promise<{ removed: number; left: string[] }> {
  const filters = { label: [`${LABELS.prefix}=${PREFIX}`] };
  let removed = 0;
  let left: string[] = [];
  for (let pass = 0; pass < CLEANUP_PASSES; pass++) {
    if (pass > 0) await new Promise((r) => setTimeout(r, CLEANUP_PAUSE_MS));
    left = [];
    const remove = async (what: string, op: () => Promise<unknown>): Promise<void> => {
      try {
        await op();
        removed++;
      } catch (err) {
        // Gone already (404) or being removed (409) is what we want.
        const status = (err as { statusCode?: number }).statusCode;
        if (status !== 404 && status !== 409) left.push(`${what}: ${messageOf(err)}`);
      }
    };
    let found = 0;
    try {
      const containers = await docker.listContainers({ all: true, filters });
      for (const c of containers)
        await remove(`container ${c.Names[0] ?? c.Id}`, () =>
          docker.getContainer(c.Id).remove({ force: true, v: true }),
        );
      const networks = await docker.listNetworks({ filters });
      for (const n of networks) await remove(`network ${n.Name}`, () => docker.getNetwork(n.Id).remove());
      const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
      for (const v of volumes) await remove(`volume ${v.Name}`, () => docker.getVolume(v.Name).remove());
      found = containers.length + networks.length + volumes.length;
    } catch (err) {
      left.push(`listing: ${messageOf(err)}`);
      found = 1;
    }
    if (found === 0) break;
  }
  return { removed, left };
}

/** Removes this bench's objects and says so when there were any or some would not go. */
async function cleanUp(docker: Docker, label: string, log: (line: string) => void): Promise<void> {
  const { removed, left } = await removeObjects(docker);
  if (removed > 0) log(`${label}: removed ${removed} ${PREFIX} objects`);
  if (left.length > 0) log(`${label}: could not remove ${left.length}: ${left.slice(0, 3).join('; ')}`);
}

function seconds(since: number): number {
  return round((Date.now() - since) / 1000);
}

function describeAttendance(a: Attendance): string {
  const who = `${a.seat.name} (${a.seat.labId})`;
  const seen = a.phases.join(' > ');
  if (a.error !== undefined) return `${who} failed at ${a.error}${seen === '' ? '' : ` [${seen}]`}`;
  return (
    `${who}: ${seen}, queued ${round(a.queuedSeconds)} s, running at ${round(a.runningSeconds ?? NaN)} s, ` +
    `terminal at ${round(a.terminalSeconds ?? NaN)} s, check ${a.check?.status} in ${a.check?.ms} ms` +
    (a.serverErrors > 0 ? `, ${a.serverErrors} 5xx` : '')
  );
}

/** Whether a student's environment was handed over running: no line, no boot. */
function pooled(a: Attendance): boolean {
  return a.terminalSeconds !== undefined && !a.phases.includes('queued') && !a.phases.includes('booting');
}

function report(off: RunResult, on: RunResult, count: number, hasPool: boolean): Metric[] {
  const both = (
    name: string,
    unit: string,
    value: (r: RunResult) => number,
    extra: (r: RunResult) => Pick<Metric, 'runs' | 'note'> = () => ({}),
  ): Metric[] =>
    [off, on].map((r) => ({ name: `${name} (${r.label})`, value: round(value(r)), unit, ...extra(r) }));
  const terminal = (r: RunResult): number[] =>
    r.students.flatMap((a) => (a.terminalSeconds === undefined ? [] : [a.terminalSeconds]));
  const queued = (r: RunResult): number[] =>
    r.students.flatMap((a) => (a.runningSeconds === undefined ? [] : [a.queuedSeconds]));
  const mix = `${count} students, ${off.students.filter((a) => a.seat.labId === INSTALL_LAB).length} on ${INSTALL_LAB}`;
  const poolNote = hasPool ? '' : '; no pool option in this server yet: same as pool off';
  const pooledOn = on.students.filter(pooled);
  return [
    ...both(
      'students with a usable terminal',
      'students',
      (r) => terminal(r).length,
      (r) => ({ note: `${mix}${r === on ? poolNote : ''}; ${outcomes(r)}` }),
    ),
    ...both(
      'time to usable terminal p50',
      's',
      (r) => percentile(terminal(r), 50),
      (r) => ({
        runs: terminal(r).map((v) => round(v)),
        note: 'arrival (sign-in) -> echo output on bigdata01',
      }),
    ),
    ...both('time to usable terminal p95', 's', (r) => percentile(terminal(r), 95)),
    ...both('time to usable terminal max', 's', (r) => percentile(terminal(r), 100)),
    ...both(
      'queue wait p50',
      's',
      (r) => percentile(queued(r), 50),
      (r) => ({ runs: queued(r).map((v) => round(v)), note: 'time in phase queued, from /ws/env pushes' }),
    ),
    ...both('queue wait max', 's', (r) => percentile(queued(r), 100)),
    ...both(
      '5xx answers',
      'count',
      (r) => r.students.reduce((n, a) => n + a.serverErrors, 0),
      (r) => ({ note: `seen by the students (HTTP and upgrades); the server counted ${r.server5xx}` }),
    ),
    ...both(
      'peak host memory used',
      'MiB',
      (r) => r.peakUsedMb,
      (r) => ({
        note: `MemTotal - MemAvailable; ${round(r.baselineUsedMb, 0)} MiB before the server started`,
      }),
    ),
    ...both(
      'peak load (1 min)',
      '',
      (r) => r.peakLoad,
      () => ({ note: `${os.cpus().length} cores` }),
    ),
    ...both(
      'host memory per environment',
      'MiB',
      (r) => (r.peakUsedMb - r.baselineUsedMb) / Math.max(1, r.environments),
      (r) => ({
        note: `(peak - before the server) / ${r.environments} environments at the end (students' and the pool's); other workloads on the host count too`,
      }),
    ),
    {
      name: 'pooled students: time to usable terminal max (pool on)',
      value: round(
        percentile(
          pooledOn.map((a) => a.terminalSeconds ?? NaN),
          100,
        ),
      ),
      unit: 's',
      runs: pooledOn.map((a) => round(a.terminalSeconds ?? NaN)),
      note: `${pooledOn.length} of ${count} went straight to running${poolNote}`,
    },
    {
      name: 'pool fill (pool on)',
      value: on.poolFillSeconds ?? NaN,
      unit: 's',
      note: !on.poolWanted
        ? 'no pool option in this server yet'
        : on.poolFillSeconds === undefined
          ? `did not fill within ${POOL_FILL_TIMEOUT_MS / 60_000} min`
          : `server listening -> kafkalab_pool_size = ${POOL.ready + POOL.install} (${POOL.ready} ready, ${POOL.install} install)`,
    },
  ];
}

/** Checks' outcomes and failures, for a note. */
function outcomes(r: RunResult): string {
  const statuses = new Map<string, number>();
  for (const a of r.students)
    if (a.check) statuses.set(a.check.status, (statuses.get(a.check.status) ?? 0) + 1);
  const checks = [...statuses].map(([s, n]) => `${n} ${s}`).join(', ') || 'none';
  const failed = r.students.filter((a) => a.error !== undefined);
  return `checks: ${checks}` + (failed.length > 0 ? `; ${failed.length} failed: ${failed[0]?.error}` : '');
}
